"""KetaMon's own FHIR checks catch what a structural validator lets through (issue 18):
in a trial fhir.resources accepted an invalid status code, a vital sign without category
or patient, and a heart rate in the wrong unit. Each mutation of a good Bundle below is
shown accepted or not by fhir.resources, and refused by check_bundle, in words."""

from __future__ import annotations

import copy

import pytest
from fhir.resources.R4B.bundle import Bundle

from ketamon.reports.fhir_checks import check_bundle

UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
P, E, HR, SPO2, BP, MA, AE, PR, DOC = (
    f"urn:uuid:00000000-0000-4000-8000-00000000000{i}" for i in range(9)
)


def vital(code: list[tuple[str, str]], profile: str, **body) -> dict:
    return {
        "resourceType": "Observation",
        "status": "final",
        "meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/vitalsigns",
                             f"http://hl7.org/fhir/StructureDefinition/{profile}"]},
        "category": [{"coding": [{"system": CATEGORY, "code": "vital-signs"}]}],
        "code": {"coding": [{"system": s, "code": c} for s, c in code]},
        "subject": {"reference": P},
        "encounter": {"reference": E},
        "effectiveDateTime": "2026-03-02T14:05:00Z",
        **body,
    }  # fmt: skip


def good() -> dict:
    loinc = "http://loinc.org"
    entries = {
        P: {"resourceType": "Patient", "name": [{"text": "Ada"}], "birthDate": "1980-01-02",
            "identifier": [{"system": "https://ketamon.org/fhir/identifier/mrn", "value": "KM-1"}]},
        DOC: {"resourceType": "Practitioner", "name": [{"text": "Priya Patel, MD"}],
              "identifier": [{"system": "https://ketamon.org/fhir/identifier/username",
                              "value": "dr.patel"}]},
        E: {"resourceType": "Encounter", "status": "finished", "subject": {"reference": P},
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "period": {"start": "2026-03-02T14:00:00Z", "end": "2026-03-02T15:30:00Z"}},
        HR: vital([(loinc, "8867-4")], "heartrate",
                  valueQuantity={"value": 72, "unit": "/min", "system": UCUM, "code": "/min"}),
        SPO2: vital([(loinc, "2708-6"), (loinc, "59408-5")], "oxygensat",
                    valueQuantity={"value": 97, "unit": "%", "system": UCUM, "code": "%"}),
        BP: vital([(loinc, "85354-9")], "bp", component=[
            {"code": {"coding": [{"system": loinc, "code": c}]},
             "valueQuantity": {"value": v, "unit": "mm[Hg]", "system": UCUM, "code": "mm[Hg]"}}
            for c, v in (("8480-6", 120), ("8462-4", 80))
        ]),
        MA: {"resourceType": "MedicationAdministration", "status": "completed",
             "medicationCodeableConcept": {"text": "ondansetron"}, "subject": {"reference": P},
             "context": {"reference": E}, "effectiveDateTime": "2026-03-02T14:10:00Z",
             "performer": [{"actor": {"reference": DOC}}],
             "dosage": {"dose": {"value": 4, "unit": "mg", "system": UCUM, "code": "mg"},
                        "route": {"coding": [{"system": "http://snomed.info/sct",
                                              "code": "47625008"}]}}},
        AE: {"resourceType": "AdverseEvent", "actuality": "actual", "subject": {"reference": P},
             "event": {"text": "Nausea"}, "date": "2026-03-02T14:08:00Z",
             "severity": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                      "adverse-event-severity", "code": "mild"}]},
             "suspectEntity": [{"instance": {"reference": MA}}]},
        PR: {"resourceType": "Provenance", "target": [{"reference": E}],
             "recorded": "2026-03-02T16:00:00Z", "agent": [{"who": {"reference": DOC}}]},
    }  # fmt: skip
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": url, "resource": r} for url, r in entries.items()],
    }


def resource(bundle: dict, url: str) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["fullUrl"] == url)


def test_the_good_bundle_passes_both():
    Bundle.model_validate(good())
    assert check_bundle(good()) == []


def _status(b):
    resource(b, HR)["status"] = "bogus"


def _no_category(b):
    del resource(b, HR)["category"]


def _no_subject(b):
    del resource(b, HR)["subject"]


def _heart_rate_in_kg(b):
    resource(b, HR)["valueQuantity"] |= {"unit": "kg", "code": "kg"}


def _unit_not_ucum(b):
    resource(b, HR)["valueQuantity"]["system"] = "http://example.org/units"


def _spo2_one_code(b):
    resource(b, SPO2)["code"]["coding"].pop()


def _dangling(b):
    resource(b, AE)["suspectEntity"][0]["instance"]["reference"] = "urn:uuid:0-missing"


def _subject_not_a_patient(b):
    resource(b, HR)["subject"]["reference"] = E


def _twice(b):
    b["entry"][3]["fullUrl"] = b["entry"][4]["fullUrl"]


def _no_zone(b):
    resource(b, HR)["effectiveDateTime"] = "2026-03-02T14:05:00"


def _route(b):
    resource(b, MA)["dosage"]["route"]["coding"][0]["code"] = "123"


def _severity(b):
    resource(b, AE)["severity"]["coding"][0]["code"] = "fatal"


def _bp_component(b):
    resource(b, BP)["component"][0]["code"]["coding"][0]["code"] = "8867-4"


def _encounter_class(b):
    resource(b, E)["class"]["code"] = "IMP"


def _collection(b):
    b["type"] = "searchset"


MUTATIONS = [
    (_status, "status 'bogus' is not a Observation status"),
    (_no_category, "category is not vital-signs"),
    (_no_subject, "has no subject"),
    (_heart_rate_in_kg, "Heart rate unit is 'kg', not '/min'"),
    (_unit_not_ucum, "unit is not UCUM"),
    (_spo2_one_code, "code lacks [('http://loinc.org', '59408-5')]"),
    (_dangling, "urn:uuid:0-missing is not in the Bundle"),
    (_subject_not_a_patient, "is a Encounter, not a Patient"),
    (_twice, "fullUrl appears twice"),
    (_no_zone, "has no effective time with its zone"),
    (_route, "is not a SNOMED CT route"),
    (_severity, "is not mild, moderate or severe"),
    (_bp_component, "is not systolic or diastolic"),
    (_encounter_class, "class is not ambulatory"),
    (_collection, "is not collection"),
]


@pytest.mark.parametrize(("mutate", "said"), MUTATIONS, ids=[m.__name__ for m, _ in MUTATIONS])
def test_the_own_checks_refuse_in_words(mutate, said):
    bundle = copy.deepcopy(good())
    mutate(bundle)
    problems = check_bundle(bundle)
    assert any(said in p for p in problems), problems


@pytest.mark.parametrize(
    "mutate", [_status, _no_category, _no_subject, _heart_rate_in_kg], ids=lambda m: m.__name__
)
def test_fhir_resources_alone_lets_these_through(mutate):
    """Why the own checks exist: the structural validator accepts each of these."""
    bundle = copy.deepcopy(good())
    mutate(bundle)
    assert len(Bundle.model_validate(bundle).entry) == len(bundle["entry"])
    assert check_bundle(bundle) != []
