"""Check-in and the infusion's life: start, pause, resume, stop, cancel.

Each action is one transaction that appends an event; the phase column and the
active_* columns follow the events so the database can enforce one session per chair
and per patient, and review_status follows the domain's rule (an ended session awaits
review). Discharge is not here: it goes through services/discharge.py, whose checklist or
against-advice record gives the domain's DischargeDecision that the transition requires.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.board import SessionSnapshot
from ketamon.domain.discharge import Escort, has_escort_plan
from ketamon.domain.dose import has_plan
from ketamon.domain.errors import NotFound
from ketamon.domain.sessions import (
    EventKind,
    check_event_time,
    check_stop,
    replay,
    transition,
    validate_rate,
)
from ketamon.domain.start import StartCheck, start_note
from ketamon.domain.start import StartNeedsDecision as StartNeedsDecision  # start() raises it
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.timers import derive_times
from ketamon.domain.users import Permission
from ketamon.domain.vitals import VitalPhase, check_start
from ketamon.services.base import Service, acting_user, retried
from ketamon.services.discharge import keep_escort_plan
from ketamon.services.outcomes import before_start
from ketamon.storage.models import (
    SessionRow,
    VitalsRow,
)
from ketamon.storage.reads.discharge import escort_plan_of, patient_name_of
from ketamon.storage.reads.dose import dose_of
from ketamon.storage.reads.sessions import events_of, load_session, to_snapshot, with_events
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.reads.vitals import scale2_of, to_set
from ketamon.storage.writes import append_event, check_in_row

log = logging.getLogger(__name__)


class SessionService(Service):
    def get(self, session_id: int) -> SessionSnapshot:
        with self.db.transaction(write=False) as tx:
            return to_snapshot(tx, load_session(tx, session_id))

    @retried
    def check_in(
        self,
        actor: Actor,
        chair_id: int,
        patient_id: int,
        target_minutes: int,
        escort: Escort | None = None,
    ) -> SessionSnapshot:
        """Check the patient in to the chair; with `escort`, the escort plan confirmed at
        the chair kept in the same transaction (refused, nothing is checked in)."""
        with self.db.transaction(audit=self.audit(actor, "")) as tx:
            acting_user(tx, actor, Permission.CHART)
            settings = load_settings(tx)
            row = check_in_row(
                tx, settings, actor, chair_id, patient_id, target_minutes, self.now()
            )
            if escort is not None:
                tx.flush()  # the check-in's rows audited as such, the plan's as the plan
                tx.info["audit"] = self.audit(actor, "escort plan")
                keep_escort_plan(tx, row, actor, escort, self.now())
            log.info("session %d: check_in at chair %d by %s", row.id, chair_id, actor.username)
            return self._reload(tx, row.id)

    @retried
    def start(
        self,
        actor: Actor,
        session_id: int,
        *,
        no_plan_reason: str = "",
        no_escort_reason: str = "",
        no_questionnaire_reason: str = "",
        no_baseline_reason: str = "",
        high_bp_confirmed: bool = False,
    ) -> SessionSnapshot:
        """Start the infusion (domain.start). Without a dose plan it is refused unless the
        nurse gives a reason to start without one; the same without an escort plan (name,
        relationship, phone of who takes the patient home); the same when the clinic's
        questionnaires (setting) were not asked in this session; without a baseline set in
        the last 30 minutes (setting) unless the nurse gives a reason; a baseline BP above 140/90
        (setting) must be confirmed. Each decision is recorded with the start: who, when,
        why."""
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = tx.scalar(
                with_events().where(
                    SessionRow.id == fields.record_id("session_id", session_id, label="Session")
                )
            )
            if row is None:
                raise NotFound(f"Session {session_id} not found")
            transition(replay(events_of(row)), EventKind.START)  # "already started" comes first
            reason = start_note(
                self._start_check(tx, row.id),
                no_plan_reason=no_plan_reason,
                no_escort_reason=no_escort_reason,
                no_questionnaire_reason=no_questionnaire_reason,
                no_baseline_reason=no_baseline_reason,
                high_bp_confirmed=high_bp_confirmed,
            )
            tx.info["audit"] = self.audit(actor, reason)
            append_event(tx, row, EventKind.START, actor, self.now(), reason)
            log.info("session %d: start by %s", row.id, actor.username)
            return self._reload(tx, row.id)

    def start_check(self, session_id: int) -> StartCheck:
        """What starting now would ask of the nurse (the UI asks before trying)."""
        with self.db.transaction(write=False) as tx:
            return self._start_check(tx, session_id)

    def _start_check(self, tx: Session, session_id: int) -> StartCheck:
        settings = load_settings(tx)
        scale2 = scale2_of(tx, [session_id]).get(session_id, False)
        item9_stop, awaiting, missing = before_start(tx, session_id, settings.outcome_instruments)
        rows = tx.scalars(
            select(VitalsRow).where(
                VitalsRow.session_id == session_id,
                VitalsRow.phase == VitalPhase.BASELINE.value,
                VitalsRow.status == RecordStatus.CURRENT.value,
            )
        )
        baseline = check_start(
            [to_set(r, settings.bands, chart=settings.news2_chart, scale2=scale2) for r in rows],
            self.now(),
            warning_bp=settings.baseline_bp_warning,
            max_age_minutes=settings.baseline_max_age_minutes,
        )
        return StartCheck(
            baseline,
            dose_planned=has_plan(dose_of(tx, session_id)),
            escort_planned=has_escort_plan(
                escort_plan_of(tx, session_id),
                settings.phone_region,
                patient_name_of(tx, session_id),
            ),
            item9_stop=item9_stop,
            item9_awaiting_review=awaiting,
            questionnaires_missing=missing,
        )

    @retried
    def pause(self, actor: Actor, session_id: int, reason: str) -> SessionSnapshot:
        return self._act(actor, session_id, EventKind.PAUSE, reason)

    @retried
    def resume(self, actor: Actor, session_id: int) -> SessionSnapshot:
        return self._act(actor, session_id, EventKind.RESUME)

    @retried
    def stop(self, actor: Actor, session_id: int, reason: str = "") -> SessionSnapshot:
        """Stop the infusion; before the target duration (paused time not counted) a
        reason is required, at or after it none is."""
        return self._act(actor, session_id, EventKind.STOP, reason)

    @retried
    def rate_change(
        self, actor: Actor, session_id: int, rate_ml_h: float, reason: str
    ) -> SessionSnapshot:
        """A new pump rate (mL/h) with its reason; the phase and the timers are unchanged."""
        return self._act(actor, session_id, EventKind.RATE_CHANGE, reason, rate_ml_h)

    @retried
    def cancel(self, actor: Actor, session_id: int, reason: str) -> SessionSnapshot:
        return self._act(actor, session_id, EventKind.CANCEL, reason)

    def _act(
        self,
        actor: Actor,
        session_id: int,
        kind: EventKind,
        reason: str = "",
        rate_ml_h: float | None = None,
    ) -> SessionSnapshot:
        reason = fields.optional_reason(reason)
        session_id = fields.record_id("session_id", session_id, label="Session")
        if kind is EventKind.RATE_CHANGE:
            rate_ml_h = validate_rate(rate_ml_h)
        with self.db.transaction(audit=self.audit(actor, reason)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = tx.scalar(with_events().where(SessionRow.id == session_id))
            if row is None:
                raise NotFound(f"Session {session_id} not found")
            now = self.now()
            if kind is EventKind.STOP:
                events = events_of(row)
                transition(replay(events), kind, reason)  # "not started" comes first
                check_event_time(events, now)
                times = derive_times(events)
                check_stop(times.infusion_elapsed(now), row.target_minutes, reason)
            append_event(tx, row, kind, actor, now, reason, rate_ml_h=rate_ml_h)
            log.info("session %d: %s by %s", row.id, kind.value, actor.username)
            return self._reload(tx, row.id)

    @staticmethod
    def _reload(tx: Session, session_id: int) -> SessionSnapshot:
        row = tx.scalar(
            with_events()
            .where(SessionRow.id == session_id)
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return to_snapshot(tx, row)
