"""UTCDateTime: aware UTC in, aware UTC out, through a real SQLite file (which drops zones)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from ketamon.storage.audit import AuditContext
from ketamon.storage.models import ChairRow

pytestmark = pytest.mark.both_backends

PLUS_2 = timezone(timedelta(hours=2))
MINUS_5 = timezone(timedelta(hours=-5))


def _add_chair(db, name: str, created_at: datetime) -> int:
    with db.transaction(audit=AuditContext("nurse.jo", datetime.now(UTC))) as session:
        row = ChairRow(name=name, position=99, created_at=created_at, created_by="nurse.jo")
        session.add(row)
        session.flush()
        return row.id


def _created_at(db, chair_id: int) -> datetime:
    with db.transaction(write=False) as session:
        return session.get(ChairRow, chair_id).created_at


def test_an_offset_datetime_comes_back_as_the_same_instant_in_utc(clinic) -> None:
    stored = datetime(2026, 3, 2, 16, 30, 15, 123456, tzinfo=PLUS_2)
    chair_id = _add_chair(clinic.db, "Recliner A", stored)
    back = _created_at(clinic.db, chair_id)
    assert back == stored  # same instant
    assert back.tzinfo is UTC
    assert (back.hour, back.minute, back.second, back.microsecond) == (14, 30, 15, 123456)


@pytest.mark.sqlite_only("reads the stored text with sqlite3")
def test_the_file_holds_utc_wall_time(clinic) -> None:
    chair_id = _add_chair(clinic.db, "Recliner B", datetime(2026, 3, 2, 9, 0, tzinfo=MINUS_5))
    with clinic.db.engine.connect() as conn:
        raw = conn.exec_driver_sql(
            "SELECT created_at FROM chair WHERE id = ?", (chair_id,)
        ).scalar()
    assert str(raw).startswith("2026-03-02 14:00:00")


def test_timestamps_from_different_zones_sort_by_instant(clinic) -> None:
    # 10:00 at +02:00 is 08:00 UTC, earlier than 09:00 UTC although its wall time is later.
    late_wall_early_instant = _add_chair(clinic.db, "A", datetime(2026, 3, 2, 10, tzinfo=PLUS_2))
    early_wall_late_instant = _add_chair(clinic.db, "B", datetime(2026, 3, 2, 9, tzinfo=UTC))
    with clinic.db.transaction(write=False) as session:
        order = list(
            session.scalars(
                select(ChairRow.id)
                .where(ChairRow.id.in_([late_wall_early_instant, early_wall_late_instant]))
                .order_by(ChairRow.created_at)
            )
        )
    assert order == [late_wall_early_instant, early_wall_late_instant]


def test_null_stays_null(clinic) -> None:
    chair_id = _add_chair(clinic.db, "Recliner C", datetime(2026, 3, 2, tzinfo=UTC))
    with clinic.db.transaction(write=False) as session:
        assert session.get(ChairRow, chair_id).retired_at is None


def test_a_naive_datetime_is_refused_and_nothing_is_written(clinic) -> None:
    with clinic.db.transaction(write=False) as session:
        before = session.scalar(select(func.count(ChairRow.id)))
    with pytest.raises(StatementError) as error:
        _add_chair(clinic.db, "Recliner D", datetime(2026, 3, 2, 14, 0))
    assert isinstance(error.value.orig, ValueError)
    assert "naive datetime" in str(error.value)
    with clinic.db.transaction(write=False) as session:
        assert session.scalar(select(func.count(ChairRow.id))) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02 14:00:00.123456", datetime(2026, 3, 2, 14, 0, 0, 123456, tzinfo=UTC)),
        ("2026-03-02 14:00:00", datetime(2026, 3, 2, 14, 0, tzinfo=UTC)),  # raw SQL, no µs
        ("2026-03-02T14:00:00", datetime(2026, 3, 2, 14, 0, tzinfo=UTC)),
        ("2026-03-02 16:00:00+02:00", datetime(2026, 3, 2, 14, 0, tzinfo=UTC)),  # an offset
        ("2026-03-02", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),  # a bare date
    ],
)
@pytest.mark.sqlite_only("writes text with sqlite3")
def test_text_written_into_the_file_by_other_tools_reads_back_as_utc(
    clinic, text: str, expected: datetime
) -> None:
    chair_id = _add_chair(clinic.db, "Recliner C", datetime(2026, 1, 1, tzinfo=UTC))
    with clinic.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE chair SET created_at = ? WHERE id = ?", (text, chair_id))
    back = _created_at(clinic.db, chair_id)
    assert back == expected
    assert back.tzinfo is UTC
