"""One object per use case, built once per signed-in actor and used by every screen that
offers it (the tile, the session window, its Interventions tab, the review list), so the
same action cannot be wired twice and drift (issue 14: the MOAA/S popup graded by the
clinic's bands from the session window, by the defaults from the tile).

Each use case carries what its dialog needs (the bands, the settings, the clock), calls the
service as the signed-in user, and runs as one action on the clinic's change channel with
the screen that started it as the initiator (`initiator=`): the change is published once,
the initiator is not refreshed twice. Screens receive these objects; they do not build
service calls of their own for these writes.

    vitals.py        RecordVitals (the entry popup), CorrectVitals (correct, void)
    side_effects.py  SideEffects (the list dialog), PhysicianDecision
    infusion.py      Infusion (start ... cancel), Medications, DoseRecording
    patients.py      CheckIn (register, check in), CorrectPatient
    discharge.py     Discharge (the checklist)
    signing.py       Signing (sign, addenda)
    outcomes.py      Outcomes (questionnaires, the item-9 review)
    courses.py       Courses (the patient's plan, closing a course, a follow-up visit)
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from ketamon.domain.actors import Actor
from ketamon.services.changes import Action
from ketamon.services.clinic import Clinic
from ketamon.ui.actions.courses import Courses
from ketamon.ui.actions.discharge import Discharge
from ketamon.ui.actions.infusion import DoseRecording, Infusion, Medications
from ketamon.ui.actions.outcomes import Outcomes
from ketamon.ui.actions.patients import CheckIn, CorrectPatient
from ketamon.ui.actions.side_effects import PhysicianDecision, SideEffects
from ketamon.ui.actions.signing import Signing
from ketamon.ui.actions.vitals import CorrectVitals, RecordVitals

T = TypeVar("T")

__all__ = [
    "CheckIn",
    "CorrectPatient",
    "CorrectVitals",
    "Courses",
    "Discharge",
    "DoseRecording",
    "Infusion",
    "Medications",
    "Outcomes",
    "PhysicianDecision",
    "RecordVitals",
    "SideEffects",
    "Signing",
    "UseCases",
]


class UseCases:
    """The use cases of one signed-in actor over one clinic."""

    def __init__(self, clinic: Clinic, actor: Actor) -> None:
        self.clinic, self.actor = clinic, actor
        self.record_vitals = RecordVitals(clinic, actor)
        self.correct_vitals = CorrectVitals(clinic, actor)
        self.side_effects = SideEffects(clinic, actor)
        self.physician_decision = PhysicianDecision(clinic, actor)
        self.infusion = Infusion(clinic, actor)
        self.medications = Medications(clinic, actor)
        self.dose = DoseRecording(clinic, actor)
        self.check_in = CheckIn(clinic, actor)
        self.correct_patient = CorrectPatient(clinic, actor)
        self.discharge = Discharge(clinic, actor, self.physician_decision)
        self.signing = Signing(clinic, actor)
        self.outcomes = Outcomes(clinic, actor)
        self.courses = Courses(clinic, actor)

    def initiated_by(self, initiator: object | None) -> AbstractContextManager[Action]:
        """The changes made inside are one action, started by `initiator`."""
        return self.clinic.changes.initiated_by(initiator)

    def act(self, initiator: object | None, call: Callable[[], T]) -> T:
        with self.initiated_by(initiator):
            return call()
