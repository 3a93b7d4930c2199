"""Patient registration, correction (with a reason) and search."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.errors import NotFound, ValidationErrors
from ketamon.domain.patients import (
    Patient,
    PatientDraft,
    correction,
    require_correction_reason,
    search_order,
    search_words,
    validate_new_patient,
)
from ketamon.domain.taken import mrn_taken
from ketamon.domain.users import Permission
from ketamon.services.base import Service, acting_user, retried
from ketamon.storage.models import PatientRow
from ketamon.storage.reads.patients import search_candidates, to_patient
from ketamon.storage.reads.users import user_names
from ketamon.storage.versions import require_version

log = logging.getLogger(__name__)


class PatientService(Service):
    @retried
    def register(self, actor: Actor, draft: PatientDraft) -> Patient:
        clean = validate_new_patient(draft, self.now().astimezone().date())  # the clinic's today
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.CHART)
            clash = tx.scalar(
                select(PatientRow).where(func.lower(PatientRow.mrn) == func.lower(clean.mrn))
            )
            if clash is not None:
                by = user_names(tx).get(clash.created_by, clash.created_by)
                words = mrn_taken(clash.mrn, clash.full_name, by, clash.created_at, self.now())
                raise ValidationErrors({"mrn": words})
            row = PatientRow(
                mrn=clean.mrn,
                full_name=clean.full_name,
                date_of_birth=clean.date_of_birth,
                weight_kg=clean.weight_kg,
                allergies=clean.allergies,
                no_known_allergies=clean.no_known_allergies,
                spo2_scale2=clean.spo2_scale2,
                created_at=self.now(),
                created_by=actor.username,
            )
            tx.add(row)
            tx.flush()
            log.info("patient %d registered by %s", row.id, actor.username)
            return to_patient(row)

    @retried
    def correct(
        self,
        actor: Actor,
        patient_id: int,
        draft: PatientDraft,
        reason: str,
        *,
        version: int | None = None,
    ) -> Patient:
        """Correct the patient's name, date of birth, registered weight, allergies (or the
        "No known drug allergies" answer) or SpO2 scale 2, with a required reason. The
        values are checked as at registration; the trail keeps each old value with the
        reason. A past session's dose keeps the weight it was planned with (its own).

        `version`: the Patient.version the form loaded; a correction of details saved since
        on another workstation is refused (StaleRecord), nothing written."""
        clean_reason = require_correction_reason(reason)
        patient_id = fields.record_id("patient_id", patient_id, label="Patient")
        today = self.now().astimezone().date()
        with self.db.transaction(audit=self.audit(actor, clean_reason)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = require_version(tx, PatientRow, patient_id, version)
            if row is None:
                raise NotFound(f"Patient {patient_id} not found")
            for key, value in correction(to_patient(row), draft, today).items():
                setattr(row, key, value)
            tx.flush()
            log.info("patient %d corrected by %s", row.id, actor.username)
            return to_patient(row)

    def get(self, patient_id: int) -> Patient:
        with self.db.transaction(write=False) as tx:
            row = tx.get(PatientRow, patient_id)
            if row is None:
                raise NotFound(f"Patient {patient_id} not found")
            return to_patient(row)

    def search(self, text: str, limit: int = 25) -> list[Patient]:
        """Patients whose MRN starts with, or whose name contains, the text (every word of
        it; % and _ are literal characters, control characters separate words), ranked by
        the domain (`search_order`): name prefixes first, then MRN prefixes, then the rest;
        ties by surname, given names."""
        words = search_words(text)
        limit = fields.integer("limit", limit, 1, 1000, label="Search limit")
        if not words:
            return []
        with self.db.transaction(write=False) as tx:
            candidates = search_candidates(tx, words)
        return search_order(words, candidates)[:limit]
