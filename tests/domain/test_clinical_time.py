"""The one reading of a typed clinical time (vitals taken, medication given, side-effect
onset and resolution): now/empty, minutes ago, HH:MM / H:MM / HHMM today, never the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamon.domain.clinical_time import allowed_forms, parse_clinical_time
from ketamon.domain.errors import FieldError

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 2, 14, 30, 20, tzinfo=UTC)  # 15:30:20 in Berlin

nows = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from(
    [
        UTC,
        BERLIN,
        ZoneInfo("America/New_York"),
        ZoneInfo("Australia/Adelaide"),
        timezone(timedelta(hours=-3, minutes=-30)),
    ]
)


def parse(text: str, now: datetime = NOW, tz=BERLIN):
    return parse_clinical_time(text, now, "taken_at", "Time taken", tz)


@pytest.mark.parametrize("typed", ["", "   ", "now", "NOW", " Now "])
def test_empty_or_now_means_now(typed):
    assert parse(typed) is None


@pytest.mark.parametrize("typed", ["15:05", "1505", "15.05", "15h05"])
def test_a_clock_time_is_today_in_the_clinics_zone(typed):
    at = parse(typed)
    assert at == datetime(2026, 3, 2, 15, 5, tzinfo=BERLIN)
    assert at.tzinfo is not None


@pytest.mark.parametrize("typed", ["9:05", "905", "09:05", "0905"])
def test_one_digit_hours_read_as_the_morning(typed):
    assert parse(typed) == datetime(2026, 3, 2, 9, 5, tzinfo=BERLIN)


def test_minutes_ago():
    assert parse("-10") == NOW - timedelta(minutes=10)
    assert parse(" - 5 ") == NOW - timedelta(minutes=5)
    assert parse("-0") == NOW


@pytest.mark.parametrize("typed", ["25:00", "24:00", "12:75", "soon", "-", "1:2", "12345", "-1000"])
def test_anything_else_is_refused_naming_the_field_and_the_allowed_forms(typed):
    with pytest.raises(FieldError) as refused:
        parse(typed)
    assert refused.value.field == "taken_at"
    assert refused.value.message == allowed_forms("Time taken")
    assert "HH:MM" in refused.value.message and "-10" in refused.value.message


def test_a_time_that_has_not_come_yet_today_is_refused_not_read_as_yesterday():
    with pytest.raises(FieldError) as refused:
        parse("15:31")  # Berlin's clock says 15:30
    assert refused.value.field == "taken_at"
    assert refused.value.message.startswith("Time taken cannot be in the future")
    assert parse("15:30") == datetime(2026, 3, 2, 15, 30, tzinfo=BERLIN)  # this minute is fine


def test_the_field_and_its_label_are_the_callers():
    with pytest.raises(FieldError) as refused:
        parse_clinical_time("later", NOW, "onset_at", "Onset time")
    assert refused.value.field == "onset_at"
    assert refused.value.message.startswith("Onset time: ")


def test_a_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_clinical_time("", datetime(2026, 3, 2, 14, 30), "taken_at", "Time taken")


@given(
    now=nows,
    tz=zones,
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    form=st.sampled_from(["{h:02d}:{m:02d}", "{h}:{m:02d}", "{h:02d}{m:02d}", "{h}{m:02d}"]),
)
def test_a_clock_time_is_never_in_the_future_and_reads_back_as_typed(now, tz, hour, minute, form):
    typed = form.format(h=hour, m=minute)
    try:
        at = parse_clinical_time(typed, now, "given_at", "Time given", tz)
    except FieldError as refused:
        assert refused.field == "given_at"
        assert refused.message.startswith("Time given cannot be in the future")
        # refused only when that minute of today has not come yet (or a DST gap moved it)
        local = now.astimezone(tz)
        assert (hour, minute) > (local.hour, local.minute) or local.utcoffset() != (
            local.replace(hour=hour, minute=minute).utcoffset()
        )
        return
    assert at is not None and at <= now
    assert at.date() == now.astimezone(tz).date()  # today, on the clinic's wall clock
    assert (at.hour, at.minute, at.second, at.microsecond) == (hour, minute, 0, 0)


@given(now=nows, minutes=st.integers(0, 999))
def test_minutes_ago_is_exactly_that_many_minutes_before_now(now, minutes):
    assert parse(f"-{minutes}", now) == now - timedelta(minutes=minutes)


@given(now=nows, tz=zones, text=st.text(max_size=8))
def test_any_text_is_now_a_past_time_or_a_field_error(now, tz, text):
    try:
        at = parse_clinical_time(text, now, "resolved_at", "Resolution time", tz)
    except FieldError as refused:
        assert refused.field == "resolved_at"
        assert refused.message.startswith("Resolution time")
        return
    assert at is None or (at.tzinfo is not None and at <= now)
