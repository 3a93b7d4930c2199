"""The writers several use cases share: checking a patient in, appending session events
(the phase, the chair and the review queue follow the events through the domain's rules).

The check-in service, the discharge service and the demo seeder write through these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.courses import INITIAL, next_session_place
from ketamon.domain.discharge import DischargeDecision
from ketamon.domain.errors import DomainError, NotFound
from ketamon.domain.review import review_status_after
from ketamon.domain.sessions import (
    EventKind,
    Phase,
    SessionEvent,
    check_event_time,
    replay,
    transition,
    validate_rate,
)
from ketamon.domain.settings import ClinicSettings, validate_target_minutes
from ketamon.domain.taken import chair_taken, patient_elsewhere
from ketamon.storage.models import ChairRow, CourseRow, PatientRow, SessionEventRow, SessionRow
from ketamon.storage.reads.courses import plan_of
from ketamon.storage.reads.sessions import events_of
from ketamon.storage.reads.users import user_names


def check_in_row(
    tx: Session,
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
    # The chair's row is locked first (PostgreSQL; SQLite's writer holds the file): a second
    # check-in to it waits here, holding nothing, and then reads the first one's session.
    chair = tx.get(ChairRow, chair_id, with_for_update=True)
    if chair is None or chair.retired_at is not None:
        raise DomainError("That chair is not in use")
    patient = tx.get(PatientRow, patient_id)
    if patient is None:
        raise NotFound(f"Patient {patient_id} not found")
    occupant = _active(tx, SessionRow.active_chair_id == chair_id)
    if occupant is not None:
        name, _chair, by, when = occupant
        raise DomainError(chair_taken(chair.name, name, by, when, at))
    elsewhere = _active(tx, SessionRow.active_patient_id == patient_id)
    if elsewhere is not None:
        _name, where, by, when = elsewhere
        raise DomainError(patient_elsewhere(patient.full_name, where, by, when, at))
    course = tx.scalar(
        select(CourseRow)
        .where(CourseRow.patient_id == patient_id)
        .order_by(CourseRow.started_at.desc(), CourseRow.id.desc())
        .limit(1)
    )
    completed = 0
    if course is not None:
        completed = (
            tx.scalar(
                select(func.count(SessionRow.id)).where(
                    SessionRow.course_id == course.id, SessionRow.phase != Phase.CANCELLED.value
                )
            )
            or 0
        )
    place = next_session_place(
        course.kind if course else None,
        course.planned_sessions if course else None,
        completed,
        closed=course is not None and course.ended_at is not None,
    )
    if place.new_course:
        series = plan_of(patient).series_or(settings.initial_course_length)
        course = CourseRow(
            patient_id=patient_id,
            kind=place.kind,
            planned_sessions=series if place.kind == INITIAL else None,
            started_at=at,
        )
        tx.add(course)
        tx.flush()
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
    tx.add(row)
    tx.flush()
    tx.add(
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
    tx.flush()
    return row


def _active(tx: Session, where: ColumnElement[bool]) -> tuple[str, str, str, datetime] | None:
    """(patient, chair, who checked in, when) of the active session `where` picks."""
    found = tx.execute(
        select(PatientRow.full_name, ChairRow.name, SessionEventRow.actor, SessionRow.checked_in_at)
        .join(PatientRow, PatientRow.id == SessionRow.patient_id)
        .join(ChairRow, ChairRow.id == SessionRow.chair_id)
        .join(
            SessionEventRow,
            (SessionEventRow.session_id == SessionRow.id) & (SessionEventRow.seq == 1),
        )
        .where(where)
    ).first()
    if found is None:
        return None
    name, chair, actor, when = found
    return name, chair, user_names(tx).get(actor, actor), when


def append_event(
    tx: Session,
    row: SessionRow,
    kind: EventKind,
    actor: Actor,
    at: datetime,
    reason: str = "",
    recorded_at: datetime | None = None,
    rate_ml_h: float | None = None,
) -> None:
    """Apply one action to a session row, refusing what the rules forbid."""
    append_events(tx, row, actor, [(kind, at, reason, rate_ml_h)], recorded_at)


def append_events(
    tx: Session,
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
    events = list(events_of(row))
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
        tx.add(
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
    tx.flush()
    tx.expire(row, ["events"])
