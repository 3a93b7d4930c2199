"""Treatment courses: an initial series (default six infusions), then maintenance."""

from __future__ import annotations

from dataclasses import dataclass

INITIAL = "initial"
MAINTENANCE = "maintenance"


@dataclass(frozen=True)
class CoursePlace:
    """Where the next session falls: which course kind, and whether a new course opens."""

    kind: str
    new_course: bool
    number: int


def next_session_place(
    current_kind: str | None, planned: int | None, completed: int
) -> CoursePlace:
    """`completed` counts the current course's sessions that were not cancelled."""
    if current_kind is None:
        return CoursePlace(INITIAL, True, 1)
    if current_kind == INITIAL and planned is not None and completed >= planned:
        return CoursePlace(MAINTENANCE, True, 1)
    return CoursePlace(current_kind, False, completed + 1)
