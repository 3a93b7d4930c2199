"""Check-in and the infusion's life: start, pause, resume, stop, cancel.

Each action is one transaction that appends an event; the phase column and the
active_* columns follow the events so the database can enforce one session per chair
and per patient, and review_status follows the domain's rule (an ended session awaits
review). Discharge is not here: it goes through services/discharge.py, whose checklist or
against-advice record gives the domain's DischargeDecision that the transition requires.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.board import Chair, SessionSnapshot
from ketamon.domain.courses import next_session_place
from ketamon.domain.discharge import DischargeDecision
from ketamon.domain.dose import has_plan
from ketamon.domain.errors import DomainError, NotFound
from ketamon.domain.review import review_status_after
from ketamon.domain.sessions import (
    EventKind,
    Phase,
    SessionEvent,
    check_event_time,
    check_stop,
    replay,
    transition,
    validate_rate,
)
from ketamon.domain.settings import ClinicSettings, validate_target_minutes
from ketamon.domain.start import StartCheck, start_note
from ketamon.domain.start import StartNeedsDecision as StartNeedsDecision  # start() raises it
from ketamon.domain.timers import derive_times
from ketamon.domain.users import Permission
from ketamon.domain.vitals import VitalPhase, check_start
from ketamon.services.base import Service, acting_user
from ketamon.services.chairs import active_chairs
from ketamon.services.dose import to_record
from ketamon.services.settings import load_settings
from ketamon.storage.models import (
    ChairRow,
    CourseRow,
    DoseRecordRow,
    PatientRow,
    SessionEventRow,
    SessionRow,
    VitalsRow,
)


@dataclass(frozen=True)
class Board:
    """Everything the chair board shows, read in one transaction."""

    chairs: tuple[Chair, ...]
    sessions: dict[int, SessionSnapshot]  # chair id -> active session
    settings: ClinicSettings
    vitals: dict = field(default_factory=dict)  # session id -> vitals.VitalsSummary
    side_effects: dict = field(default_factory=dict)  # session id -> SideEffectSummary
    doses: dict = field(default_factory=dict)  # session id -> DoseRecord (planned ones only)


def _events(row: SessionRow) -> tuple[SessionEvent, ...]:
    return tuple(
        SessionEvent(EventKind(e.kind), e.at, e.actor, e.reason, e.rate_ml_h) for e in row.events
    )


def _snapshot(session: Session, row: SessionRow) -> SessionSnapshot:
    patient = session.get(PatientRow, row.patient_id)
    chair = session.get(ChairRow, row.chair_id)
    course = session.get(CourseRow, row.course_id)
    assert patient and chair and course
    return SessionSnapshot(
        id=row.id,
        chair_id=row.chair_id,
        chair_name=chair.name,
        patient_id=row.patient_id,
        patient_name=patient.full_name,
        mrn=patient.mrn,
        course_kind=course.kind,
        number_in_course=row.number_in_course,
        course_length=course.planned_sessions or 0,
        target_minutes=row.target_minutes,
        phase=Phase(row.phase),
        events=_events(row),
    )


def _with_events():  # noqa: ANN202
    return select(SessionRow).options(selectinload(SessionRow.events))


def load_session(session: Session, session_id: int, *, fresh: bool = False) -> SessionRow:
    """The session row with its events loaded, or NotFound. `fresh` re-reads rows already
    in the unit of work (after events were appended in the same transaction)."""
    session_id = fields.record_id("session_id", session_id, label="Session")
    query = _with_events().where(SessionRow.id == session_id)
    if fresh:
        query = query.execution_options(populate_existing=True)
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"Session {session_id} not found")
    return row


def check_in_row(
    session: Session,
    settings: ClinicSettings,
    actor: Actor,
    chair_id: int,
    patient_id: int,
    target_minutes: int,
    at: datetime,
) -> SessionRow:
    """Create a checked-in session (shared by the service and the demo seeder)."""
    target_minutes = validate_target_minutes(target_minutes)
    chair_id = fields.record_id("chair_id", chair_id, label="Chair")
    patient_id = fields.record_id("patient_id", patient_id, label="Patient")
    chair = session.get(ChairRow, chair_id)
    if chair is None or chair.retired_at is not None:
        raise DomainError("That chair is not in use")
    patient = session.get(PatientRow, patient_id)
    if patient is None:
        raise NotFound(f"Patient {patient_id} not found")
    occupant = session.scalar(select(SessionRow).where(SessionRow.active_chair_id == chair_id))
    if occupant is not None:
        raise DomainError(f"{chair.name} already has a patient; one active session per chair")
    elsewhere = session.scalar(
        select(ChairRow.name)
        .join(SessionRow, SessionRow.chair_id == ChairRow.id)
        .where(SessionRow.active_patient_id == patient_id)
    )
    if elsewhere is not None:
        raise DomainError(f"{patient.full_name} is already checked in at {elsewhere}")
    course = session.scalar(
        select(CourseRow)
        .where(CourseRow.patient_id == patient_id)
        .order_by(CourseRow.started_at.desc(), CourseRow.id.desc())
        .limit(1)
    )
    completed = 0
    if course is not None:
        completed = (
            session.scalar(
                select(func.count(SessionRow.id)).where(
                    SessionRow.course_id == course.id, SessionRow.phase != Phase.CANCELLED.value
                )
            )
            or 0
        )
    place = next_session_place(
        course.kind if course else None, course.planned_sessions if course else None, completed
    )
    if place.new_course:
        course = CourseRow(
            patient_id=patient_id,
            kind=place.kind,
            planned_sessions=settings.initial_course_length if place.kind == "initial" else None,
            started_at=at,
        )
        session.add(course)
        session.flush()
    assert course is not None
    row = SessionRow(
        patient_id=patient_id,
        chair_id=chair_id,
        course_id=course.id,
        number_in_course=place.number,
        target_minutes=target_minutes,
        phase=Phase.CHECKED_IN.value,
        checked_in_at=at,
        active_chair_id=chair_id,
        active_patient_id=patient_id,
    )
    session.add(row)
    session.flush()
    session.add(
        SessionEventRow(
            session_id=row.id,
            seq=1,
            kind=EventKind.CHECK_IN.value,
            at=at,
            actor=actor.username,
            reason="",
            recorded_at=at,
        )
    )
    session.flush()
    return row


def append_event(
    session: Session,
    row: SessionRow,
    kind: EventKind,
    actor: Actor,
    at: datetime,
    reason: str = "",
    recorded_at: datetime | None = None,
    rate_ml_h: float | None = None,
) -> None:
    """Apply one action to a session row, refusing what the rules forbid."""
    append_events(session, row, actor, [(kind, at, reason, rate_ml_h)], recorded_at)


def append_events(
    session: Session,
    row: SessionRow,
    actor: Actor,
    actions: Iterable[tuple],
    recorded_at: datetime | None = None,
    *,
    decision: DischargeDecision | None = None,
) -> None:
    """Apply (kind, at, reason[, rate_ml_h]) actions in order, each checked as append_event
    checks it. A discharge among them needs the domain's `decision` (and takes its reason).

    One flush for all of them: the demo seeder writes whole past sessions this way.
    row.events must be loaded; it is expired afterwards.
    """
    events = list(_events(row))
    state = replay(events)
    for kind, at, reason, *rest in actions:
        rate = rest[0] if rest else None
        check_event_time(events, at)
        state = transition(state, kind, reason, decision=decision)
        if kind is EventKind.DISCHARGE and decision is not None:
            reason = decision.reason
        if kind is EventKind.RATE_CHANGE:
            rate = validate_rate(rate)
        event = SessionEvent(kind, at, actor.username, reason.strip(), rate)
        session.add(
            SessionEventRow(
                session_id=row.id,
                seq=len(events) + 1,
                kind=kind.value,
                at=at,
                actor=event.actor,
                reason=event.reason,
                recorded_at=recorded_at or at,
                rate_ml_h=event.rate_ml_h,
            )
        )
        events.append(event)
    row.phase = state.phase.value
    if not state.phase.active:
        row.active_chair_id = None
        row.active_patient_id = None
    queued = review_status_after(state.phase)
    row.review_status = queued.value if queued else None
    session.flush()
    session.expire(row, ["events"])


log = logging.getLogger(__name__)


class SessionService(Service):
    def board(self) -> Board:
        with self.db.transaction(write=False) as session:
            from ketamon.services import side_effects  # they build on sessions
            from ketamon.services.vitals import summaries

            rows = session.scalars(_with_events().where(SessionRow.active_chair_id.is_not(None)))
            snapshots = {r.chair_id: _snapshot(session, r) for r in rows}
            settings = load_settings(session)
            ids = [s.id for s in snapshots.values()]
            vitals = summaries(session, ids, settings.bands)
            effects = side_effects.summaries(session, ids)
            plans = session.scalars(select(DoseRecordRow).where(DoseRecordRow.session_id.in_(ids)))
            return Board(
                tuple(active_chairs(session)),
                snapshots,
                settings,
                vitals,
                side_effects=effects,
                doses={r.session_id: to_record(r) for r in plans},
            )

    def get(self, session_id: int) -> SessionSnapshot:
        with self.db.transaction(write=False) as session:
            return _snapshot(session, load_session(session, session_id))

    def check_in(
        self, actor: Actor, chair_id: int, patient_id: int, target_minutes: int
    ) -> SessionSnapshot:
        with self.db.transaction(audit=self.audit(actor, "")) as session:
            acting_user(session, actor, Permission.CHART)
            settings = load_settings(session)
            row = check_in_row(
                session, settings, actor, chair_id, patient_id, target_minutes, self.now()
            )
            log.info("session %d: check_in at chair %d by %s", row.id, chair_id, actor.username)
            return self._reload(session, row.id)

    def start(
        self,
        actor: Actor,
        session_id: int,
        *,
        no_plan_reason: str = "",
        no_baseline_reason: str = "",
        high_bp_confirmed: bool = False,
    ) -> SessionSnapshot:
        """Start the infusion (domain.start). Without a dose plan it is refused unless the
        nurse gives a reason to start without one; without a baseline set in the last 30
        minutes (setting) unless the nurse gives a reason; a baseline BP above 140/90
        (setting) must be confirmed. Each decision is recorded with the start: who, when,
        why."""
        decisions = dict(
            no_plan_reason=no_plan_reason,
            no_baseline_reason=no_baseline_reason,
            high_bp_confirmed=high_bp_confirmed,
        )
        with self.db.transaction(audit=self.audit(actor)) as session:
            acting_user(session, actor, Permission.CHART)
            row = session.scalar(
                _with_events().where(
                    SessionRow.id == fields.record_id("session_id", session_id, label="Session")
                )
            )
            if row is None:
                raise NotFound(f"Session {session_id} not found")
            transition(replay(_events(row)), EventKind.START)  # "already started" comes first
            reason = start_note(self._start_check(session, row.id), **decisions)
            session.info["audit"] = self.audit(actor, reason)
            append_event(session, row, EventKind.START, actor, self.now(), reason)
            log.info("session %d: start by %s", row.id, actor.username)
            return self._reload(session, row.id)

    def start_check(self, session_id: int) -> StartCheck:
        """What starting now would ask of the nurse (the UI asks before trying)."""
        with self.db.transaction(write=False) as session:
            return self._start_check(session, session_id)

    def _start_check(self, session: Session, session_id: int) -> StartCheck:
        from ketamon.services.vitals import scale2_of, to_set

        settings = load_settings(session)
        scale2 = scale2_of(session, [session_id]).get(session_id, False)
        rows = session.scalars(
            select(VitalsRow).where(
                VitalsRow.session_id == session_id,
                VitalsRow.phase == VitalPhase.BASELINE.value,
                VitalsRow.status == "current",
            )
        )
        baseline = check_start(
            [to_set(r, settings.bands, chart=settings.news2_chart, scale2=scale2) for r in rows],
            self.now(),
            warning_bp=settings.baseline_bp_warning,
            max_age_minutes=settings.baseline_max_age_minutes,
        )
        plan = session.get(DoseRecordRow, session_id)
        return StartCheck(baseline, has_plan(to_record(plan) if plan is not None else None))

    def pause(self, actor: Actor, session_id: int, reason: str) -> SessionSnapshot:
        return self._act(actor, session_id, EventKind.PAUSE, reason)

    def resume(self, actor: Actor, session_id: int) -> SessionSnapshot:
        return self._act(actor, session_id, EventKind.RESUME)

    def stop(self, actor: Actor, session_id: int, reason: str = "") -> SessionSnapshot:
        """Stop the infusion; before the target duration (paused time not counted) a
        reason is required, at or after it none is."""
        return self._act(actor, session_id, EventKind.STOP, reason)

    def rate_change(
        self, actor: Actor, session_id: int, rate_ml_h: float, reason: str
    ) -> SessionSnapshot:
        """A new pump rate (mL/h) with its reason; the phase and the timers are unchanged."""
        return self._act(actor, session_id, EventKind.RATE_CHANGE, reason, rate_ml_h)

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
        with self.db.transaction(audit=self.audit(actor, reason)) as session:
            acting_user(session, actor, Permission.CHART)
            row = session.scalar(_with_events().where(SessionRow.id == session_id))
            if row is None:
                raise NotFound(f"Session {session_id} not found")
            now = self.now()
            if kind is EventKind.STOP:
                events = _events(row)
                transition(replay(events), kind, reason)  # "not started" comes first
                check_event_time(events, now)
                times = derive_times(events)
                check_stop(times.infusion_elapsed(now), row.target_minutes, reason)
            append_event(session, row, kind, actor, now, reason, rate_ml_h=rate_ml_h)
            log.info("session %d: %s by %s", row.id, kind.value, actor.username)
            return self._reload(session, row.id)

    @staticmethod
    def _reload(session: Session, session_id: int) -> SessionSnapshot:
        row = session.scalar(
            _with_events()
            .where(SessionRow.id == session_id)
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return _snapshot(session, row)
