"""When the next vitals set is due, derived from stored times (never counted by ticks).

Default schedule (clinic settings): baseline within 10 minutes of check-in; every 15
minutes during the infusion (wall clock: monitoring goes on through pauses); one when 40
minutes of infusion have run (pauses excluded: it follows the dose); one at infusion end;
every 15 minutes in recovery; one before discharge, when the minimum observation time after
the infusion is over (it names the recovery point it falls on). A set taken up to 5 minutes
early counts for its point; points closer together than that are merged (the 40-minute
mark, the infusion end or "before discharge" names the merged point). After a set with
red values, the next one is due within 5 minutes (setting): a red reading is checked
again soon, not at the next 15-minute point; any set taken after it answers the recheck.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ketamon.domain.errors import FieldError
from ketamon.domain.sessions import Phase
from ketamon.domain.timers import InfusionTimes, format_duration
from ketamon.domain.vitals import Grade


@dataclass(frozen=True)
class VitalsSchedule:
    baseline_within_minutes: int = 10
    infusion_every_minutes: int = 15
    infusion_marks_minutes: tuple[int, ...] = (40,)
    at_infusion_end: bool = True
    recovery_every_minutes: int = 15
    early_minutes: int = 5
    red_after_overdue_minutes: int = 5
    before_discharge_minutes: int | None = 30  # the minimum observation: one set then
    red_recheck_minutes: int = 5  # after a set with red values, the next within this

    def validate(self) -> None:
        if not 5 <= self.infusion_every_minutes <= 30:
            raise FieldError(
                "infusion_every_minutes", "Vitals during the infusion: every 5–30 minutes"
            )
        if not 5 <= self.recovery_every_minutes <= 60:
            raise FieldError("recovery_every_minutes", "Vitals in recovery: every 5–60 minutes")
        if (
            not 0
            <= self.early_minutes
            < min(self.infusion_every_minutes, self.recovery_every_minutes)
        ):
            raise FieldError("early_minutes", "The early allowance must be under the interval")
        if not 1 <= self.red_recheck_minutes <= 30:
            raise FieldError("red_recheck_minutes", "Recheck after red vitals: within 1–30 minutes")


RECHECK = "recheck after red values"


@dataclass(frozen=True)
class DuePoint:
    label: str
    at: datetime
    fixed: bool = False  # a clinical mark (40 min, infusion end) outranks a regular interval
    every_minutes: int | None = None  # a regular point: the interval it repeats at
    # Due from `at`, late only after this: a point no one could see coming (the infusion's
    # end, often early) is "due now" while the set is being taken, not late at once.
    grace: timedelta = timedelta(0)

    @property
    def reason(self) -> str:
        """What the set is for, read as an interval ("every 15 min") or as the one mark it
        answers ("at 40 min of infusion"), never as a second countdown."""
        if self.every_minutes is not None:
            where = "recovery, " if self.label.startswith("recovery") else ""
            return f"{where}every {self.every_minutes} min"
        if self.label in ("baseline", "before discharge", RECHECK):
            return self.label
        return f"at {self.label}"


@dataclass(frozen=True)
class Due:
    point: DuePoint
    now: datetime
    red_after: timedelta

    @property
    def overdue(self) -> timedelta:
        """How late the set is (after the point's grace; <= 0: not late)."""
        return self.now - self.point.at - self.point.grace

    @property
    def due_now(self) -> bool:
        return (
            self.point.grace > timedelta(0)
            and self.point.at <= self.now
            and self.overdue <= timedelta(0)
        )

    @property
    def grade(self) -> Grade:
        if self.overdue <= timedelta(0):
            return Grade.NORMAL
        return Grade.RED if self.overdue > self.red_after else Grade.AMBER

    @property
    def text(self) -> str:
        """Words that tell on-time, late (amber) and overdue (red) apart without colour."""
        reason = self.point.reason
        if self.due_now:
            return f"Vitals due now · {reason}"
        if self.overdue <= timedelta(0):
            return f"Vitals due in {format_duration(-self.overdue)} · {reason}"
        if self.grade is Grade.AMBER:
            return f"Vitals late {format_duration(self.overdue)} · {reason}"
        return f"VITALS OVERDUE {format_duration(self.overdue)} · {reason}"


def wall_time_at_infusion_minutes(
    times: InfusionTimes, minutes: float, now: datetime
) -> datetime | None:
    """When the infusion clock reaches `minutes` (pauses excluded), if it has or will."""
    if times.started_at is None:
        return None
    target = timedelta(minutes=minutes)
    cursor, ran = times.started_at, timedelta(0)
    for pause in times.pauses:
        if ran + (pause.start - cursor) >= target:
            return cursor + (target - ran)
        ran += pause.start - cursor
        if pause.end is None:
            return None  # paused now: not reached yet, time unknown
        cursor = pause.end
    end = times.ended_at
    reach = cursor + (target - ran)
    if end is not None and reach > end:
        return None
    return reach


def due_points(
    times: InfusionTimes, phase: Phase, schedule: VitalsSchedule, now: datetime
) -> list[DuePoint]:
    """Every scheduled point up to the next one after `now`, in time order, merged."""
    points: list[DuePoint] = []
    if phase is Phase.CHECKED_IN or times.started_at is None:
        points.append(
            DuePoint(
                "baseline",
                times.checked_in_at + timedelta(minutes=schedule.baseline_within_minutes),
            )
        )
        return points
    start = times.started_at
    end = times.ended_at
    step = timedelta(minutes=schedule.infusion_every_minutes)
    # Two intervals ahead: a set taken early for the next point still leaves one to show.
    horizon = end if end is not None else now + 2 * step
    k = 1
    while start + k * step <= horizon:
        points.append(
            DuePoint(
                f"{k * schedule.infusion_every_minutes} min",
                start + k * step,
                every_minutes=schedule.infusion_every_minutes,
            )
        )
        k += 1
    for mark in schedule.infusion_marks_minutes:
        at = wall_time_at_infusion_minutes(times, mark, now)
        if at is not None:
            points.append(DuePoint(f"{mark} min of infusion", at, fixed=True))
    if end is not None:
        if schedule.at_infusion_end:
            grace = timedelta(minutes=schedule.early_minutes)
            points.append(DuePoint("infusion end", end, fixed=True, grace=grace))
        if phase is Phase.RECOVERY:
            rstep = timedelta(minutes=schedule.recovery_every_minutes)
            k = 1
            while end + k * rstep <= now + 2 * rstep:
                points.append(
                    DuePoint(
                        f"recovery {k * schedule.recovery_every_minutes} min",
                        end + k * rstep,
                        every_minutes=schedule.recovery_every_minutes,
                    )
                )
                k += 1
            if schedule.before_discharge_minutes is not None:
                ready = end + timedelta(minutes=schedule.before_discharge_minutes)
                points.append(DuePoint("before discharge", ready, fixed=True))
    points.sort(key=lambda p: p.at)
    merged: list[DuePoint] = []
    early = timedelta(minutes=schedule.early_minutes)
    for point in points:
        if merged and point.at - merged[-1].at <= early:
            if point.fixed and not merged[-1].fixed:
                merged[-1] = point  # one set answers both: the clinical mark names it
            continue
        merged.append(point)
    return merged


def vitals_due(
    times: InfusionTimes,
    phase: Phase,
    taken: list[datetime],
    schedule: VitalsSchedule,
    now: datetime,
    red_at: datetime | None = None,
) -> Due | None:
    """The first point no set has answered yet; None once the session is over. `red_at`:
    when the latest set was taken if it has red values (its recheck is due within
    `red_recheck_minutes` unless a set was taken after it, or a scheduled point is
    sooner)."""
    if not phase.active:
        return None
    scheduled = _scheduled_due(times, phase, taken, schedule, now)
    if red_at is None or any(t > red_at for t in taken):
        return scheduled
    recheck_at = red_at + timedelta(minutes=schedule.red_recheck_minutes)
    point = DuePoint(RECHECK, recheck_at, fixed=True)
    if scheduled is not None and scheduled.point.at <= point.at:
        return scheduled
    return Due(point, now, timedelta(minutes=schedule.red_after_overdue_minutes))


def _scheduled_due(
    times: InfusionTimes,
    phase: Phase,
    taken: list[datetime],
    schedule: VitalsSchedule,
    now: datetime,
) -> Due | None:
    early = timedelta(minutes=schedule.early_minutes)
    remaining = sorted(taken)
    if phase is Phase.CHECKED_IN or times.started_at is None:
        has_baseline = any(t >= times.checked_in_at for t in remaining)
        if has_baseline:
            return None  # baseline taken: next one is due once the infusion starts
    for point in due_points(times, phase, schedule, now):
        match = next((t for t in remaining if t >= point.at - early), None)
        if match is None:
            return Due(point, now, timedelta(minutes=schedule.red_after_overdue_minutes))
        remaining.remove(match)
    return None
