"""Patients: register and check in (the board's check-in dialog), correct the details (the
session window)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ketamon.domain.board import SessionSnapshot
from ketamon.domain.discharge import Escort
from ketamon.domain.patients import Patient, PatientDraft
from ketamon.ui.actions.base import UseCase
from ketamon.ui.dialogs.patient_form import EditPatientDialog


class CheckIn(UseCase):
    """Find or register a patient, check them in to a chair with their escort plan."""

    def search(self, text: str) -> list[Patient]:
        return self.clinic.patients.search(text)

    def register(self, draft: PatientDraft, *, initiator: object | None = None) -> Patient:
        return self.act(initiator, lambda: self.clinic.patients.register(self.actor, draft))

    def check_in(
        self,
        chair_id: int,
        patient_id: int,
        target_minutes: int,
        escort: Escort | None = None,
        *,
        initiator: object | None = None,
    ) -> SessionSnapshot:
        """Check in with the escort plan (validated by the dialog beforehand too): one
        transaction, one change."""
        return self.act(
            initiator,
            lambda: self.clinic.sessions.check_in(
                self.actor, chair_id, patient_id, target_minutes, escort
            ),
        )


class CorrectPatient(UseCase):
    """Correct a patient's details with a reason (the old values stay in History)."""

    def correct(
        self,
        patient_id: int,
        draft: PatientDraft,
        reason: str,
        *,
        version: int | None = None,
        initiator: object | None = None,
    ) -> Patient:
        """`version`: the Patient.version the form loaded (a stale one: StaleRecord)."""
        return self.act(
            initiator,
            lambda: self.clinic.patients.correct(
                self.actor, patient_id, draft, reason, version=version
            ),
        )

    def reload(self, patient_id: int) -> Callable[[], Patient]:
        """The patient as stored now (the form reloads it after a stale refusal)."""
        return lambda: self.clinic.patients.get(patient_id)

    def ask(
        self, parent: QWidget | None, patient: Patient, *, initiator: object | None = None
    ) -> Patient | None:
        """The correction form for `patient` (a reason is required); the corrected patient,
        or None. The same form from the session window and from the patient's page."""
        patient_id = patient.id
        corrected: Patient | None = EditPatientDialog.ask(
            parent,
            patient,
            lambda draft, reason, version: self.correct(
                patient_id, draft, reason, version=version, initiator=initiator
            ),
            self.reload(patient_id),
        )
        return corrected
