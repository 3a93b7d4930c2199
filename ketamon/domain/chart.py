"""A patient's chart across the course: every session in one line, the courses with their
shape, the questionnaires' trends and the course's response, and the escorts used before.

The patient's page, the physician's review, the check-in confirmation and the course report
read the same PatientChart, so "Infusion 4 of 6 · PHQ-9 19 → 11" means the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from ketamon.domain.courses import INITIAL, CourseEnd, PatientPlan, next_session_place
from ketamon.domain.instruments import Instrument
from ketamon.domain.outcomes import CourseResponse, OutcomeRecord
from ketamon.domain.patients import Patient
from ketamon.domain.sessions import Phase


@dataclass(frozen=True)
class SessionLine:
    session_id: int
    course_id: int
    number_in_course: int
    checked_in_at: datetime
    chair: str
    phase: str  # the session's phase value (checked_in ... discharged, cancelled)
    review_status: str | None
    mg_per_kg: float | None  # planned
    given_mg: float | None  # what the dose record says was given
    peak_bp: tuple[int, int] | None  # the current set with the highest systolic
    side_effects: tuple[str, ...]  # "Nausea (moderate)", current ones only
    phq9: int | None  # the session's newest current PHQ-9 total
    gad7: int | None


@dataclass(frozen=True)
class CourseLine:
    id: int
    kind: str  # initial | maintenance
    started_at: datetime
    planned: int | None
    sessions: tuple[SessionLine, ...]
    response: CourseResponse | None  # PHQ-9: the course's first against its newest
    ended_at: datetime | None = None
    end: CourseEnd | None = None
    end_reason: str = ""

    @property
    def label(self) -> str:
        if self.kind == INITIAL:
            planned = f" of {self.planned}" if self.planned else ""
            text = f"Initial series ({len(self.given)}{planned} given)"
        else:
            text = f"Maintenance ({len(self.given)} given)"
        return f"{text}, {self.end.label.lower()}" if self.end is not None else text

    @property
    def given(self) -> tuple[SessionLine, ...]:
        return tuple(s for s in self.sessions if s.phase != Phase.CANCELLED.value)


@dataclass(frozen=True)
class Escort:
    name: str
    relationship: str
    phone: str
    last_used: datetime


@dataclass(frozen=True)
class PatientChart:
    patient: Patient
    courses: tuple[CourseLine, ...]  # oldest first
    outcomes: tuple[OutcomeRecord, ...]  # every questionnaire, current or not, oldest first
    escorts: tuple[Escort, ...]  # newest first, one per name and phone
    plan: PatientPlan = PatientPlan()  # the patient's own (empty fields: the clinic's)

    @property
    def sessions(self) -> tuple[SessionLine, ...]:
        return tuple(s for c in self.courses for s in c.sessions)

    def trend(self, instrument: Instrument) -> list[tuple[datetime, int]]:
        """(time taken, total) of every current questionnaire of one kind, oldest first."""
        return [
            (r.taken_at, r.score.total)
            for r in self.outcomes
            if r.current and r.score.instrument is instrument
        ]

    @property
    def place(self) -> str:
        """'Infusion 4 of 6 · PHQ-9 19 → 11' for the newest course (check-in's line)."""
        if not self.courses:
            return "First infusion"
        course = self.courses[-1]
        count = len(course.given)
        text = f"Infusion {count} of {course.planned}" if course.planned else f"Infusion {count}"
        if course.kind != INITIAL:
            text = f"Maintenance infusion {count}"
        if course.response is not None:
            text += f" · PHQ-9 {course.response.baseline} → {course.response.current}"
        return text


def check_in_line(chart: PatientChart, default_series: int) -> str:
    """What this check-in opens, with the course's PHQ-9 so far: 'Infusion 4 of 6 · PHQ-9
    19 → 11', 'Maintenance 2', 'Infusion 1 of 6 (first infusion)'. The number follows the
    same rule the check-in itself follows (next_session_place)."""
    course = chart.courses[-1] if chart.courses else None
    place = next_session_place(
        course.kind if course else None,
        course.planned if course else None,
        len(course.given) if course else 0,
        closed=course is not None and course.ended_at is not None,
    )
    if place.kind != INITIAL:
        text = f"Maintenance {place.number}"
    else:
        opens = place.new_course or course is None
        planned = course.planned if course is not None and not opens else None
        planned = planned or chart.plan.series_or(default_series)
        text = f"Infusion {place.number} of {planned}"
        if opens:
            text += " (a new series)" if course is not None else " (first infusion)"
    if course is not None and course.response is not None:
        text += f" · PHQ-9 {course.response.baseline} → {course.response.current}"
    return text


def course_response(
    outcomes: list[OutcomeRecord], course_id: int, baseline_course_id: int | None = None
) -> CourseResponse | None:
    """The course's newest current PHQ-9 against the baseline: the first PHQ-9 of
    `baseline_course_id` (a maintenance course is measured from the initial series that
    began the treatment), or of the course itself."""

    def phq9_of(course: int) -> list[OutcomeRecord]:
        return sorted(
            (
                r
                for r in outcomes
                if r.current and r.course_id == course and r.score.instrument is Instrument.PHQ9
            ),
            key=lambda r: (r.taken_at, r.id),
        )

    mine = phq9_of(course_id)
    base = phq9_of(baseline_course_id) if baseline_course_id is not None else mine
    if not mine or not base:
        return None
    return CourseResponse(base[0].score.total, mine[-1].score.total)


@dataclass(frozen=True)
class CourseReport:
    """What the course report for the referring clinician prints (reports/course_html.py)."""

    chart: PatientChart
    clinic_name: str
    clinic_address: str
    clinic_phone: str
    printed_at: datetime
    tz: tzinfo
