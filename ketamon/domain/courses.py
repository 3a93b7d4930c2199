"""Treatment courses: an initial series (default six infusions), then maintenance."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ketamon.domain.errors import FieldError

INITIAL = "initial"
MAINTENANCE = "maintenance"


@dataclass(frozen=True)
class CoursePlace:
    """Where the next session falls: which course kind, and whether a new course opens."""

    kind: str
    new_course: bool
    number: int


def next_session_place(
    current_kind: str | None, planned: int | None, completed: int, *, closed: bool = False
) -> CoursePlace:
    """`completed` counts the current course's sessions that were not cancelled; after a
    closed course (or none) a new initial series opens."""
    if current_kind is None or closed:
        return CoursePlace(INITIAL, True, 1)
    if current_kind == INITIAL and planned is not None and completed >= planned:
        return CoursePlace(MAINTENANCE, True, 1)
    return CoursePlace(current_kind, False, completed + 1)


class CourseEnd(StrEnum):
    """Why a course was closed (the next check-in opens a new initial series)."""

    COMPLETED = "completed"
    NON_RESPONSE = "non_response"
    PATIENT_STOPPED = "patient_stopped"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _END_LABELS[self]


_END_LABELS = {
    CourseEnd.COMPLETED: "Completed",
    CourseEnd.NON_RESPONSE: "Stopped for non-response",
    CourseEnd.PATIENT_STOPPED: "Stopped by the patient",
    CourseEnd.OTHER: "Closed",
}


@dataclass(frozen=True)
class PatientPlan:
    """A patient's own course plan; None in a field: the clinic's setting."""

    series_length: int | None = None
    interval_days: tuple[int, int] | None = None

    def validated(self) -> PatientPlan:
        if self.series_length is not None and (
            isinstance(self.series_length, bool)
            or not isinstance(self.series_length, int)
            or not 1 <= self.series_length <= 30
        ):
            raise FieldError("series_length", "Series length must be 1–30 infusions")
        if self.interval_days is not None:
            low, high = self.interval_days
            if not all(isinstance(d, int) and not isinstance(d, bool) for d in (low, high)) or not (
                1 <= low <= high <= 365
            ):
                raise FieldError(
                    "interval_days", "Maintenance interval is from–to days, 1–365 (e.g. 14–28)"
                )
        return self

    def series_or(self, clinic_default: int) -> int:
        return self.series_length if self.series_length is not None else clinic_default

    def interval_or(self, clinic_default: tuple[int, int]) -> tuple[int, int]:
        return self.interval_days if self.interval_days is not None else clinic_default
