"""Infusion sessions as the domain sees them: the row with its events, the snapshot, and
the guard every change to a session's record passes (a signed session is locked)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from ketamon.domain import fields
from ketamon.domain.board import SessionSnapshot
from ketamon.domain.errors import DomainError, NotFound
from ketamon.domain.review import ReviewStatus
from ketamon.domain.sessions import EventKind, Phase, SessionEvent
from ketamon.storage.models import ChairRow, CourseRow, PatientRow, SessionRow


def events_of(row: SessionRow) -> tuple[SessionEvent, ...]:
    """The session's events as the domain replays them (row.events must be loaded)."""
    return tuple(
        SessionEvent(EventKind(e.kind), e.at, e.actor, e.reason, e.rate_ml_h) for e in row.events
    )


def to_snapshot(tx: Session, row: SessionRow) -> SessionSnapshot:
    patient = tx.get(PatientRow, row.patient_id)
    chair = tx.get(ChairRow, row.chair_id)
    course = tx.get(CourseRow, row.course_id)
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
        events=events_of(row),
    )


def with_events() -> Select[SessionRow]:
    """SELECT of session rows with their events loaded in the same round trip."""
    return select(SessionRow).options(selectinload(SessionRow.events))


def load_session(tx: Session, session_id: int, *, fresh: bool = False) -> SessionRow:
    """The session row with its events loaded, or NotFound. `fresh` re-reads rows already
    in the unit of work (after events were appended in the same transaction)."""
    session_id = fields.record_id("session_id", session_id, label="Session")
    query = with_events().where(SessionRow.id == session_id)
    if fresh:
        query = query.execution_options(populate_existing=True)
    row = tx.scalar(query)
    if row is None:
        raise NotFound(f"Session {session_id} not found")
    return row


def require_unsigned(tx: Session, session_id: int, *, owner: SessionRow | None = None) -> None:
    """Services call this before changing anything that belongs to a session (`owner`: the
    session row when the caller has loaded it already)."""
    if owner is not None and owner.id == session_id:
        status = owner.review_status
    else:
        status = tx.scalar(select(SessionRow.review_status).where(SessionRow.id == session_id))
    if status == ReviewStatus.SIGNED.value:
        raise DomainError(
            "This session is signed and locked: add an addendum instead of changing it"
        )
