"""A finished session with many vitals sets, discharged through the checklist."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ketamon.domain.discharge import DischargeAnswers, Escort, IvSite, Nausea
from ketamon.domain.interventions import MedicationDraft
from ketamon.domain.side_effects import Severity
from ketamon.domain.vitals import VitalsDraft
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    draft,
    plan_dose,
    plan_escort,
)

ESCORT = Escort("Luis Gonzalez", "Brother", "(212) 555-0143", True)
ANSWERS = DischargeAnswers(True, True, Nausea.MINIMAL, 2, IvSite.REMOVED_INTACT, True, ESCORT)


def discharged_session(
    clinic, clock, *, sets: int = 40, phq9: list[int] | None = None, patient=None
):
    """A session with `sets` vitals sets (1 baseline + infusion + recovery), discharged;
    with a PHQ-9 answered before the infusion when `phq9` gives its answers; for Maria
    Gonzalez, registered here, or for `patient`."""
    patient = patient or clinic.patients.register(NURSE, draft("KM-20001", "Maria Gonzalez"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id, sedation=5)
    plan_dose(clinic, s.id)
    if phq9 is not None:
        clinic.outcomes.record(NURSE, s.id, "PHQ-9", phq9)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    started = clock()
    clinic.dose.plan(NURSE, s.id, 72.5, 0.5, 10, "LOT-4411")
    clock.advance(minutes=1)
    nausea = clinic.side_effects.tick(NURSE, s.id, "nausea", severity=Severity.MODERATE)
    clinic.interventions.give(
        NURSE, s.id, MedicationDraft("ondansetron", 4, "mg", "IV", side_effect_id=nausea.id)
    )
    for i in range(sets - 2):
        clock.advance(minutes=2)
        if i == min(20, sets // 2):
            clock.advance(max(timedelta(0), started + timedelta(minutes=40) - clock()))
            clinic.sessions.stop(NURSE, s.id)  # at the 40-minute target
        values = dict(
            systolic=120 + i % 30, diastolic=75 + i % 10, heart_rate=70 + i % 15, spo2=97,
            resp_rate=14, sedation=4 if i < 10 else 5,
        )  # fmt: skip
        clinic.vitals.record(NURSE, s.id, VitalsDraft(**values))
    clinic.side_effects.resolve(NURSE, nausea.id)
    clock.advance(minutes=30)
    clinic.vitals.record(NURSE, s.id, VitalsDraft(124, 78, 72, 98, 14, sedation=5))
    if "witness.kim" not in {u.username for u in clinic.users.all()}:
        add_user(clinic, "witness.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    clinic.dose.complete(NURSE, s.id, 36.0, 0.25, "witness.kim", PASSWORD)
    clinic.discharge.save_answers(NURSE, s.id, ANSWERS)
    clinic.discharge.discharge(NURSE, s.id)
    return s


@pytest.fixture
def finished(clinic, clock):
    return discharged_session(clinic, clock)
