"""A session's record as FHIR R4 resources (issue 18), built from the same frozen snapshot
the discharge summary prints (ketamon.domain.summary.SessionSummary), so the two never
disagree: the Encounter, the vital signs (LOINC, UCUM, the vital-signs profile), KetaMon's
scores, the ketamine infusion and PRN drugs, the side effects, the questionnaires, and the
physician's signature as a Provenance.

What the record says now is exported: current entries (a correction as `amended`);
voided entries and the history of changes stay in KetaMon (and in the CSV export).
Pure: no database, no files. References are `urn:uuid:` URLs that resolve inside the
Bundle; `Refs` makes them (the same key gives the same URL within one export) and remembers
which staff members the entries name, so the writer adds their Practitioner once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ketamon.domain import fhir as codes
from ketamon.domain.discharge import Outcome
from ketamon.domain.exports import utc_text
from ketamon.domain.fhir import Coded
from ketamon.domain.outcomes import OutcomeRecord
from ketamon.domain.patients import Patient
from ketamon.domain.sessions import EventKind, Phase
from ketamon.domain.summary import SessionSummary
from ketamon.domain.vitals import VitalsSet

Resource = dict[str, Any]
Entry = dict[str, Any]


@dataclass
class Refs:
    """The export's URLs: `urn:uuid:` from (kind, key) under the export's own namespace."""

    namespace: uuid.UUID = field(default_factory=uuid.uuid4)
    people: set[str] = field(default_factory=set)  # usernames the entries so far name

    def url(self, kind: str, key: object) -> str:
        return f"urn:uuid:{uuid.uuid5(self.namespace, f'{kind}/{key}')}"

    def to(self, kind: str, key: object, display: str = "") -> dict[str, str]:
        ref = {"reference": self.url(kind, key)}
        if display:
            ref["display"] = display
        return ref

    def person(self, username: str, display: str = "") -> dict[str, str]:
        self.people.add(username)
        return self.to("Practitioner", username, display)


def entry(url: str, resource: Resource) -> Entry:
    return {"fullUrl": url, "resource": resource}


def bundle_head(refs: Refs, now: datetime) -> Resource:
    """The Bundle without its entries (the writer streams them into `entry`)."""
    return {
        "resourceType": "Bundle",
        "identifier": {
            "system": f"{codes.KETAMON}/identifier/export",
            "value": str(refs.namespace),
        },
        "type": "collection",
        "timestamp": utc_text(now),
    }


def patient_entry(refs: Refs, patient: Patient) -> Entry:
    resource = {
        "resourceType": "Patient",
        "identifier": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                            "code": "MR",
                            "display": "Medical record number",
                        }
                    ]
                },
                "system": codes.MRN_SYSTEM,
                "value": patient.mrn,
            }
        ],
        "name": [{"text": patient.full_name}],
        "birthDate": patient.date_of_birth.isoformat(),
    }
    return entry(refs.url("Patient", patient.id), resource)


def practitioner_entry(refs: Refs, username: str, display: str) -> Entry:
    resource = {
        "resourceType": "Practitioner",
        "identifier": [{"system": codes.USERNAME_SYSTEM, "value": username}],
        "name": [{"text": display}],
    }
    return entry(refs.url("Practitioner", username), resource)


def _coding(system: str, code: str, display: str = "") -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def _concept(kind: Coded) -> dict[str, Any]:
    return {"coding": [_coding(*c) for c in kind.codes], "text": kind.display}


def quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": codes.UCUM, "code": unit}


class _Entries:
    """Entries about one patient, within one encounter (a session) or none (a follow-up
    questionnaire); everything but the Patient and Practitioners themselves."""

    def __init__(
        self, refs: Refs, patient_id: int, patient_name: str, encounter_id: int | None
    ) -> None:
        self.refs = refs
        self.patient = refs.to("Patient", patient_id, patient_name)
        self.encounter = refs.to("Encounter", encounter_id) if encounter_id is not None else None
        self.entries: list[Entry] = []

    def add(self, kind: str, key: object, resource: Resource) -> str:
        url = self.refs.url(kind, key)
        self.entries.append(entry(url, resource))
        return url

    def observation(self, key: str, kind: Coded, at: datetime, status: str, body: Resource) -> None:
        resource: Resource = {"resourceType": "Observation", "status": status}
        if kind.profile:
            resource["meta"] = {"profile": sorted({codes.VITAL_SIGNS_PROFILE, kind.profile})}
        category = _coding(codes.OBSERVATION_CATEGORY, kind.category)
        resource |= {
            "category": [{"coding": [category], "text": kind.category}],
            "code": _concept(kind),
            "subject": self.patient,
        }
        if self.encounter is not None:
            resource["encounter"] = self.encounter
        resource |= {"effectiveDateTime": utc_text(at), **body}
        self.add("Observation", key, resource)

    def questionnaire(self, record: OutcomeRecord) -> None:
        kind = codes.OUTCOMES[record.score.instrument.value]
        body: Resource = {"valueQuantity": quantity(record.score.total, kind.unit)}
        if record.score.band:
            body["interpretation"] = [{"text": record.score.band}]
        status = "amended" if record.corrects_id is not None else "final"
        self.observation(f"outcome/{record.id}", kind, record.taken_at, status, body)


class _Session(_Entries):
    """The entries of one session."""

    def __init__(self, refs: Refs, summary: SessionSummary) -> None:
        s = summary.session
        super().__init__(refs, s.patient_id, s.patient_name, s.id)
        self.summary = summary

    @property
    def encounter_ref(self) -> dict[str, str]:
        assert self.encounter is not None
        return self.encounter

    def person(self, username: str | None) -> dict[str, str] | None:
        return self.refs.person(username, self.summary.who(username)) if username else None

    # -- the Encounter ------------------------------------------------------------------------
    def encounter_resource(self) -> None:
        s = self.summary.session
        status = {
            Phase.CHECKED_IN: "arrived",
            Phase.INFUSING: "in-progress",
            Phase.RECOVERY: "in-progress",
            Phase.DISCHARGED: "finished",
            Phase.CANCELLED: "cancelled",
        }[s.phase]
        period = {"start": utc_text(s.times.checked_in_at)}
        cancelled = next((e for e in s.events if e.kind is EventKind.CANCEL), None)
        end = self.summary.discharged_at or (cancelled.at if cancelled else None)
        if end is not None and not s.phase.active:
            period["end"] = utc_text(end)
        resource: Resource = {
            "resourceType": "Encounter",
            "identifier": [{"system": codes.SESSION_SYSTEM, "value": str(s.id)}],
            "status": status,
            "class": _coding(codes.ACT_CODE, "AMB", "ambulatory"),
            "type": [{"text": f"Ketamine infusion ({s.course_label})"}],
            "subject": self.patient,
            "period": period,
        }
        if self.summary.outcome is not None:
            code, words = (
                ("aadvice", "Left against advice")
                if self.summary.outcome == Outcome.AMA
                else ("home", "Home")
            )
            resource["hospitalization"] = {
                "dischargeDisposition": {
                    "coding": [_coding(codes.DISCHARGE_DISPOSITION, code, words)]
                }
            }
        self.add("Encounter", s.id, resource)

    # -- Observations -------------------------------------------------------------------------
    def vitals(self, vs: VitalsSet) -> None:
        values = vs.values
        status = "amended" if vs.corrects_id is not None else "final"
        who = self.person(vs.entered_by)
        common: Resource = {"performer": [who]} if who else {}
        notes = [{"text": f"Note on the vitals set: {values.note}"}] if values.note else []
        if values.systolic is not None or values.diastolic is not None:
            parts = [
                {"code": _concept(kind), "valueQuantity": quantity(value, kind.unit)}
                for kind, value in (
                    (codes.SYSTOLIC, values.systolic),
                    (codes.DIASTOLIC, values.diastolic),
                )
                if value is not None
            ]
            body = {**common, "component": parts, **({"note": notes} if notes else {})}
            self.observation(f"{vs.id}/bp", codes.BP_PANEL, vs.taken_at, status, body)
            notes = []
        for measure, kind in codes.VITALS.items():
            value = getattr(values, measure)
            if value is None:
                continue
            body = {**common, "valueQuantity": quantity(value, kind.unit)}
            said = list(notes)
            if measure == "spo2" and values.oxygen:
                said.append({"text": "On supplemental oxygen when taken"})
            if said:
                body["note"] = said
            notes = []
            self.observation(f"{vs.id}/{measure}", kind, vs.taken_at, status, body)

    def scores(self) -> None:
        summary = self.summary
        if summary.dose is not None:
            self.observation(
                f"{summary.session.id}/weight", codes.BODY_WEIGHT, summary.dose.planned_at, "final",
                {"valueQuantity": quantity(summary.dose.weight_kg, codes.BODY_WEIGHT.unit)},
            )  # fmt: skip
        padss = summary.check.padss if summary.check is not None else None
        if padss is not None and padss.complete and summary.discharged_at is not None:
            self.observation(
                f"{summary.session.id}/padss", codes.PADSS, summary.discharged_at, "final",
                {"valueQuantity": quantity(padss.total, codes.PADSS.unit)},
            )  # fmt: skip
        for record in summary.outcomes:
            self.questionnaire(record)

    # -- MedicationAdministrations ------------------------------------------------------------
    def ketamine(self) -> str | None:
        summary = self.summary
        dose = summary.dose
        s = summary.session
        times = s.times
        if dose is None or (times.started_at is None and s.phase.active):
            return None  # planned, nothing given yet
        if dose.completed:
            status = "completed"
        elif times.started_at is None:
            status = "not-done"
        elif s.phase.active:
            status = "in-progress"
        else:
            status = "unknown"  # the infusion ran; its dose record was never completed
        medication: Resource = {
            "resourceType": "Medication",
            "id": "ketamine",
            "code": {"coding": [_coding(*codes.KETAMINE)], "text": "Ketamine hydrochloride"},
            "ingredient": [
                {
                    "itemCodeableConcept": {"coding": [_coding(*codes.KETAMINE)]},
                    "strength": {
                        "numerator": quantity(dose.concentration_mg_ml, "mg"),
                        "denominator": quantity(1, "mL"),
                    },
                }
            ],
        }
        if dose.lot_number:
            medication["batch"] = {"lotNumber": dose.lot_number}
        if times.started_at is not None:
            effective: Resource = {"effectivePeriod": {"start": utc_text(times.started_at)}}
            if times.ended_at is not None:
                effective["effectivePeriod"]["end"] = utc_text(times.ended_at)
        else:
            effective = {"effectiveDateTime": utc_text(dose.planned_at)}
        performers = []
        for username, function in (
            (dose.completed_by or dose.planned_by, "performer"),
            (dose.witness, "witness"),
        ):
            who = self.person(username)
            if who:
                performers.append(
                    {
                        "function": {"coding": [_coding(codes.PERFORM_FUNCTION, function)]},
                        "actor": who,
                    }
                )
        dosage: Resource = {
            "route": {"coding": [_coding(codes.SNOMED, *codes.ROUTES["IV"])], "text": "IV"},
            "rateQuantity": quantity(dose.planned_rate_ml_h, codes.RATE_UNIT),
        }
        if dose.actual_mg is not None:
            dosage["dose"] = quantity(dose.actual_mg, "mg")
        words = [
            f"Planned {dose.planned_mg:g} mg ({dose.mg_per_kg:g} mg/kg at {dose.weight_kg:g} kg), "
            f"{dose.concentration_mg_ml:g} mg/mL at {dose.planned_rate_ml_h:g} mL/h"
        ]
        if dose.actual_mg is not None:
            words.append(f"given {dose.actual_mg:g} mg")
        if dose.wasted_mg is not None:
            witness = summary.who(dose.witness) or "no witness recorded"
            words.append(f"wasted {dose.wasted_mg:g} mg, witnessed by {witness}")
        if dose.over_plan_reason:
            words.append(f"over the plan because: {dose.over_plan_reason}")
        if status == "unknown":
            words.append("the dose record was not completed")
        resource: Resource = {
            "resourceType": "MedicationAdministration",
            "contained": [medication],
            "status": status,
            "medicationReference": {"reference": "#ketamine", "display": "Ketamine"},
            "subject": self.patient,
            "context": self.encounter_ref,
            **effective,
            "performer": performers,
            "note": [{"text": "; ".join(words)}],
            "dosage": dosage,
        }
        if not performers:
            del resource["performer"]
        return self.add("MedicationAdministration", f"{s.id}/ketamine", resource)

    def medications(self) -> None:
        effects = {e.id: e.display_name for e in self.summary.side_effects}
        for med in self.summary.medications:
            route = codes.ROUTES.get(med.route)
            dosage: Resource = {"dose": quantity(med.dose, codes.DOSE_UNITS[med.unit])}
            if route is not None:
                dosage["route"] = {"coding": [_coding(codes.SNOMED, *route)], "text": med.route}
            notes = []
            if med.side_effect_id in effects:
                notes.append(f"Given for: {effects[med.side_effect_id]}")
            if med.allergy_override_reason:
                notes.append(f"Given despite a recorded allergy: {med.allergy_override_reason}")
            if med.note:
                notes.append(med.note)
            resource: Resource = {
                "resourceType": "MedicationAdministration",
                "status": "completed",
                "medicationCodeableConcept": {"text": med.drug},
                "subject": self.patient,
                "context": self.encounter_ref,
                "effectiveDateTime": utc_text(med.given_at),
                "dosage": dosage,
            }
            who = self.person(med.given_by)
            if who:
                resource["performer"] = [{"actor": who}]
            if notes:
                resource["note"] = [{"text": text} for text in notes]
            self.add("MedicationAdministration", f"prn/{med.id}", resource)

    # -- AdverseEvents and the signature ------------------------------------------------------
    def side_effects(self, ketamine: str | None) -> None:
        for effect in self.summary.side_effects:
            outcome: Resource = {
                "coding": [
                    _coding(codes.AE_OUTCOME, "resolved" if effect.resolved_at else "ongoing")
                ]
            }
            if effect.resolved_at is not None:
                outcome["text"] = f"Resolved {utc_text(effect.resolved_at)}"
            resource: Resource = {
                "resourceType": "AdverseEvent",
                "actuality": "actual",
                "event": {
                    "coding": [_coding(codes.KETAMON_SIDE_EFFECTS, effect.kind_key, effect.label)],
                    "text": effect.display_name,
                },
                "subject": self.patient,
                "encounter": self.encounter_ref,
                "date": utc_text(effect.onset_at),
                "severity": {"coding": [_coding(codes.AE_SEVERITY, effect.severity.value)]},
                "outcome": outcome,
            }
            who = self.person(effect.entered_by)
            if who:
                resource["recorder"] = who
            if ketamine is not None:
                resource["suspectEntity"] = [{"instance": {"reference": ketamine}}]
            self.add("AdverseEvent", effect.id, resource)

    def provenance(self) -> None:
        signature = self.summary.signature
        if signature is None or not signature.valid:
            return  # unsigned, or the record changed after signing: nothing to attest
        who = self.refs.person(signature.signer, signature.printed_name)
        when = utc_text(signature.signed_at)
        resource = {
            "resourceType": "Provenance",
            "target": [{"reference": e["fullUrl"]} for e in self.entries],
            "recorded": when,
            "activity": {"text": signature.meaning},
            "agent": [
                {
                    "type": {"coding": [_coding(codes.PROVENANCE_AGENT, "verifier", "Verifier")]},
                    "who": who,
                }
            ],
            "signature": [
                {
                    "type": [
                        _coding(
                            codes.SIGNATURE_TYPE,
                            codes.VERIFICATION_SIGNATURE,
                            "Verification Signature",
                        )
                    ],
                    "when": when,
                    "who": who,
                }
            ],
        }
        self.add("Provenance", self.summary.session.id, resource)


def session_entries(refs: Refs, summary: SessionSummary) -> list[Entry]:
    """The session's resources (its Patient and Practitioners apart: see `Refs.people`)."""
    built = _Session(refs, summary)
    built.encounter_resource()
    for vs in summary.vitals:
        built.vitals(vs)
    built.scores()
    ketamine = built.ketamine()
    built.medications()
    built.side_effects(ketamine)
    built.provenance()
    return built.entries


def followup_entries(refs: Refs, patient: Patient, records: list[OutcomeRecord]) -> list[Entry]:
    """Questionnaires taken at a follow-up (no session): Observations without encounter."""
    built = _Entries(refs, patient.id, patient.full_name, None)
    for record in records:
        built.questionnaire(record)
    return built.entries
