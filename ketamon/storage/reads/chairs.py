"""Chairs as the domain sees them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.board import Chair
from ketamon.storage.models import ChairRow


def to_chair(row: ChairRow) -> Chair:
    return Chair(row.id, row.name, row.position, row.retired_at is not None, row.version or 0)


def active_chairs(tx: Session) -> list[Chair]:
    rows = tx.scalars(
        select(ChairRow).where(ChairRow.retired_at.is_(None)).order_by(ChairRow.position)
    )
    return [to_chair(r) for r in rows]
