"""Medications given during a session: list, give, void (with a reason).

Every value is re-validated here whatever the UI parsed; each call is one transaction and
its changes are on the audit trail (medication_given is audited field by field).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError, NotFound
from ketamon.domain.interventions import (
    Medication,
    MedicationDraft,
    require_void_reason,
    validate_medication,
)
from ketamon.domain.sessions import Phase
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.timers import derive_times
from ketamon.domain.users import Permission
from ketamon.services.base import Service, acting_user, retried
from ketamon.storage.models import MedicationRow, PatientRow, SideEffectRow, UserRow
from ketamon.storage.reads.medications import to_medication
from ketamon.storage.reads.sessions import events_of, load_session, require_unsigned
from ketamon.storage.reads.settings import load_settings

log = logging.getLogger(__name__)


class InterventionService(Service):
    def for_session(self, session_id: int) -> list[Medication]:
        """Every medication entry of a session, current and voided, in time order."""
        with self.db.transaction(write=False) as tx:
            rows = tx.scalars(
                select(MedicationRow)
                .where(MedicationRow.session_id == session_id)
                .order_by(MedicationRow.given_at, MedicationRow.id)
            )
            return [to_medication(r) for r in rows]

    @retried
    def give(self, actor: Actor, session_id: int, draft: MedicationDraft) -> Medication:
        """Record a medication given. Time defaults to now; the giver to the acting user,
        or another active user; the side effect treated must be a current one of this
        session. A drug named in the patient's allergies is refused (AllergyConflict)
        unless the draft carries the reason for giving it anyway, stored with the entry."""
        session_id = fields.record_id("session_id", session_id, label="Session")
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.CHART)
            require_unsigned(tx, session_id)
            owner = load_session(tx, session_id)
            if not Phase(owner.phase).active:
                raise DomainError(
                    f"This session is {Phase(owner.phase).label.lower()}: "
                    "no medication can be added"
                )
            now = self.now()
            patient = tx.get(PatientRow, owner.patient_id)
            assert patient is not None
            clean = validate_medication(
                draft,
                load_settings(tx).medication_choices,
                now=now,
                checked_in_at=derive_times(events_of(owner)).checked_in_at,
                allergies=patient.allergies or "",
            )
            given_by = clean.given_by or actor.username
            giver = tx.scalar(select(UserRow).where(UserRow.username == given_by))
            if giver is None or not giver.active:
                raise FieldError("given_by", "Given by must be an active user of this clinic")
            if clean.side_effect_id is not None:
                _check_side_effect(tx, session_id, clean.side_effect_id)
            row = MedicationRow(
                session_id=session_id,
                drug=clean.drug,
                dose=clean.dose,
                unit=clean.unit,
                route=clean.route,
                given_at=clean.given_at,
                given_by=given_by,
                side_effect_id=clean.side_effect_id,
                note=clean.note,
                entered_by=actor.username,
                entered_at=now,
                status=RecordStatus.CURRENT.value,
                status_reason="",
                allergy_override_reason=clean.allergy_override_reason,
            )
            tx.add(row)
            tx.flush()
            log.info("session %d: medication %d by %s", session_id, row.id, actor.username)
            return to_medication(row)

    @retried
    def void(self, actor: Actor, med_id: int, reason: str) -> Medication:
        clean = require_void_reason(reason)
        with self.db.transaction(audit=self.audit(actor, clean)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = tx.get(
                MedicationRow,
                fields.record_id("med_id", med_id, label="Entry"),
                with_for_update=True,  # voided on two workstations at once: once
            )
            if row is None:
                raise NotFound(f"Medication entry {med_id} not found")
            require_unsigned(tx, row.session_id)
            if row.status != RecordStatus.CURRENT.value:
                raise DomainError("This medication entry was already voided")
            row.status, row.status_reason = RecordStatus.VOIDED.value, clean
            tx.flush()
            return to_medication(row)


def _check_side_effect(tx: Session, session_id: int, effect_id: int) -> None:
    effect = tx.get(SideEffectRow, effect_id)
    if effect is None or effect.session_id != session_id:
        raise FieldError("side_effect_id", "The side effect treated must be one of this session")
    if effect.status != RecordStatus.CURRENT.value:
        raise FieldError("side_effect_id", "That side effect entry was voided: choose another")
