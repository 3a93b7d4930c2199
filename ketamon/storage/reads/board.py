"""The chair board's first read: every chair with the session in it, that session's
patient, course, dose record, escort plan and events, in one statement (each statement is
a round trip to a server: the board read these in four)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager

from ketamon.domain.board import Chair, SessionSnapshot
from ketamon.domain.discharge import Escort
from ketamon.domain.dose import DoseRecord
from ketamon.storage.models import (
    ChairRow,
    CourseRow,
    DischargeRow,
    DoseRecordRow,
    PatientRow,
    SessionEventRow,
    SessionRow,
)
from ketamon.storage.reads.chairs import to_chair
from ketamon.storage.reads.dose import to_record
from ketamon.storage.reads.sessions import to_snapshot


@dataclass(frozen=True)
class Seated:
    chairs: tuple[Chair, ...]  # in service, in board order
    sessions: dict[int, SessionSnapshot]  # chair id -> the session in it
    doses: dict[int, DoseRecord]  # session id -> its dose record, where it has one
    escorts: dict[int, Escort]  # session id -> the escort named, where one is


def seated(tx: Session) -> Seated:
    """The chairs in service and the sessions in a chair now (one in a chair retired under
    it too, so that no session in progress drops off the board)."""
    query = (
        select(
            ChairRow,
            SessionRow,
            PatientRow,
            CourseRow,
            DoseRecordRow,
            DischargeRow.escort_name,
            DischargeRow.escort_relationship,
            DischargeRow.escort_phone,
        )
        # "= chair.id" finds a chair's session by the unique index on active_chair_id,
        # never by scanning every session the clinic has had.
        .outerjoin(SessionRow, SessionRow.active_chair_id == ChairRow.id)
        .outerjoin(PatientRow, PatientRow.id == SessionRow.patient_id)
        .outerjoin(CourseRow, CourseRow.id == SessionRow.course_id)
        .outerjoin(DoseRecordRow, DoseRecordRow.session_id == SessionRow.id)
        .outerjoin(DischargeRow, DischargeRow.session_id == SessionRow.id)
        .outerjoin(SessionEventRow, SessionEventRow.session_id == SessionRow.id)
        .options(contains_eager(SessionRow.events))
        .where(or_(ChairRow.retired_at.is_(None), SessionRow.id.is_not(None)))
        .order_by(ChairRow.position, SessionEventRow.seq)
    )
    found = tx.execute(query).unique().all()
    # Held for the transaction: the unit of work keeps rows only while referenced.
    tx.info.setdefault("preloaded", []).extend(r for row in found for r in row[:5] if r is not None)
    chairs = tuple(to_chair(chair) for chair, *_ in found if chair.retired_at is None)
    sessions = {s.chair_id: to_snapshot(tx, s) for _, s, *_ in found if s is not None}
    doses = {row[4].session_id: to_record(row[4]) for row in found if row[4] is not None}
    escorts = {
        s.id: Escort(name, relationship or "", phone or "")
        for _, s, _, _, _, name, relationship, phone in found
        if s is not None and name
    }
    return Seated(chairs, sessions, doses, escorts)
