"""Clinic settings rules, the acting user, and the injectable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ketamon.domain.actors import Actor, require_actor
from ketamon.domain.clock import FakeClock, ensure_utc, system_clock
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.settings import ClinicSettings, validate_target_minutes
from tests.conftest import T0

# -- settings -------------------------------------------------------------------------------


def test_defaults_follow_the_clinical_reference() -> None:
    s = ClinicSettings()
    assert s.default_target_minutes == 40
    assert s.target_choices == (40, 45, 50, 55, 60)
    assert s.initial_course_length == 6
    assert s.overrun_alert_minutes == 5
    assert s.vitals_schedule.red_recheck_minutes == 5  # a red reading checked again soon


def test_from_stored_applies_known_keys_and_ignores_others() -> None:
    s = ClinicSettings.from_stored(
        {"overrun_alert_minutes": 10, "target_choices": [45, 60], "retired_key": "x"}
    )
    assert s.overrun_alert_minutes == 10
    assert s.target_choices == (45, 60)
    assert s.initial_course_length == 6


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"overrun_alert_minutes": -1}, "overrun_alert_minutes"),
        ({"overrun_alert_minutes": 61}, "overrun_alert_minutes"),
        ({"initial_course_length": 0}, "initial_course_length"),
        ({"initial_course_length": 31}, "initial_course_length"),
        ({"default_target_minutes": 4}, "target_minutes"),
        ({"default_target_minutes": 241}, "target_minutes"),
        ({"target_choices": []}, "target_choices"),
        ({"target_choices": [40, 1000]}, "target_choices"),
        ({"target_choices": [4, 40]}, "target_choices"),
        # the vitals schedule's limits, named as the settings are (the dialog's fields)
        ({"vitals_every_minutes": 4}, "vitals_every_minutes"),
        ({"vitals_recovery_every_minutes": 61}, "vitals_recovery_every_minutes"),
        ({"vitals_early_minutes": 15}, "vitals_early_minutes"),
        ({"vitals_red_recheck_minutes": 0}, "vitals_red_recheck_minutes"),
        ({"vitals_red_recheck_minutes": 31}, "vitals_red_recheck_minutes"),
    ],
)
def test_out_of_range_settings_are_refused_naming_the_field(changes: dict, field: str) -> None:
    with pytest.raises(FieldError) as error:
        ClinicSettings.from_stored(changes)
    assert error.value.field == field


@pytest.mark.parametrize("minutes", [5, 40, 240])
def test_target_minutes_in_range(minutes: int) -> None:
    assert validate_target_minutes(minutes) == minutes


@pytest.mark.parametrize("minutes", [0, 4, 241])
def test_target_minutes_out_of_range(minutes: int) -> None:
    with pytest.raises(FieldError, match="Target infusion duration must be 5–240 minutes"):
        validate_target_minutes(minutes)


# -- actors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["", "   "])
def test_an_actor_needs_a_username(username: str) -> None:
    with pytest.raises(DomainError, match="An acting user is required"):
        Actor(username)


@pytest.mark.parametrize("value", [None, "nurse.jo", object()])
def test_require_actor_refuses_anything_but_an_actor(value: object) -> None:
    with pytest.raises(DomainError, match="An acting user is required for every change"):
        require_actor(value)


def test_actor_label_prefers_the_display_name() -> None:
    jo = Actor("nurse.jo", "Jo Rivera")
    assert require_actor(jo) is jo
    assert jo.label == "Jo Rivera"
    assert Actor("nurse.kim").label == "nurse.kim"


# -- clock ----------------------------------------------------------------------------------


def test_ensure_utc_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        ensure_utc(datetime(2026, 3, 2, 14, 0))


def test_ensure_utc_converts_to_the_same_instant_in_utc() -> None:
    local = datetime(2026, 3, 2, 16, 0, tzinfo=timezone(timedelta(hours=2)))
    utc = ensure_utc(local)
    assert utc == local
    assert utc.tzinfo is UTC
    assert utc.hour == 14


def test_system_clock_is_aware_utc() -> None:
    assert system_clock().tzinfo is UTC


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(T0)
    assert clock() == T0
    assert clock() == T0
    assert clock.advance(minutes=5) == T0 + timedelta(minutes=5)
    assert clock.advance(timedelta(seconds=30)) == T0 + timedelta(minutes=5, seconds=30)
    clock.set(datetime(2026, 3, 2, 18, 0, tzinfo=timezone(timedelta(hours=2))))
    assert clock() == T0 + timedelta(hours=2)
    assert clock().tzinfo is UTC
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 3, 2))
