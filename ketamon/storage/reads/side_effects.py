"""Side effects as the domain sees them, and what the board needs of them per session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.side_effects import Severity, SideEffect
from ketamon.domain.statuses import RecordStatus
from ketamon.storage.models import SideEffectRow


@dataclass(frozen=True)
class SideEffectSummary:
    """What the board needs per active session: the severe side effects nobody has
    acknowledged yet (the tile's alert), and how many are ticked and unresolved."""

    unacknowledged_severe: tuple[SideEffect, ...] = ()
    open_count: int = 0


def to_effect(row: SideEffectRow) -> SideEffect:
    return SideEffect(
        id=row.id,
        session_id=row.session_id,
        kind_key=row.kind_key,
        label=row.label,
        other_text=row.other_text or "",
        onset_at=row.onset_at,
        severity=Severity(row.severity),
        resolved_at=row.resolved_at,
        note=row.note or "",
        entered_by=row.entered_by,
        status=RecordStatus(row.status),
        status_reason=row.status_reason or "",
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=row.acknowledged_at,
        physician_decision=row.physician_decision or "",
        physician_decision_by=row.physician_decision_by,
        physician_decision_at=row.physician_decision_at,
        version=row.version or 0,
    )


def summaries(tx: Session, session_ids: Sequence[int]) -> dict[int, SideEffectSummary]:
    if not session_ids:
        return {}
    rows = tx.scalars(
        select(SideEffectRow)
        .where(
            SideEffectRow.session_id.in_(list(session_ids)),
            SideEffectRow.status == RecordStatus.CURRENT.value,
        )
        .order_by(SideEffectRow.onset_at, SideEffectRow.id)
    )
    severe: dict[int, list[SideEffect]] = {i: [] for i in session_ids}
    unresolved: dict[int, int] = dict.fromkeys(session_ids, 0)
    for row in rows:
        effect = to_effect(row)
        if effect.needs_acknowledgement:
            severe[row.session_id].append(effect)
        if not effect.resolved:
            unresolved[row.session_id] += 1
    return {i: SideEffectSummary(tuple(severe[i]), unresolved[i]) for i in session_ids}


def current_effects(tx: Session, session_id: int) -> tuple[SideEffect, ...]:
    """The session's current (not voided) side effects, in onset order."""
    rows = tx.scalars(
        select(SideEffectRow)
        .where(
            SideEffectRow.session_id == session_id,
            SideEffectRow.status == RecordStatus.CURRENT.value,
        )
        .order_by(SideEffectRow.onset_at, SideEffectRow.id)
    )
    return tuple(to_effect(r) for r in rows)
