"""Where the next session falls in a patient's treatment course."""

from __future__ import annotations

import pytest

from ketamon.domain.courses import INITIAL, MAINTENANCE, CoursePlace, next_session_place


def test_first_session_opens_an_initial_course() -> None:
    assert next_session_place(None, None, 0) == CoursePlace(INITIAL, True, 1)


@pytest.mark.parametrize("completed", [0, 1, 2, 3, 4, 5])
def test_initial_course_continues_until_planned_sessions_are_done(completed: int) -> None:
    assert next_session_place(INITIAL, 6, completed) == CoursePlace(INITIAL, False, completed + 1)


def test_after_the_initial_course_maintenance_begins() -> None:
    assert next_session_place(INITIAL, 6, 6) == CoursePlace(MAINTENANCE, True, 1)
    # A course that somehow has more sessions than planned still moves on.
    assert next_session_place(INITIAL, 6, 7) == CoursePlace(MAINTENANCE, True, 1)


def test_course_length_is_the_courses_own_plan() -> None:
    assert next_session_place(INITIAL, 3, 2) == CoursePlace(INITIAL, False, 3)
    assert next_session_place(INITIAL, 3, 3) == CoursePlace(MAINTENANCE, True, 1)


@pytest.mark.parametrize("completed", [0, 1, 5, 40])
def test_maintenance_never_ends(completed: int) -> None:
    assert next_session_place(MAINTENANCE, None, completed) == CoursePlace(
        MAINTENANCE, False, completed + 1
    )


def test_an_initial_course_without_a_plan_keeps_counting() -> None:
    assert next_session_place(INITIAL, None, 9) == CoursePlace(INITIAL, False, 10)
