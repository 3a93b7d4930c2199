"""Who is due for an infusion: the Due list's one rule.

A course is an initial series (clinic setting: six infusions, at most `series_max_gap_days`
apart), then boosters in a maintenance window after the last infusion (setting: 14–28
days). A patient is listed when the series is unfinished and the gap has grown past the
plan, when a booster is overdue, or when one falls due within the coming week; each row
says why, in words. Dates are the clinic's local calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ketamon.domain.courses import INITIAL

WEEK = 7


class DueLevel(StrEnum):
    OVERDUE = "overdue"  # a booster past its window
    SERIES_GAP = "series gap"  # the initial series interrupted beyond its plan
    DUE_NOW = "due now"  # today is within the window (the series: its last day)
    DUE_SOON = "due this week"

    @property
    def rank(self) -> int:
        return list(DueLevel).index(self)


@dataclass(frozen=True)
class CoursePlan:
    series_max_gap_days: int = 7
    maintenance_interval_days: tuple[int, int] = (14, 28)


@dataclass(frozen=True)
class CourseState:
    """A patient's latest course as the Due list needs it."""

    patient_id: int
    patient_name: str
    mrn: str
    kind: str  # initial | maintenance
    planned: int | None  # infusions in the series (initial courses)
    done: int  # infusions of this course that were given (not cancelled)
    last_infusion: date | None
    closed: bool = False
    plan: CoursePlan | None = None  # the patient's own (None: the clinic's, given to due_list)


@dataclass(frozen=True)
class DueItem:
    patient_id: int
    patient_name: str
    mrn: str
    level: DueLevel
    due_from: date
    due_by: date
    why: str


def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def due_item(state: CourseState, clinic: CoursePlan, today: date) -> DueItem | None:
    """Why this patient is due, or None (closed course, never infused, not due yet). The
    patient's own plan, when there is one, decides over the clinic's."""
    if state.closed or state.last_infusion is None:
        return None
    plan = state.plan or clinic
    last = state.last_infusion
    ago = (today - last).days
    in_series = state.kind == INITIAL and state.planned is not None and state.done < state.planned
    if in_series:
        assert state.planned is not None
        due_by = last + timedelta(days=plan.series_max_gap_days)
        next_one = f"infusion {state.done + 1} of {state.planned}"
        if today > due_by:
            why = (
                f"Series unfinished: {next_one} not given; the last was {ago} days ago "
                f"(plan: at most {plan.series_max_gap_days} days apart)"
            )
            return _item(state, DueLevel.SERIES_GAP, last, due_by, why)
        why = f"Series: {next_one} due by {_day(due_by)}"
        level = DueLevel.DUE_NOW if due_by == today else DueLevel.DUE_SOON
        return _item(state, level, last, due_by, why)
    low, high = plan.maintenance_interval_days
    due_from, due_by = last + timedelta(days=low), last + timedelta(days=high)
    window = f"every {low}–{high} days"
    if today > due_by:
        why = f"Booster overdue: last infusion {ago} days ago (plan: {window})"
        return _item(state, DueLevel.OVERDUE, due_from, due_by, why)
    if due_from <= today:
        why = f"Booster due now, by {_day(due_by)} (last infusion {ago} days ago; {window})"
        return _item(state, DueLevel.DUE_NOW, due_from, due_by, why)
    if due_from <= today + timedelta(days=WEEK):
        why = f"Booster due from {_day(due_from)} to {_day(due_by)} ({window})"
        return _item(state, DueLevel.DUE_SOON, due_from, due_by, why)
    return None


def _item(state: CourseState, level: DueLevel, start: date, end: date, why: str) -> DueItem:
    return DueItem(state.patient_id, state.patient_name, state.mrn, level, start, end, why)


def due_list(states: list[CourseState], plan: CoursePlan, today: date) -> list[DueItem]:
    """Everyone due, the most urgent first: overdue, series gaps, due now, due this week;
    within a level the earliest deadline first, then by name."""
    items = [i for s in states if (i := due_item(s, plan, today)) is not None]
    return sorted(items, key=lambda i: (i.level.rank, i.due_by, i.patient_name, i.patient_id))
