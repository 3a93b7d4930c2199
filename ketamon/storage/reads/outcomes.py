"""Outcome scores (PHQ-9, GAD-7, PCL-5, pain), as the domain sees them."""

from __future__ import annotations

import json

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ketamon.domain.outcomes import (
    CssrsScreen,
    Decision,
    Item9Review,
    OutcomeRecord,
    decode_answers,
    score,
)
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.users import Role, parse_roles
from ketamon.storage.models import OutcomeRow, UserRow
from ketamon.storage.reads.users import user_names


def encode_screen(screen: CssrsScreen | None) -> str | None:
    if screen is None:
        return None
    return json.dumps(screen.__dict__, sort_keys=True, separators=(",", ":"))


def decode_screen(text: str | None) -> CssrsScreen | None:
    return None if not text else CssrsScreen(**json.loads(text))


def to_outcome(row: OutcomeRow, names: dict[str, str], physicians: set[str]) -> OutcomeRecord:
    """A stored row, scored again from its item answers (the stored total is what was
    scored when it was entered; verify compares the two)."""
    review = None
    if row.review_decision is not None and row.reviewed_by is not None:
        review = Item9Review(
            Decision(row.review_decision),
            row.review_note,
            names.get(row.reviewed_by, row.reviewed_by),
            row.reviewed_by in physicians,
            decode_screen(row.review_cssrs),
        )
    return OutcomeRecord(
        id=row.id,
        patient_id=row.patient_id,
        course_id=row.course_id,
        session_id=row.session_id,
        score=score(row.instrument, decode_answers(row.answers)),
        self_completed=row.self_completed,
        taken_at=row.taken_at,
        entered_by=names.get(row.entered_by, row.entered_by),
        status=RecordStatus(row.status),
        corrects_id=row.corrects_id,
        status_reason=row.status_reason,
        review=review,
        reviewed_at=row.reviewed_at,
    )


def physician_usernames(tx: Session) -> set[str]:
    return {
        u.username for u in tx.scalars(select(UserRow)) if Role.PHYSICIAN in parse_roles(u.roles)
    }


def outcomes_where(tx: Session, *conditions: ColumnElement[bool]) -> list[OutcomeRecord]:
    """Every outcome row matching, current and not, oldest first."""
    rows = tx.scalars(
        select(OutcomeRow).where(*conditions).order_by(OutcomeRow.taken_at, OutcomeRow.id)
    )
    names, physicians = user_names(tx), physician_usernames(tx)
    return [to_outcome(r, names, physicians) for r in rows]


def current_by_session(tx: Session, session_ids: list[int]) -> dict[int, list[OutcomeRecord]]:
    """The current questionnaires of each session, oldest first, in one statement (for the
    board: who entered them is not shown there, so no names are read)."""
    if not session_ids:
        return {}
    rows = tx.scalars(
        select(OutcomeRow)
        .where(
            OutcomeRow.session_id.in_(session_ids),
            OutcomeRow.status == RecordStatus.CURRENT.value,
        )
        .order_by(OutcomeRow.taken_at, OutcomeRow.id)
    )
    found: dict[int, list[OutcomeRecord]] = {}
    for row in rows:
        if row.session_id is not None:
            found.setdefault(row.session_id, []).append(to_outcome(row, {}, set()))
    return found
