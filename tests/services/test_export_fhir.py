"""FHIR R4 export (issue 18): the Bundle read back, validated by fhir.resources (its R4B
models) and by KetaMon's own checks, and every code and unit compared with the FHIR
vital-signs profile as written here, independently of the export's own tables."""

from __future__ import annotations

import json
from datetime import UTC

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.exports import ExportCancelled
from ketamon.domain.vitals import VitalsDraft
from ketamon.reports.fhir_checks import check_bundle
from ketamon.storage.models import AuditRow
from tests.conftest import NURSE, PASSWORD, add_user, draft
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends
DOC = Actor("dr.patel", "Priya Patel, MD")
LOINC, UCUM = "http://loinc.org", "http://unitsofmeasure.org"
# The FHIR vital-signs profile (hl7.org/fhir/R4/observation-vitalsigns.html): code -> unit.
VITAL_SIGNS = {
    "8867-4": "/min",  # heart rate
    "9279-1": "/min",  # respiratory rate
    "8310-5": "Cel",  # body temperature
    "2708-6": "%",  # oxygen saturation (with 59408-5, pulse oximetry)
    "29463-7": "kg",  # body weight
    "72514-3": "{score}",  # pain 0-10
}


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def loinc(resource: dict) -> set[str]:
    return {c["code"] for c in resource["code"]["coding"] if c["system"] == LOINC}


@pytest.fixture
def signed(clinic, clock, tmp_path):
    """A discharged session with a correction, a voided set, temperature and pain, and a
    PHQ-9, signed by the physician; exported alone."""
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    patient = clinic.patients.register(NURSE, draft("KM-80001", "Iris Fhir"))
    s = discharged_session(clinic, clock, sets=6, phq9=[1] * 8 + [0], patient=patient)
    sets = clinic.vitals.for_session(s.id)
    clinic.vitals.correct(
        NURSE, sets[1].id, VitalsDraft(130, 80, 77, 98, 14), "Heart rate typed wrongly"
    )
    clinic.vitals.void(NURSE, sets[2].id, "Entered twice")
    clinic.vitals.correct(
        NURSE, sets[3].id, VitalsDraft(122, 76, 70, 97, 15, temperature=36.8, pain=2), "Added"
    )
    clinic.review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=clinic.review.record_digest(s.id))
    result = clinic.exports.fhir(DOC, tmp_path / "s.json", session_id=s.id, tz=UTC)
    return s, result, json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))


def test_the_bundle_validates_and_passes_the_own_checks(signed):
    _s, result, bundle = signed
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    parsed = Bundle.model_validate(bundle)  # structure: fhir.resources' R4B models
    assert len(parsed.entry) == len(bundle["entry"]) == sum(result.counts.values())
    assert check_bundle(bundle) == []
    assert result.sessions == 1 and result.unsigned == 0


def test_patient_and_encounter(clinic, signed):
    s, _result, bundle = signed
    [patient] = resources(bundle, "Patient")
    assert [i["value"] for i in patient["identifier"]] == ["KM-80001"]
    assert patient["name"][0]["text"] == "Iris Fhir" and patient["birthDate"]
    [encounter] = resources(bundle, "Encounter")
    assert encounter["status"] == "finished"
    assert (encounter["class"]["system"], encounter["class"]["code"]) == (
        "http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"
    )  # fmt: skip
    summary = clinic.summary.snapshot(s.id)
    start, end = encounter["period"]["start"], encounter["period"]["end"]
    assert start == summary.session.times.checked_in_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert end == summary.discharged_at.strftime("%Y-%m-%dT%H:%M:%SZ") and end > start
    urls = {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle["entry"]}
    assert encounter["subject"]["reference"] == urls["Patient"]


def test_every_vital_sign_has_its_loinc_code_ucum_unit_category_and_patient(signed):
    _s, _result, bundle = signed
    patient = next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    observations = resources(bundle, "Observation")
    vitals = [o for o in observations if o["category"][0]["coding"][0]["code"] == "vital-signs"]
    seen = set()
    for o in vitals:
        assert o["subject"]["reference"] == patient
        assert o["effectiveDateTime"].endswith("Z")
        assert o["category"][0]["coding"][0]["system"] == (
            "http://terminology.hl7.org/CodeSystem/observation-category"
        )
        codes = loinc(o)
        seen |= codes
        if "85354-9" in codes:  # the BP panel: systolic and diastolic components, mm[Hg]
            parts = {next(iter(loinc(c))): c["valueQuantity"] for c in o["component"]}
            assert set(parts) == {"8480-6", "8462-4"}
            assert {(q["system"], q["code"]) for q in parts.values()} == {(UCUM, "mm[Hg]")}
            continue
        if "2708-6" in codes:
            assert "59408-5" in codes  # SpO2 carries both codes
        [code] = codes & set(VITAL_SIGNS)
        q = o["valueQuantity"]
        assert (q["system"], q["code"]) == (UCUM, VITAL_SIGNS[code])
    assert seen >= {"85354-9", *VITAL_SIGNS}
    temperature = next(o for o in vitals if "8310-5" in loinc(o))
    assert temperature["valueQuantity"]["value"] == 36.8
    weight = next(o for o in vitals if "29463-7" in loinc(o))
    assert weight["valueQuantity"]["value"] == 72.5


