"""An infusion session: its phases, the events that move it, and the rules between them.

The events are the record. Phase and timers are derived from them, so a restart, a crash
or a second workstation always sees the same state.

A new discharge needs a DischargeDecision (domain/discharge.py: the checklist met, or the
patient leaving against medical advice); `transition` refuses one without it, and refuses
to cancel a session whose infusion has started. `replay` reads what is already recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ketamon.domain import fields
from ketamon.domain.discharge import DischargeDecision
from ketamon.domain.errors import DomainError, FieldError


class Phase(StrEnum):
    CHECKED_IN = "checked_in"
    INFUSING = "infusing"
    RECOVERY = "recovery"
    DISCHARGED = "discharged"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _PHASE_LABELS[self]

    @property
    def active(self) -> bool:
        return self in ACTIVE_PHASES


_PHASE_LABELS = {
    Phase.CHECKED_IN: "Checked in",
    Phase.INFUSING: "Infusing",
    Phase.RECOVERY: "Recovery",
    Phase.DISCHARGED: "Discharged",
    Phase.CANCELLED: "Cancelled",
}
ACTIVE_PHASES = frozenset({Phase.CHECKED_IN, Phase.INFUSING, Phase.RECOVERY})
# Once dosing has begun the patient may be sedated: a session in these phases ends only
# through discharge (the checklist, or against medical advice), never by cancelling.
# Records cancelled in these phases before this rule still replay.
DOSED_PHASES = frozenset({Phase.INFUSING, Phase.RECOVERY})


class EventKind(StrEnum):
    CHECK_IN = "check_in"
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    DISCHARGE = "discharge"
    CANCEL = "cancel"
    RATE_CHANGE = "rate_change"  # a new pump rate (rate_ml_h); the phase does not change

    @property
    def label(self) -> str:
        return _EVENT_LABELS[self]


_EVENT_LABELS = {
    EventKind.CHECK_IN: "Checked in",
    EventKind.START: "Infusion started",
    EventKind.PAUSE: "Infusion paused",
    EventKind.RESUME: "Infusion resumed",
    EventKind.STOP: "Infusion stopped",
    EventKind.DISCHARGE: "Discharged",
    EventKind.CANCEL: "Session cancelled",
    EventKind.RATE_CHANGE: "Infusion rate changed",
}
REASON_REQUIRED = frozenset({EventKind.PAUSE, EventKind.CANCEL, EventKind.RATE_CHANGE})
_REASON_FOR = {
    EventKind.PAUSE: "pause the infusion",
    EventKind.CANCEL: "cancel the session",
    EventKind.RATE_CHANGE: "change the infusion rate",
}
RATE_RANGE_ML_H = (0.1, 999.0)  # what a pump set for a ketamine infusion can plausibly read


@dataclass(frozen=True)
class SessionEvent:
    kind: EventKind
    at: datetime
    actor: str
    reason: str = ""
    rate_ml_h: float | None = None  # rate changes only


@dataclass(frozen=True)
class SessionState:
    """Where a session stands: its phase and whether the infusion is paused."""

    phase: Phase
    paused: bool = False

    @property
    def label(self) -> str:
        return "Paused" if self.paused else self.phase.label


def replay(events: tuple[SessionEvent, ...] | list[SessionEvent]) -> SessionState:
    """The state a sequence of events leads to (each one checked against the rules)."""
    if not events or events[0].kind is not EventKind.CHECK_IN:
        raise DomainError("A session's record must begin with its check-in")
    state = SessionState(Phase.CHECKED_IN)
    for event in events[1:]:
        state = _next(state, event.kind, event.reason)
    return state


def transition(
    state: SessionState,
    kind: EventKind,
    reason: str = "",
    *,
    decision: DischargeDecision | None = None,
) -> SessionState:
    """The state after a new `kind`, or DomainError saying plainly why it is not allowed.

    A discharge needs the `decision` that allows it (made only by domain/discharge.py)."""
    if kind is EventKind.DISCHARGE and not isinstance(decision, DischargeDecision):
        _next(state, kind, reason)  # "stop the infusion first" and the like come first
        raise DomainError(
            "Discharge through the discharge checklist (every criterion met) or "
            "'Left against medical advice'"
        )
    if kind is EventKind.CANCEL and state.phase in DOSED_PHASES:
        raise DomainError(
            "Cannot cancel: the infusion has been started, so the patient leaves through "
            "recovery. Stop the infusion, then discharge with the checklist or record "
            "'Left against medical advice'"
        )
    return _next(state, kind, reason)


def _next(state: SessionState, kind: EventKind, reason: str) -> SessionState:
    phase = state.phase
    if not phase.active:
        raise DomainError(f"This session is already {phase.label.lower()}")
    if kind in REASON_REQUIRED and not reason.strip():
        raise DomainError(f"A reason is required to {_REASON_FOR[kind]}")
    if kind is EventKind.CHECK_IN:
        raise DomainError("This patient is already checked in")
    if kind is EventKind.CANCEL:
        return SessionState(Phase.CANCELLED)
    if kind is EventKind.START:
        if phase is not Phase.CHECKED_IN:
            raise DomainError("The infusion has already been started")
        return SessionState(Phase.INFUSING)
    if kind is EventKind.DISCHARGE:
        if phase is Phase.CHECKED_IN:
            raise DomainError(
                "Cannot discharge: the infusion has not been started (cancel the session instead)"
            )
        if phase is not Phase.RECOVERY:
            raise DomainError("Cannot discharge: stop the infusion first")
        return SessionState(Phase.DISCHARGED)
    # pause, resume, stop and rate changes need a running infusion
    if phase is Phase.CHECKED_IN:
        verb = {
            EventKind.PAUSE: "pause",
            EventKind.RESUME: "resume",
            EventKind.STOP: "stop",
            EventKind.RATE_CHANGE: "change the rate",
        }
        raise DomainError(f"Cannot {verb[kind]}: the infusion has not been started")
    if phase is Phase.RECOVERY:
        raise DomainError("The infusion has already been stopped")
    if kind is EventKind.PAUSE:
        if state.paused:
            raise DomainError("The infusion is already paused")
        return SessionState(Phase.INFUSING, paused=True)
    if kind is EventKind.RESUME:
        if not state.paused:
            raise DomainError("Cannot resume: the infusion is not paused")
        return SessionState(Phase.INFUSING)
    if kind is EventKind.STOP:
        return SessionState(Phase.RECOVERY)
    if kind is EventKind.RATE_CHANGE:
        return state  # the rate is recorded; phase and pause are unchanged
    raise DomainError(f"Unknown action {kind!r}")  # pragma: no cover


def check_event_time(events: tuple[SessionEvent, ...] | list[SessionEvent], at: datetime) -> None:
    """Events are recorded in order; a clock behind the last event is refused, not hidden."""
    if events and at < events[-1].at:
        last = events[-1]
        raise DomainError(
            f"This computer's clock reads earlier than the last recorded event "
            f"({last.kind.label.lower()}); check the clock before continuing"
        )


def validate_rate(rate_ml_h: float | None) -> float:
    """A new pump rate in mL/h, or FieldError naming the field and the allowed range."""
    low, high = RATE_RANGE_ML_H
    if rate_ml_h is None:
        raise FieldError("rate_ml_h", f"New rate must be {low:g}–{high:g} mL/h")
    rate = fields.number("rate_ml_h", rate_ml_h, low, high, label="New rate", unit="mL/h")
    return round(rate, 2)


def is_early_stop(infusion_elapsed: timedelta, target_minutes: int) -> bool:
    """Stopping before the target duration is reached (paused time does not count)."""
    return infusion_elapsed < timedelta(minutes=target_minutes)


def check_stop(infusion_elapsed: timedelta, target_minutes: int, reason: str) -> None:
    """An early stop needs a reason; a stop at or after the target does not."""
    if is_early_stop(infusion_elapsed, target_minutes) and not reason.strip():
        raise FieldError(
            "reason",
            f"A reason is required to stop before the target of {target_minutes} minutes",
        )
