"""Infusion timers are derived from the recorded events: (end or now) - start - pauses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamon.domain.sessions import EventKind, SessionEvent, replay
from ketamon.domain.timers import derive_times, format_duration
from tests.conftest import T0


def at(minutes: float = 0, seconds: float = 0):
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def ev(kind: EventKind, minutes: float, reason: str = "") -> SessionEvent:
    return SessionEvent(kind, at(minutes), "nurse.jo", reason)


CHECK_IN = ev(EventKind.CHECK_IN, 0)


def test_nothing_runs_before_the_start() -> None:
    times = derive_times([CHECK_IN])
    assert times.checked_in_at == T0
    assert times.started_at is None and times.ended_at is None
    assert times.infusion_elapsed(at(30)) == timedelta(0)
    assert times.since_end(at(30)) == timedelta(0)
    assert times.since_check_in(at(7)) == timedelta(minutes=7)
    assert not times.paused


def test_running_infusion_counts_from_the_start() -> None:
    times = derive_times([CHECK_IN, ev(EventKind.START, 5)])
    assert times.started_at == at(5)
    assert times.infusion_elapsed(at(5)) == timedelta(0)
    assert times.infusion_elapsed(at(17, 30)) == timedelta(minutes=12, seconds=30)
    # A clock reading before the start never gives a negative time.
    assert times.infusion_elapsed(at(1)) == timedelta(0)


def test_paused_time_is_excluded() -> None:
    events = [
        CHECK_IN,
        ev(EventKind.START, 0),
        ev(EventKind.PAUSE, 10, "nausea"),
        ev(EventKind.RESUME, 15),
    ]
    times = derive_times(events)
    assert [(p.start, p.end, p.reason) for p in times.pauses] == [(at(10), at(15), "nausea")]
    assert times.infusion_elapsed(at(30)) == timedelta(minutes=25)
    assert not times.paused


def test_elapsed_is_frozen_while_paused() -> None:
    times = derive_times([CHECK_IN, ev(EventKind.START, 0), ev(EventKind.PAUSE, 10, "BP high")])
    assert times.paused
    assert times.infusion_elapsed(at(10)) == timedelta(minutes=10)
    assert times.infusion_elapsed(at(25)) == timedelta(minutes=10)
    assert times.current_pause(at(25)) == timedelta(minutes=15)


def test_two_pauses_are_both_excluded() -> None:
    events = [
        CHECK_IN,
        ev(EventKind.START, 0),
        ev(EventKind.PAUSE, 5, "IV line"),
        ev(EventKind.RESUME, 8),
        ev(EventKind.PAUSE, 20, "nausea"),
        ev(EventKind.RESUME, 30),
    ]
    assert derive_times(events).infusion_elapsed(at(50)) == timedelta(minutes=37)


def test_stop_while_paused_closes_the_pause_and_freezes_the_timer() -> None:
    events = [
        CHECK_IN,
        ev(EventKind.START, 0),
        ev(EventKind.PAUSE, 30, "agitation"),
        ev(EventKind.STOP, 34),
    ]
    times = derive_times(events)
    assert times.ended_at == at(34)
    assert times.pauses[-1].end == at(34)
    assert not times.paused
    assert times.current_pause(at(40)) == timedelta(0)
    assert times.infusion_elapsed(at(34)) == timedelta(minutes=30)
    assert times.infusion_elapsed(at(300)) == timedelta(minutes=30)
    assert times.since_end(at(41)) == timedelta(minutes=7)


def test_stop_freezes_the_timer_and_starts_the_recovery_clock() -> None:
    times = derive_times([CHECK_IN, ev(EventKind.START, 2), ev(EventKind.STOP, 42)])
    assert times.infusion_elapsed(at(42)) == timedelta(minutes=40)
    assert times.infusion_elapsed(at(90)) == timedelta(minutes=40)
    assert times.since_end(at(42)) == timedelta(0)
    assert times.since_end(at(72)) == timedelta(minutes=30)


def test_cancel_mid_infusion_ends_the_infusion_at_the_cancel() -> None:
    events = [CHECK_IN, ev(EventKind.START, 0), ev(EventKind.CANCEL, 12, "patient request")]
    times = derive_times(events)
    assert times.ended_at == at(12)
    assert times.infusion_elapsed(at(60)) == timedelta(minutes=12)


def test_cancel_while_paused_closes_the_pause() -> None:
    events = [
        CHECK_IN,
        ev(EventKind.START, 0),
        ev(EventKind.PAUSE, 10, "nausea"),
        ev(EventKind.CANCEL, 25, "vomiting"),
    ]
    times = derive_times(events)
    assert times.ended_at == at(25)
    assert times.pauses[-1].end == at(25)
    assert not times.paused
    assert times.infusion_elapsed(at(60)) == timedelta(minutes=10)


def test_cancel_before_the_start_runs_no_infusion() -> None:
    times = derive_times([CHECK_IN, ev(EventKind.CANCEL, 3, "no escort")])
    assert times.started_at is None and times.ended_at is None
    assert times.infusion_elapsed(at(60)) == timedelta(0)
    assert times.since_end(at(60)) == timedelta(0)


def test_cancel_in_recovery_keeps_the_stop_as_the_end() -> None:
    events = [
        CHECK_IN,
        ev(EventKind.START, 0),
        ev(EventKind.STOP, 40),
        ev(EventKind.CANCEL, 50, "left AMA"),
    ]
    times = derive_times(events)
    assert times.ended_at == at(40)
    assert times.infusion_elapsed(at(90)) == timedelta(minutes=40)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "00:00"),
        (timedelta(seconds=59.999), "00:59"),
        (timedelta(seconds=61), "01:01"),
        (timedelta(minutes=40), "40:00"),
        (timedelta(minutes=62, seconds=5), "62:05"),
        (timedelta(hours=3), "180:00"),
        (timedelta(seconds=-1), "00:00"),
        (timedelta(minutes=-90), "00:00"),
    ],
)
def test_format_duration(value: timedelta, text: str) -> None:
    assert format_duration(value) == text


# -- property: elapsed = wall time - paused time, and never goes backwards ----------------

# After the start, a session runs and pauses in (running seconds, paused seconds) stretches,
# then runs once more and either keeps running, pauses for good, stops or is cancelled.
stretches = st.lists(st.tuples(st.integers(0, 3600), st.integers(1, 1800)), min_size=0, max_size=6)


@st.composite
def sessions(draw):
    start_after = draw(st.integers(0, 1800))
    plan = draw(stretches)
    tail_run = draw(st.integers(0, 3600))
    ending = draw(st.sampled_from(["running", "paused", "stopped", "cancelled"]))
    t = start_after
    events = [SessionEvent(EventKind.CHECK_IN, T0, "n"), _sev(EventKind.START, t)]
    pauses: list[tuple[int, int | None]] = []
    for run, pause in plan:
        t += run
        events.append(_sev(EventKind.PAUSE, t, "reason"))
        events.append(_sev(EventKind.RESUME, t + pause))
        pauses.append((t, t + pause))
        t += pause
    t += tail_run
    end: int | None = None
    if ending == "paused":
        events.append(_sev(EventKind.PAUSE, t, "reason"))
        pauses.append((t, None))
    elif ending in ("stopped", "cancelled"):
        kind = EventKind.STOP if ending == "stopped" else EventKind.CANCEL
        events.append(_sev(kind, t, "reason"))
        end = t
    nows = sorted(draw(st.lists(st.integers(0, t + 7200), min_size=1, max_size=8)))
    return events, start_after, pauses, end, nows


def _sev(kind: EventKind, second: int, reason: str = "") -> SessionEvent:
    return SessionEvent(kind, T0 + timedelta(seconds=second), "n", reason)


def _expected_elapsed(start: int, pauses, end: int | None, now: int) -> int:
    """Wall time from start to (end or now), minus the paused time inside that window."""
    until = end if end is not None else now
    if until <= start:
        return 0
    paused = 0
    for p_start, p_end in pauses:
        p_end = until if p_end is None else min(p_end, until)
        paused += max(0, p_end - max(p_start, start))
    return until - start - paused


@given(sessions())
def test_elapsed_is_wall_time_minus_paused_time_and_monotonic(case) -> None:
    events, start, pauses, end, nows = case
    times = derive_times(events)
    assert replay(events).paused == times.paused  # the record obeys the session rules
    previous = timedelta(0)
    for now in nows:
        elapsed = times.infusion_elapsed(T0 + timedelta(seconds=now))
        assert elapsed == timedelta(seconds=_expected_elapsed(start, pauses, end, now))
        assert elapsed >= previous
        previous = elapsed
    assert times.paused == (end is None and bool(pauses) and pauses[-1][1] is None)