def test_a_correction_is_amended_and_a_voided_set_is_not_exported(clinic, signed):
    s, _result, bundle = signed
    heart = [o for o in resources(bundle, "Observation") if "8867-4" in loinc(o)]
    every = clinic.vitals.for_session(s.id)
    current = [v for v in every if v.values.heart_rate is not None and v.status == "current"]
    assert len(heart) == len(current)  # current sets only: the voided one and the
    # corrected original stay in KetaMon (and in the CSV export)
    amended = [o for o in heart if o["status"] == "amended"]
    assert sorted(o["valueQuantity"]["value"] for o in amended) == [70, 77]
    assert {o["status"] for o in heart} == {"final", "amended"}


def test_scores_under_ketamon_codes_and_phq9_under_loinc(signed):
    _s, _result, bundle = signed
    observations = resources(bundle, "Observation")
    by_system = {}
    for o in observations:
        for c in o["code"]["coding"]:
            by_system.setdefault(c["system"], set()).add(c["code"])
    assert {"moaas", "padss"} <= by_system["https://ketamon.org/fhir/CodeSystem/scores"]
    [phq9] = [o for o in observations if "44261-6" in loinc(o)]
    assert phq9["valueQuantity"]["value"] == 8 and phq9["valueQuantity"]["code"] == "{score}"
    assert phq9["category"][0]["coding"][0]["code"] == "survey"


def test_ketamine_and_prn_drugs_as_medication_administrations(signed):
    _s, _result, bundle = signed
    people = {
        e["fullUrl"]: e["resource"]["identifier"][0]["value"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Practitioner"
    }
    given = resources(bundle, "MedicationAdministration")
    ketamine = next(m for m in given if "contained" in m)
    medication = ketamine["contained"][0]
    assert medication["code"]["coding"][0]["code"] == "6130"  # RxNorm ketamine
    assert medication["batch"]["lotNumber"] == "LOT-4411"
    assert ketamine["status"] == "completed"
    assert ketamine["dosage"]["dose"] == {"value": 36.0, "unit": "mg", "system": UCUM, "code": "mg"}
    assert ketamine["dosage"]["rateQuantity"]["code"] == "mL/h"
    assert ketamine["dosage"]["route"]["coding"][0]["code"] == "47625008"  # SNOMED IV
    roles = {
        p["function"]["coding"][0]["code"]: people[p["actor"]["reference"]]
        for p in ketamine["performer"]
    }
    assert roles == {"performer": "nurse.jo", "witness": "witness.kim"}
    assert "wasted 0.25 mg" in ketamine["note"][0]["text"]
    [prn] = [m for m in given if "contained" not in m]
    assert prn["medicationCodeableConcept"]["text"] == "ondansetron"
    assert prn["dosage"]["dose"]["value"] == 4 and prn["dosage"]["dose"]["code"] == "mg"
    assert prn["note"][0]["text"] == "Given for: Nausea"


def test_side_effect_as_adverse_event_and_signature_as_provenance(signed):
    _s, _result, bundle = signed
    [event] = resources(bundle, "AdverseEvent")
    assert event["actuality"] == "actual" and event["event"]["text"] == "Nausea"
    assert event["severity"]["coding"][0]["code"] == "moderate"
    assert event["outcome"]["coding"][0]["code"] == "resolved"
    [provenance] = resources(bundle, "Provenance")
    targets = {t["reference"] for t in provenance["target"]}
    encounter = next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter"
    )
    assert encounter in targets
    assert provenance["signature"][0]["type"][0]["code"] == "1.2.840.10065.1.12.1.5"
    assert provenance["agent"][0]["who"]["display"] == "Priya Patel"


