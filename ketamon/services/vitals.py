"""Vitals sets: record, correct, void (with a reason), acknowledge red values, list.

Every value is re-validated here whatever the UI parsed; each call is one transaction and
its changes are on the audit trail.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError, NotFound
from ketamon.domain.sessions import Phase
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.timers import derive_times
from ketamon.domain.users import Permission
from ketamon.domain.vitals import (
    MEASURES,
    Band,
    Grade,
    VitalPhase,
    VitalsDraft,
    VitalsSet,
    patient_bands,
    validate_draft,
    vital_phase,
)
from ketamon.services.base import Service, acting_user, retried
from ketamon.storage.models import VitalsRow
from ketamon.storage.reads.sessions import events_of, load_session, require_unsigned
from ketamon.storage.reads.settings import load_grading
from ketamon.storage.reads.users import user_names
from ketamon.storage.reads.vitals import graded, scale2_of, to_set

log = logging.getLogger(__name__)


class VitalsService(Service):
    def for_session(self, session_id: int) -> list[VitalsSet]:
        """Every set of a session, current, corrected and voided, in time order."""
        with self.db.transaction(write=False) as tx:
            (bands, chart), names = load_grading(tx), user_names(tx)
            scale2 = scale2_of(tx, [session_id]).get(session_id, False)
            rows = tx.scalars(
                select(VitalsRow)
                .where(VitalsRow.session_id == session_id)
                .order_by(VitalsRow.taken_at, VitalsRow.id)
            )
            return [to_set(r, bands, names, chart, scale2=scale2) for r in rows]

    def bands(self, session_id: int) -> dict[str, Band]:
        """The bands this session's values are shown against: the clinic's, with SpO2 on
        NEWS2 scale 2 (on air) when the patient is on scale 2."""
        with self.db.transaction(write=False) as tx:
            scale2 = scale2_of(tx, [session_id]).get(session_id, False)
            return patient_bands(*load_grading(tx), scale2=scale2)

    @retried
    def record(
        self,
        actor: Actor,
        session_id: int,
        draft: VitalsDraft,
        taken_at: datetime | None = None,
        *,
        pre_discharge: bool = False,
    ) -> VitalsSet:
        clean = validate_draft(draft)
        when = fields.optional_datetime("taken_at", taken_at, label="Time taken")
        fields.flag(
            VitalPhase.PRE_DISCHARGE.value,
            pre_discharge,
            label=f"{VitalPhase.PRE_DISCHARGE.label} set",
        )
        with self.db.transaction(audit=self.audit(actor)) as tx:
            user = acting_user(tx, actor, Permission.CHART)
            row = self._new_row(tx, actor, session_id, clean, when, pre_discharge)
            log.info("session %d: vitals set %d by %s", session_id, row.id, actor.username)
            return graded(tx, row, {user.username: user.display_name})

    @retried
    def correct(
        self,
        actor: Actor,
        set_id: int,
        draft: VitalsDraft,
        reason: str,
        taken_at: datetime | None = None,
    ) -> VitalsSet:
        clean = validate_draft(draft)
        why = _require_reason(reason)
        when = fields.optional_datetime("taken_at", taken_at, label="Time taken")
        with self.db.transaction(audit=self.audit(actor, why)) as tx:
            user = acting_user(tx, actor, Permission.CHART)
            old = self._current(tx, set_id)
            old.status, old.status_reason = RecordStatus.CORRECTED.value, why
            tx.flush()
            new = self._new_row(
                tx,
                actor,
                old.session_id,
                clean,
                when or old.taken_at,
                old.phase == VitalPhase.PRE_DISCHARGE.value,
                corrects=old,
            )
            return graded(tx, new, {user.username: user.display_name})

    @retried
    def void(self, actor: Actor, set_id: int, reason: str) -> VitalsSet:
        why = _require_reason(reason)
        with self.db.transaction(audit=self.audit(actor, why)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = self._current(tx, set_id)
            row.status, row.status_reason = RecordStatus.VOIDED.value, why
            return graded(tx, row, user_names(tx))

    @retried
    def acknowledge(self, actor: Actor, set_id: int) -> VitalsSet:
        """A nurse has seen the red values of this set (who and when are kept)."""
        with self.db.transaction(audit=self.audit(actor, "red values acknowledged")) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = self._current(tx, set_id)
            if graded(tx, row).worst is not Grade.RED:
                raise DomainError("This set has no red values to acknowledge")
            if row.acknowledged_by is None:
                row.acknowledged_by, row.acknowledged_at = actor.username, self.now()
            return graded(tx, row, user_names(tx))

    # -- helpers -----------------------------------------------------------------------------
    def _new_row(
        self,
        tx: Session,
        actor: Actor,
        session_id: int,
        clean: VitalsDraft,
        taken_at: datetime | None,
        pre_discharge: bool,
        corrects: VitalsRow | None = None,
    ) -> VitalsRow:
        owner = load_session(tx, fields.record_id("session_id", session_id, label="Session"))
        require_unsigned(tx, session_id, owner=owner)
        if corrects is None and not Phase(owner.phase).active:
            raise DomainError(
                f"This session is {Phase(owner.phase).label.lower()}: "
                "correct an existing set instead"
            )
        now = self.now()
        when = taken_at if taken_at is not None else now  # aware UTC (checked by the caller)
        if when > now:
            raise FieldError("taken_at", "Time taken cannot be in the future")
        times = derive_times(events_of(owner))
        if when < times.checked_in_at:
            raise FieldError("taken_at", "Time taken cannot be before the patient checked in")
        row = VitalsRow(
            session_id=session_id,
            taken_at=when,
            phase=vital_phase(
                times.started_at, times.ended_at, when, pre_discharge=pre_discharge
            ).value,
            **{k: getattr(clean, k) for k in MEASURES},
            note=clean.note,
            oxygen=clean.oxygen,
            entered_by=actor.username,
            entered_at=now,
            status=RecordStatus.CURRENT.value,
            corrects_id=corrects.id if corrects is not None else None,
            status_reason="",
        )
        tx.add(row)
        tx.flush()
        return row

    @staticmethod
    def _current(tx: Session, set_id: int) -> VitalsRow:
        row = tx.get(
            VitalsRow,
            fields.record_id("set_id", set_id, label="Vitals set"),
            with_for_update=True,  # a second workstation correcting it at once waits here
        )
        if row is None:
            raise NotFound(f"Vitals set {set_id} not found")
        require_unsigned(tx, row.session_id)
        if row.status != RecordStatus.CURRENT.value:
            raise DomainError(f"This set was already {row.status}; change the current one")
        return row


def _require_reason(reason: object) -> str:
    return fields.reason(reason, missing="A reason is required to correct or void a vitals set")
