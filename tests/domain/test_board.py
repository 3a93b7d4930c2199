"""What a chair tile shows: level, words and timers, from a snapshot, the settings and now."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ketamon.domain.board import Chair, SessionSnapshot, TileLevel, tile_view
from ketamon.domain.sessions import EventKind, SessionEvent, replay
from ketamon.domain.settings import ClinicSettings
from tests.conftest import T0

CHAIR = Chair(id=3, name="Chair 3", position=3)
SETTINGS = ClinicSettings()  # target 40, overrun alert 5 minutes


def at(minutes: float = 0, seconds: float = 0):
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def snapshot(*steps: tuple, target: int = 40, kind: str = "initial", number: int = 2):
    """A session from (kind, minute[, reason]) steps after a check-in at T0."""
    events = [SessionEvent(EventKind.CHECK_IN, T0, "nurse.jo")]
    events += [SessionEvent(k, at(m), "nurse.jo", *rest) for k, m, *rest in steps]
    return SessionSnapshot(
        id=7,
        chair_id=CHAIR.id,
        chair_name=CHAIR.name,
        patient_id=11,
        patient_name="Ada Lovelace",
        mrn="MRN1001",
        course_kind=kind,
        number_in_course=number,
        course_length=6 if kind == "initial" else 0,
        target_minutes=target,
        phase=replay(events).phase,
        events=tuple(events),
    )


START = (EventKind.START, 0)


def test_empty_chair() -> None:
    tile = tile_view(CHAIR, None, SETTINGS, at(0))
    assert tile.level is TileLevel.EMPTY
    assert tile.chair_name == "Chair 3"
    assert tile.phase_text == "Empty"
    assert "Chair free" in tile.status_text
    assert tile.patient_text == ""


@pytest.mark.parametrize(
    "steps",
    [
        [START, (EventKind.STOP, 40), (EventKind.DISCHARGE, 80)],
        [(EventKind.CANCEL, 5, "no escort")],
    ],
    ids=["discharged", "cancelled"],
)
def test_an_ended_session_leaves_the_chair_empty(steps) -> None:
    tile = tile_view(CHAIR, snapshot(*steps), SETTINGS, at(90))
    assert tile.level is TileLevel.EMPTY
    assert "Chair free" in tile.status_text


def test_checked_in_patient_is_waiting() -> None:
    tile = tile_view(CHAIR, snapshot(), SETTINGS, at(3))
    assert tile.level is TileLevel.WAITING
    assert tile.phase_text == "Checked in"
    assert tile.patient_text == "Ada Lovelace  ·  MRN\N{NO-BREAK SPACE}MRN1001"  # kept whole
    assert tile.course_text == "Infusion 2 of 6"
    assert tile.timer_text == "00:00 / 40:00"
    assert tile.detail_text == "Checked in 03:00 ago"
    assert tile.status_text == "Ready to start"
    assert tile.progress_permille == 0


def test_running_infusion_counts_down_to_the_target() -> None:
    tile = tile_view(CHAIR, snapshot(START), SETTINGS, at(10))
    assert tile.level is TileLevel.RUNNING
    assert tile.phase_text == "Infusing"
    assert tile.timer_caption == "Infusion"
    assert tile.timer_text == "10:00 / 40:00"
    assert tile.status_text == "30:00 to target"
    assert tile.detail_text == "No pauses"  # static: it does not repaint every second
    assert tile.progress_permille == 250


def test_paused_infusion_says_why_and_for_how_long() -> None:
    session = snapshot(START, (EventKind.PAUSE, 12, "Nausea"))
    tile = tile_view(CHAIR, session, SETTINGS, at(14, 30))
    assert tile.level is TileLevel.PAUSED
    assert tile.phase_text == "Paused"
    assert tile.status_text == "PAUSED 02:30: Nausea"
    assert tile.timer_text == "12:00 / 40:00"  # the pause does not count


def test_a_long_pause_past_the_target_time_is_still_shown_as_paused() -> None:
    session = snapshot(START, (EventKind.PAUSE, 30, "BP 182/104"))
    tile = tile_view(CHAIR, session, SETTINGS, at(90))
    assert tile.level is TileLevel.PAUSED
    assert tile.timer_text == "30:00 / 40:00"


def test_target_reached_exactly_at_the_target() -> None:
    tile = tile_view(CHAIR, snapshot(START), SETTINGS, at(40))
    assert tile.level is TileLevel.TARGET_REACHED
    assert tile.status_text == "TARGET REACHED: stop the infusion"
    assert tile.progress_permille == 1000


def test_no_overrun_until_the_alert_minutes_have_passed() -> None:
    tile = tile_view(CHAIR, snapshot(START), SETTINGS, at(45))  # exactly target + 5
    assert tile.level is TileLevel.TARGET_REACHED


def test_overrun_once_more_than_the_alert_minutes_past_the_target() -> None:
    tile = tile_view(CHAIR, snapshot(START), SETTINGS, at(45, 1))
    assert tile.level is TileLevel.OVERRUN
    assert tile.status_text == "OVER TARGET by 05:01"
    tile = tile_view(CHAIR, snapshot(START), SETTINGS, at(46))
    assert tile.level is TileLevel.OVERRUN
    assert tile.phase_text == "Infusing"
    assert tile.status_text == "OVER TARGET by 06:00"
    assert tile.timer_text == "46:00 / 40:00"
    assert tile.progress_permille == 1000  # capped


def test_overrun_follows_the_clinic_setting() -> None:
    lenient = ClinicSettings(overrun_alert_minutes=10)
    assert tile_view(CHAIR, snapshot(START), lenient, at(46)).level is TileLevel.TARGET_REACHED
    assert tile_view(CHAIR, snapshot(START), lenient, at(50, 1)).level is TileLevel.OVERRUN
    strict = ClinicSettings(overrun_alert_minutes=0)
    assert tile_view(CHAIR, snapshot(START), strict, at(40)).level is TileLevel.TARGET_REACHED
    assert tile_view(CHAIR, snapshot(START), strict, at(40, 1)).level is TileLevel.OVERRUN


def test_overrun_measures_infusion_time_not_wall_time() -> None:
    # 62 minutes on the wall clock, 20 of them paused: 42 minutes of infusion.
    session = snapshot(START, (EventKind.PAUSE, 30, "IV line"), (EventKind.RESUME, 50))
    tile = tile_view(CHAIR, session, SETTINGS, at(62))
    assert tile.level is TileLevel.TARGET_REACHED
    assert tile.timer_text == "42:00 / 40:00"


def test_target_comes_from_the_session() -> None:
    tile = tile_view(CHAIR, snapshot(START, target=60), SETTINGS, at(46))
    assert tile.level is TileLevel.RUNNING
    assert tile.timer_text == "46:00 / 60:00"
    assert tile.status_text == "14:00 to target"


def test_recovery_shows_the_time_since_the_infusion_ended() -> None:
    session = snapshot(START, (EventKind.STOP, 41))
    tile = tile_view(CHAIR, session, SETTINGS, at(48))
    assert tile.level is TileLevel.RECOVERY
    assert tile.phase_text == "Recovery"
    assert tile.timer_caption == "Observed since infusion end"
    assert tile.timer_text == "07:00 / 30:00"  # toward the minimum observation (setting)
    assert tile.detail_text == "Infusion ran 41:00 of 40:00"
    assert tile.status_text == "23:00 to minimum observation"
    assert tile.progress_permille == 233  # 7 of 30 minutes, not 41 of 40 (the infusion's)
    # An hour later the recovery timer has moved on; the infusion time has not.
    later = tile_view(CHAIR, session, SETTINGS, at(108))
    assert later.timer_text == "67:00"
    assert later.detail_text == "Infusion ran 41:00 of 40:00"
    assert later.status_text == "Minimum observation met"
    assert later.progress_permille == 1000


def test_the_recovery_bar_follows_the_clinics_minimum_observation() -> None:
    from dataclasses import replace

    session = snapshot(START, (EventKind.STOP, 40))
    sixty = replace(SETTINGS, discharge_min_observation_minutes=60)
    tile = tile_view(CHAIR, session, sixty, at(70))
    assert (tile.timer_text, tile.progress_permille) == ("30:00 / 60:00", 500)
    none = replace(SETTINGS, discharge_min_observation_minutes=0)
    tile = tile_view(CHAIR, session, none, at(41))
    assert tile.progress_permille == 1000 and tile.status_text.startswith("Minimum observation")


def test_maintenance_sessions_are_labelled_by_number() -> None:
    tile = tile_view(CHAIR, snapshot(kind="maintenance", number=3), SETTINGS, at(1))
    assert tile.course_text == "Maintenance 3"


@pytest.mark.parametrize(
    ("session", "minute", "level"),
    [
        (None, 0, TileLevel.EMPTY),
        (snapshot(), 1, TileLevel.WAITING),
        (snapshot(START), 10, TileLevel.RUNNING),
        (snapshot(START, (EventKind.PAUSE, 5, "nausea")), 10, TileLevel.PAUSED),
        (snapshot(START), 41, TileLevel.TARGET_REACHED),
        (snapshot(START), 50, TileLevel.OVERRUN),
        (snapshot(START, (EventKind.STOP, 40)), 50, TileLevel.RECOVERY),
    ],
)
def test_every_level_carries_words_not_just_a_colour(session, minute, level) -> None:
    tile = tile_view(CHAIR, session, SETTINGS, at(minute))
    assert tile.level is level
    # Someone who cannot tell the colours apart still reads the state from the tile.
    assert any(c.isalpha() for c in tile.status_text)
    assert any(c.isalpha() for c in tile.phase_text)
    assert tile.status_text.lower() != level.value


def test_the_detail_line_counts_finished_pauses_and_stays_still_while_running() -> None:
    session = snapshot(START, (EventKind.PAUSE, 5, "Nausea"), (EventKind.RESUME, 8))
    first = tile_view(CHAIR, session, SETTINGS, at(20))
    later = tile_view(CHAIR, session, SETTINGS, at(21))
    assert first.detail_text == later.detail_text == "1 pause so far (03:00 in all)"
