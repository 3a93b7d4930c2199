"""What KetaMon's record is called in FHIR R4 (issue 18): the code systems, the LOINC code
and UCUM unit of each vital sign (the FHIR vital-signs profile), KetaMon's own codes for
the scores LOINC has none for, the SNOMED CT routes, and which status codes each resource
type may carry. The builder (ketamon.reports.fhir) and the checks
(ketamon.reports.fhir_checks) both read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
DISCHARGE_DISPOSITION = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
PERFORM_FUNCTION = "http://terminology.hl7.org/CodeSystem/med-admin-perform-function"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"
VERIFICATION_SIGNATURE = "1.2.840.10065.1.12.1.5"
# KetaMon's own systems: the scores LOINC has no code for, side effects, identifiers.
KETAMON = "https://ketamon.org/fhir"
KETAMON_SCORES = f"{KETAMON}/CodeSystem/scores"
KETAMON_SIDE_EFFECTS = f"{KETAMON}/CodeSystem/side-effects"
MRN_SYSTEM = f"{KETAMON}/identifier/mrn"
SESSION_SYSTEM = f"{KETAMON}/identifier/session"
USERNAME_SYSTEM = f"{KETAMON}/identifier/username"
VITAL_SIGNS_PROFILE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"

VITAL_SIGNS = "vital-signs"
SURVEY = "survey"


@dataclass(frozen=True)
class Coded:
    """One kind of Observation: its code(s), unit and category."""

    codes: tuple[tuple[str, str, str], ...]  # (system, code, display), the first the main one
    unit: str  # UCUM code ("" for a panel)
    category: str
    profile: str = ""  # the FHIR vital-signs profile it follows

    @property
    def system(self) -> str:
        return self.codes[0][0]

    @property
    def code(self) -> str:
        return self.codes[0][1]

    @property
    def display(self) -> str:
        return self.codes[0][2]


def _vital(code: str, display: str, unit: str, profile: str) -> Coded:
    return Coded(((LOINC, code, display),), unit, VITAL_SIGNS, f"{_PROFILES}/{profile}")


def _score(code: str, display: str) -> Coded:
    return Coded(((KETAMON_SCORES, code, display),), "{score}", SURVEY)


_PROFILES = "http://hl7.org/fhir/StructureDefinition"
BP_PANEL = _vital("85354-9", "Blood pressure panel with all children optional", "", "bp")
SYSTOLIC = _vital("8480-6", "Systolic blood pressure", "mm[Hg]", "bp")
DIASTOLIC = _vital("8462-4", "Diastolic blood pressure", "mm[Hg]", "bp")
# Each vitals-set measure KetaMon records (ketamon.domain.vitals.MEASURES) -> its FHIR kind.
VITALS = {
    "heart_rate": _vital("8867-4", "Heart rate", "/min", "heartrate"),
    "resp_rate": _vital("9279-1", "Respiratory rate", "/min", "resprate"),
    "temperature": _vital("8310-5", "Body temperature", "Cel", "bodytemp"),
    "spo2": Coded(
        (
            (LOINC, "2708-6", "Oxygen saturation in Arterial blood"),
            (LOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
        ),
        "%",
        VITAL_SIGNS,
        f"{_PROFILES}/oxygensat",
    ),
    "pain": _vital(
        "72514-3",
        "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        "{score}",
        "vitalsigns",
    ),
    "sedation": _score("moaas", "MOAA/S sedation score (0-5)"),
    "dissociation": _score("dissociation", "Dissociation, nurse-rated (0-4)"),
    "cadss": _score("cadss", "CADSS total score"),
}
BODY_WEIGHT = _vital("29463-7", "Body weight", "kg", "bodyweight")
PADSS = _score("padss", "PADSS total score (0-10)")
# Questionnaires (ketamon.domain.instruments.Instrument values) -> their FHIR kind.
OUTCOMES = {
    "PHQ-9": Coded(
        ((LOINC, "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),),
        "{score}",
        SURVEY,
    ),
    "GAD-7": Coded(
        (
            (
                LOINC,
                "70274-6",
                "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
            ),
        ),
        "{score}",
        SURVEY,
    ),
    "PCL-5": _score("pcl5", "PCL-5 total score"),
    "Pain NRS": _score("pain-nrs", "Pain numeric rating scale, questionnaire (0-10)"),
}
# Every Observation code KetaMon writes -> its kind (the checks look codes up here).
OBSERVATION_KINDS = {
    kind.code: kind for kind in (BP_PANEL, BODY_WEIGHT, PADSS, *VITALS.values(), *OUTCOMES.values())
}
COMPONENT_KINDS = {SYSTOLIC.code: SYSTOLIC, DIASTOLIC.code: DIASTOLIC}

KETAMINE = (RXNORM, "6130", "ketamine")
# KetaMon's routes (ketamon.domain.interventions.ROUTES) -> SNOMED CT route of administration.
ROUTES = {
    "IV": ("47625008", "Intravenous route"),
    "IM": ("78421000", "Intramuscular route"),
    "PO": ("26643006", "Oral route"),
    "SL": ("37839007", "Sublingual route"),
    "ODT": ("26643006", "Oral route"),  # an orally disintegrating tablet goes by mouth
    "SC": ("34206005", "Subcutaneous route"),
    "IN": ("46713006", "Nasal route"),
}
# KetaMon's dose units (ketamon.domain.interventions.UNITS) -> UCUM.
DOSE_UNITS = {"mg": "mg", "mcg": "ug", "mL": "mL", "g": "g", "units": "[IU]"}
RATE_UNIT = "mL/h"

# The status codes of each resource type (FHIR R4 value sets, required bindings).
STATUSES = {
    "Observation": frozenset(
        {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
         "entered-in-error", "unknown"}
    ),
    "Encounter": frozenset(
        {"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled",
         "entered-in-error", "unknown"}
    ),
    "MedicationAdministration": frozenset(
        {"in-progress", "not-done", "on-hold", "completed", "entered-in-error", "stopped",
         "unknown"}
    ),
}  # fmt: skip
AE_ACTUALITY = frozenset({"actual", "potential"})
AE_SEVERITIES = frozenset({"mild", "moderate", "severe"})
AE_OUTCOMES = frozenset(
    {"resolved", "recovering", "ongoing", "resolvedWithSequelae", "fatal", "unknown"}
)
RESOURCE_TYPES = frozenset(
    {"Patient", "Practitioner", "Encounter", "Observation", "MedicationAdministration",
     "AdverseEvent", "Provenance"}
)  # fmt: skip
