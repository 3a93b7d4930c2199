"""A stale-save refusal names when the other workstation saved: the time today, the date
too when it was another day (the same wording as the race messages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ketamon.domain.errors import StaleRecord

AT = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)


def test_a_change_made_today_is_named_by_its_time_only() -> None:
    text = str(StaleRecord("The discharge checklist", "Jo Rivera, RN", AT, now=AT))
    local = AT.astimezone()
    assert f"by Jo Rivera, RN at {local:%H:%M %Z} on another workstation" in text
    assert f"{local:%Y-%m-%d}" not in text


def test_a_change_made_another_day_is_named_with_its_date() -> None:
    later = AT + timedelta(days=2)
    text = str(StaleRecord("The discharge checklist", "Jo Rivera, RN", AT, now=later))
    assert f"at {AT.astimezone():%Y-%m-%d %H:%M %Z} on another workstation" in text
