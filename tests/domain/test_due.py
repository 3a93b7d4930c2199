"""The Due list's rule: an interrupted series, an overdue booster, a booster due now or this
week, each in words; closed courses and patients never infused are not listed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamon.domain.due import CoursePlan, CourseState, DueLevel, due_item, due_list

TODAY = date(2026, 12, 2)  # a Wednesday
PLAN = CoursePlan(series_max_gap_days=7, maintenance_interval_days=(14, 28))


def state(days_ago: int | None, kind="initial", done=3, planned=6, closed=False, name="Ana Ruiz"):
    last = None if days_ago is None else TODAY - timedelta(days=days_ago)
    return CourseState(
        1, name, "MRN1", kind, planned if kind == "initial" else None, done, last, closed
    )


def test_an_interrupted_series_is_listed_with_why() -> None:
    item = due_item(state(9), PLAN, TODAY)
    assert item is not None and item.level is DueLevel.SERIES_GAP
    assert item.why == (
        "Series unfinished: infusion 4 of 6 not given; the last was 9 days ago "
        "(plan: at most 7 days apart)"
    )


@pytest.mark.parametrize(("days_ago", "level"), [(2, DueLevel.DUE_SOON), (7, DueLevel.DUE_NOW)])
def test_a_series_on_track_is_due_by_its_longest_gap(days_ago: int, level: DueLevel) -> None:
    item = due_item(state(days_ago), PLAN, TODAY)
    assert item is not None and item.level is level
    assert item.due_by == TODAY + timedelta(days=7 - days_ago)
    assert item.why.startswith("Series: infusion 4 of 6 due by ")


def test_boosters_after_the_series_follow_the_maintenance_window() -> None:
    finished = dict(done=6)
    assert due_item(state(3, **finished), PLAN, TODAY) is None  # not due for 11 days
    soon = due_item(state(8, **finished), PLAN, TODAY)
    assert soon is not None and soon.level is DueLevel.DUE_SOON
    assert soon.why == "Booster due from Tue 8 Dec to Tue 22 Dec (every 14–28 days)"
    now = due_item(state(20, kind="maintenance", done=2), PLAN, TODAY)
    assert now is not None and now.level is DueLevel.DUE_NOW
    assert now.why.startswith("Booster due now, by ") and "last infusion 20 days ago" in now.why
    late = due_item(state(31, kind="maintenance", done=2), PLAN, TODAY)
    assert late is not None and late.level is DueLevel.OVERDUE
    assert late.why == "Booster overdue: last infusion 31 days ago (plan: every 14–28 days)"


def test_closed_courses_and_patients_never_infused_are_not_listed() -> None:
    assert due_item(state(40, closed=True), PLAN, TODAY) is None
    assert due_item(state(None), PLAN, TODAY) is None


def test_the_list_puts_the_most_urgent_first() -> None:
    states = [
        state(8, done=6, name="Soon"),
        state(31, kind="maintenance", name="Late"),
        state(9, name="Gap"),
        state(20, kind="maintenance", name="Now"),
    ]
    assert [i.patient_name for i in due_list(states, PLAN, TODAY)] == ["Late", "Gap", "Now", "Soon"]


@given(st.integers(0, 400), st.sampled_from(["initial", "maintenance"]), st.integers(0, 8))
def test_every_listed_patient_has_a_reason_and_a_window_in_order(days_ago, kind, done) -> None:
    item = due_item(state(days_ago, kind=kind, done=done), PLAN, TODAY)
    if item is not None:
        assert item.why and item.due_from <= item.due_by
        late = item.due_by < TODAY
        assert late == (item.level in {DueLevel.OVERDUE, DueLevel.SERIES_GAP})