def test_the_export_is_audited_and_never_overwrites(clinic, signed, tmp_path):
    s, result, _bundle = signed
    with clinic.db.transaction(write=False) as tx:
        rows = tx.scalars(select(AuditRow).where(AuditRow.action == "export")).all()
    assert len(rows) == 1 and rows[0].actor == "dr.patel"
    assert rows[0].new_value.startswith(f"fhir session {s.id}: sessions 1, AdverseEvent 1")
    assert str(result.path) in rows[0].reason
    with pytest.raises(FieldError, match="already exists"):
        clinic.exports.fhir(DOC, result.path, session_id=s.id)


def test_scope_patient_or_period_and_bad_scopes(clinic, clock, tmp_path):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    first = discharged_session(clinic, clock, sets=6)
    other = clinic.patients.register(NURSE, draft("KM-80002", "Omar Other"))
    clock.advance(days=1)
    discharged_session(clinic, clock, sets=6, patient=other)
    clock.advance(days=1)
    discharged_session(clinic, clock, sets=6, patient=clinic.patients.get(first.patient_id))
    mine = clinic.exports.fhir(DOC, tmp_path / "p.json", mrn="KM-20001")
    bundle = json.loads((tmp_path / "p.json").read_text())
    assert mine.sessions == 2 and len(resources(bundle, "Patient")) == 1
    assert len(resources(bundle, "Encounter")) == 2 and check_bundle(bundle) == []
    day = clock().date()
    period = clinic.exports.fhir(DOC, tmp_path / "d.json", since=day, until=day, tz=UTC)
    assert period.sessions == 1
    for scope, field in (
        ({}, "scope"),
        ({"session_id": first.id, "mrn": "KM-20001"}, "scope"),
        ({"mrn": "KM-99999"}, "mrn"),
        ({"session_id": 99999}, "session"),
        ({"since": day}, "to"),
    ):
        with pytest.raises(FieldError) as refused:
            clinic.exports.fhir(DOC, tmp_path / "x.json", **scope)
        assert refused.value.field == field
    assert not (tmp_path / "x.json").exists()


def test_a_nurse_may_not_and_a_cancel_leaves_nothing(clinic, clock, tmp_path):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    add_user(clinic, "nurse.sam", "Sam Okoye", "RN", "nurse", PASSWORD)
    s = discharged_session(clinic, clock, sets=6)
    out = tmp_path / "out"
    out.mkdir()
    sam = Actor("nurse.sam", "Sam Okoye, RN")
    with pytest.raises(DomainError, match="physician or an administrator"):
        clinic.exports.fhir(sam, out / "n.json", session_id=s.id)
    with pytest.raises(ExportCancelled):
        clinic.exports.fhir(DOC, out / "c.json", session_id=s.id, progress=lambda k, n: n < 1)
    assert list(out.iterdir()) == []  # no file, no part left behind
    with clinic.db.transaction(write=False) as tx:
        assert tx.scalars(select(AuditRow).where(AuditRow.action == "export")).all() == []


def test_an_unsigned_session_has_no_provenance(clinic, clock, tmp_path):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    s = discharged_session(clinic, clock, sets=6)
    result = clinic.exports.fhir(DOC, tmp_path / "u.json", session_id=s.id)
    bundle = json.loads((tmp_path / "u.json").read_text())
    assert result.unsigned == 1 and resources(bundle, "Provenance") == []
    assert check_bundle(bundle) == []


def test_follow_up_questionnaires_come_with_the_patient_and_the_period(clinic, clock, tmp_path):
    """A GAD-7 at a follow-up visit (no session): in the patient's export and the
    period's, as an Observation under LOINC 70274-6 without an encounter."""
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    s = discharged_session(clinic, clock, sets=6)
    clock.advance(days=3)
    clinic.outcomes.record_visit(NURSE, s.patient_id, "GAD-7", [1, 1, 1, 1, 0, 0, 0])
    for name, scope in (
        ("p.json", {"mrn": "KM-20001"}),
        ("d.json", {"since": clock().date(), "until": clock().date(), "tz": UTC}),
    ):
        result = clinic.exports.fhir(DOC, tmp_path / name, **scope)
        bundle = json.loads((tmp_path / name).read_text())
        assert check_bundle(bundle) == []
        observations = resources(bundle, "Observation")
        # the visit's GAD-7, not the one asked before the session's start (with its encounter)
        [gad7] = [o for o in observations if "70274-6" in loinc(o) and "encounter" not in o]
        assert gad7["valueQuantity"]["value"] == 4
        assert len(resources(bundle, "Patient")) == 1
        assert result.sessions == (1 if name == "p.json" else 0)
