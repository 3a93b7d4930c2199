"""The session state machine: every allowed transition, every refused one, and its message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ketamon.domain.discharge import DischargeRules, evaluate, release
from ketamon.domain.errors import DomainError
from ketamon.domain.sessions import (
    ACTIVE_PHASES,
    EventKind,
    Phase,
    SessionEvent,
    SessionState,
    check_event_time,
    replay,
    transition,
)
from tests.conftest import T0
from tests.domain.test_discharge import FACTS, READY

CHECKED_IN = SessionState(Phase.CHECKED_IN)
INFUSING = SessionState(Phase.INFUSING)
PAUSED = SessionState(Phase.INFUSING, paused=True)
RECOVERY = SessionState(Phase.RECOVERY)
DISCHARGED = SessionState(Phase.DISCHARGED)
CANCELLED = SessionState(Phase.CANCELLED)
ALL_STATES = [CHECKED_IN, INFUSING, PAUSED, RECOVERY, DISCHARGED, CANCELLED]
CANCEL_AFTER_START = (
    "Cannot cancel: the infusion has been started, so the patient leaves through recovery. "
    "Stop the infusion, then discharge with the checklist or record "
    "'Left against medical advice'"
)

# The complete table of what is allowed: (state, action) -> state after.
ALLOWED = {
    (CHECKED_IN, EventKind.START): INFUSING,
    (CHECKED_IN, EventKind.CANCEL): CANCELLED,
    (INFUSING, EventKind.PAUSE): PAUSED,
    (INFUSING, EventKind.STOP): RECOVERY,
    (PAUSED, EventKind.RESUME): INFUSING,
    (PAUSED, EventKind.STOP): RECOVERY,
    (INFUSING, EventKind.RATE_CHANGE): INFUSING,  # the rate changes, the phase does not
    (PAUSED, EventKind.RATE_CHANGE): PAUSED,
    (RECOVERY, EventKind.DISCHARGE): DISCHARGED,
}


# The checklist met: the only leave to discharge besides leaving against advice.
LEAVE = release(evaluate(READY, FACTS, DischargeRules()))


def _id(state: SessionState) -> str:
    return state.label.lower().replace(" ", "_")


def _with_leave(kind: EventKind) -> dict:
    return {"decision": LEAVE} if kind is EventKind.DISCHARGE else {}


@pytest.mark.parametrize(
    ("state", "kind", "after"),
    [(s, k, a) for (s, k), a in ALLOWED.items()],
    ids=[f"{_id(s)}-{k.value}" for (s, k) in ALLOWED],
)
def test_allowed_transition(state: SessionState, kind: EventKind, after: SessionState) -> None:
    assert transition(state, kind, "a reason", **_with_leave(kind)) == after


@pytest.mark.parametrize("decision", [None, "checklist met", object()])
def test_a_discharge_without_the_domains_decision_is_refused(decision) -> None:
    with pytest.raises(DomainError) as refused:
        transition(RECOVERY, EventKind.DISCHARGE, "", decision=decision)
    assert str(refused.value) == (
        "Discharge through the discharge checklist (every criterion met) or "
        "'Left against medical advice'"
    )


REFUSED = [(s, k) for s in ALL_STATES for k in EventKind if (s, k) not in ALLOWED]


@pytest.mark.parametrize(
    ("state", "kind"), REFUSED, ids=[f"{_id(s)}-{k.value}" for s, k in REFUSED]
)
def test_everything_outside_the_table_is_refused(state: SessionState, kind: EventKind) -> None:
    # A reason (and a discharge decision) is given so that the refusal is about the phase.
    with pytest.raises(DomainError) as refused:
        transition(state, kind, "a reason", **_with_leave(kind))
    assert str(refused.value)  # a nurse-readable message, never empty


@pytest.mark.parametrize(
    ("state", "kind", "message"),
    [
        (INFUSING, EventKind.START, "The infusion has already been started"),
        (PAUSED, EventKind.START, "The infusion has already been started"),
        (RECOVERY, EventKind.START, "The infusion has already been started"),
        (CHECKED_IN, EventKind.STOP, "Cannot stop: the infusion has not been started"),
        (CHECKED_IN, EventKind.PAUSE, "Cannot pause: the infusion has not been started"),
        (CHECKED_IN, EventKind.RESUME, "Cannot resume: the infusion has not been started"),
        (INFUSING, EventKind.RESUME, "Cannot resume: the infusion is not paused"),
        (PAUSED, EventKind.PAUSE, "The infusion is already paused"),
        (RECOVERY, EventKind.PAUSE, "The infusion has already been stopped"),
        (RECOVERY, EventKind.RESUME, "The infusion has already been stopped"),
        (RECOVERY, EventKind.STOP, "The infusion has already been stopped"),
        (
            CHECKED_IN,
            EventKind.DISCHARGE,
            "Cannot discharge: the infusion has not been started (cancel the session instead)",
        ),
        (INFUSING, EventKind.DISCHARGE, "Cannot discharge: stop the infusion first"),
        (PAUSED, EventKind.DISCHARGE, "Cannot discharge: stop the infusion first"),
        (CHECKED_IN, EventKind.CHECK_IN, "This patient is already checked in"),
        *((state, EventKind.CANCEL, CANCEL_AFTER_START) for state in (INFUSING, PAUSED, RECOVERY)),
        (INFUSING, EventKind.CHECK_IN, "This patient is already checked in"),
    ],
)
def test_refusal_message(state: SessionState, kind: EventKind, message: str) -> None:
    with pytest.raises(DomainError) as refused:
        transition(state, kind, "a reason", **_with_leave(kind))
    assert str(refused.value) == message


@pytest.mark.parametrize("kind", list(EventKind))
@pytest.mark.parametrize(("state", "word"), [(DISCHARGED, "discharged"), (CANCELLED, "cancelled")])
def test_nothing_happens_after_discharge_or_cancel(
    state: SessionState, word: str, kind: EventKind
) -> None:
    with pytest.raises(DomainError) as refused:
        transition(state, kind, "a reason", **_with_leave(kind))
    assert str(refused.value) == f"This session is already {word}"


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_pause_needs_a_reason(reason: str) -> None:
    with pytest.raises(DomainError) as refused:
        transition(INFUSING, EventKind.PAUSE, reason)
    assert str(refused.value) == "A reason is required to pause the infusion"


@pytest.mark.parametrize("reason", ["", "  "])
def test_cancel_needs_a_reason(reason: str) -> None:
    with pytest.raises(DomainError) as refused:
        transition(CHECKED_IN, EventKind.CANCEL, reason)
    assert str(refused.value) == "A reason is required to cancel the session"


@pytest.mark.parametrize("state", [INFUSING, PAUSED, RECOVERY])
@pytest.mark.parametrize("reason", ["", "started in error"])
def test_once_dosing_began_cancel_is_refused_with_or_without_a_reason(
    state: SessionState, reason: str
) -> None:
    # A patient who may be sedated leaves through recovery and discharge, never a cancel.
    with pytest.raises(DomainError) as refused:
        transition(state, EventKind.CANCEL, reason)
    assert str(refused.value) == CANCEL_AFTER_START


@pytest.mark.parametrize(
    "before",
    [[EventKind.START], [EventKind.START, EventKind.PAUSE], [EventKind.START, EventKind.STOP]],
)
def test_a_record_cancelled_after_the_start_before_the_rule_still_replays(before) -> None:
    kinds = [EventKind.CHECK_IN, *before, EventKind.CANCEL]
    events = [
        SessionEvent(kind, T0 + timedelta(minutes=i), "kim", reason="a reason")
        for i, kind in enumerate(kinds)
    ]
    assert replay(events) == CANCELLED


@pytest.mark.parametrize(
    ("state", "kind"),
    [
        (CHECKED_IN, EventKind.START),
        (PAUSED, EventKind.RESUME),
        (INFUSING, EventKind.STOP),
        (RECOVERY, EventKind.DISCHARGE),
    ],
)
def test_other_actions_need_no_reason(state: SessionState, kind: EventKind) -> None:
    assert transition(state, kind, "", **_with_leave(kind)) == ALLOWED[(state, kind)]


def test_phases_active_and_labels() -> None:
    assert {Phase.CHECKED_IN, Phase.INFUSING, Phase.RECOVERY} == ACTIVE_PHASES
    assert [p for p in Phase if p.active] == [Phase.CHECKED_IN, Phase.INFUSING, Phase.RECOVERY]
    assert not Phase.DISCHARGED.active and not Phase.CANCELLED.active
    assert PAUSED.label == "Paused"
    assert INFUSING.label == "Infusing"
    assert CHECKED_IN.label == "Checked in"
    assert all(kind.label for kind in EventKind)


def _event(kind: EventKind, minute: float, reason: str = "") -> SessionEvent:
    return SessionEvent(kind, T0 + timedelta(minutes=minute), "nurse.jo", reason)


def test_replay_walks_a_whole_session() -> None:
    events = [
        _event(EventKind.CHECK_IN, 0),
        _event(EventKind.START, 5),
        _event(EventKind.PAUSE, 10, "nausea"),
    ]
    assert replay(events) == PAUSED
    events += [_event(EventKind.RESUME, 12), _event(EventKind.STOP, 47)]
    assert replay(events) == RECOVERY
    events.append(_event(EventKind.DISCHARGE, 90))
    assert replay(tuple(events)) == DISCHARGED


def test_replay_needs_a_check_in_first() -> None:
    with pytest.raises(DomainError, match="must begin with its check-in"):
        replay([])
    with pytest.raises(DomainError, match="must begin with its check-in"):
        replay([_event(EventKind.START, 0)])


def test_replay_refuses_a_record_that_breaks_the_rules() -> None:
    with pytest.raises(DomainError, match="already been started"):
        replay(
            [_event(EventKind.CHECK_IN, 0), _event(EventKind.START, 1), _event(EventKind.START, 2)]
        )


def test_clock_going_backwards_is_refused() -> None:
    events = [_event(EventKind.CHECK_IN, 0), _event(EventKind.START, 5)]
    with pytest.raises(DomainError) as refused:
        check_event_time(events, T0 + timedelta(minutes=4, seconds=59))
    message = str(refused.value)
    assert "clock reads earlier than the last recorded event" in message
    assert "(infusion started)" in message


def test_clock_at_or_after_the_last_event_is_accepted() -> None:
    events = [_event(EventKind.CHECK_IN, 0), _event(EventKind.START, 5)]
    assert check_event_time(events, T0 + timedelta(minutes=5)) is None  # same instant
    assert check_event_time(events, T0 + timedelta(minutes=6)) is None
    assert check_event_time([], T0 - timedelta(days=1)) is None  # nothing recorded yet
