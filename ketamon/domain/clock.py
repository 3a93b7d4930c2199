"""The clock is injected everywhere so tests move time without sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, as an aware UTC datetime."""
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Refuse naive datetimes; convert aware ones to UTC."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"naive datetime {value!r}: every timestamp must carry a time zone")
    return value.astimezone(UTC)


class FakeClock:
    """A clock that only moves when told to (tests, demo seeding, benchmarks)."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def __call__(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now

    def set(self, value: datetime) -> None:
        self._now = ensure_utc(value)
