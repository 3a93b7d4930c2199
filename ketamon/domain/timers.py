"""Infusion and recovery timers, derived from stored timestamps (never counted from ticks).

elapsed infusion = (end or now) - start - sum of pauses
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ketamon.domain.durations import format_duration as format_duration  # re-exported
from ketamon.domain.sessions import EventKind, SessionEvent

ZERO = timedelta(0)


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None
    reason: str


@dataclass(frozen=True)
class InfusionTimes:
    checked_in_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    pauses: tuple[Pause, ...]

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None and self.ended_at is None

    def infusion_elapsed(self, now: datetime) -> timedelta:
        if self.started_at is None:
            return ZERO
        until = self.ended_at or now
        paused = sum((max(ZERO, min(p.end or until, until) - p.start) for p in self.pauses), ZERO)
        return max(ZERO, until - self.started_at - paused)

    def current_pause(self, now: datetime) -> timedelta:
        if not self.paused:
            return ZERO
        return max(ZERO, now - self.pauses[-1].start)

    def since_end(self, now: datetime) -> timedelta:
        if self.ended_at is None:
            return ZERO
        return max(ZERO, now - self.ended_at)

    def since_check_in(self, now: datetime) -> timedelta:
        return max(ZERO, now - self.checked_in_at)


def derive_times(events: Sequence[SessionEvent]) -> InfusionTimes:
    checked_in = events[0].at
    started = ended = None
    pauses: list[Pause] = []
    for event in events:
        if event.kind is EventKind.START:
            started = event.at
        elif event.kind is EventKind.PAUSE:
            pauses.append(Pause(event.at, None, event.reason))
        elif event.kind is EventKind.RESUME and pauses and pauses[-1].end is None:
            pauses[-1] = Pause(pauses[-1].start, event.at, pauses[-1].reason)
        elif event.kind in (EventKind.STOP, EventKind.CANCEL) and started and not ended:
            ended = event.at
            if pauses and pauses[-1].end is None:
                pauses[-1] = Pause(pauses[-1].start, event.at, pauses[-1].reason)
    return InfusionTimes(checked_in, started, ended, tuple(pauses))
