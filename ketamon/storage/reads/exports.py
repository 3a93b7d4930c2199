"""The rows of a CSV export, streamed (memory does not grow with the period): every column
of each table but bookkeeping, with the patient's MRN, for the sessions checked in within
the period, and the follow-up questionnaires taken in it. Voided and corrected rows are
read like the others: they are part of the record and are marked by their status."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, Select, Table, and_, or_, select

from ketamon.domain.exports import LEFT_OUT
from ketamon.storage.models import Base, PatientRow, SessionRow

STREAM_ROWS = 500  # rows fetched at a time


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def columns(name: str) -> list[Column[Any]]:
    """The exported columns of a table, in the table's order."""
    return [c for c in table(name).columns if c.key not in LEFT_OUT]


def _in_period(start: datetime, end: datetime) -> Select[Any]:
    return select(SessionRow.id).where(
        SessionRow.checked_in_at >= start, SessionRow.checked_in_at < end
    )


def export_query(name: str, start: datetime, end: datetime) -> Select[Any]:
    """One table's rows of the period, each with its patient's MRN, in id order."""
    t = table(name)
    wanted = [*columns(name), PatientRow.mrn.label("patient_mrn")]
    if name == "infusion_session":
        return (
            select(*wanted)
            .join(PatientRow, PatientRow.id == t.c.patient_id)
            .where(t.c.id.in_(_in_period(start, end)))
            .order_by(t.c.id)
        )
    if name == "outcome_score":  # before an infusion of the period, or at a visit in it
        return (
            select(*wanted)
            .join(PatientRow, PatientRow.id == t.c.patient_id)
            .where(
                or_(
                    t.c.session_id.in_(_in_period(start, end)),
                    and_(t.c.session_id.is_(None), t.c.taken_at >= start, t.c.taken_at < end),
                )
            )
            .order_by(t.c.id)
        )
    order = t.c.id if "id" in t.c else t.c.session_id
    return (
        select(*wanted)
        .join(SessionRow, SessionRow.id == t.c.session_id)
        .join(PatientRow, PatientRow.id == SessionRow.patient_id)
        .where(t.c.session_id.in_(_in_period(start, end)))
        .order_by(order)
    )


def stream(
    connection: Connection, name: str, start: datetime, end: datetime
) -> Iterator[dict[str, Any]]:
    """The rows one at a time, as {column: value} (fetched STREAM_ROWS at a time)."""
    result = connection.execution_options(yield_per=STREAM_ROWS).execute(
        export_query(name, start, end)
    )
    for row in result:
        yield dict(row._mapping)
