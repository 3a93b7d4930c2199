"""A patient's chart across the course, on both backends: every session in a line (date,
chair, dose, peak BP, side effects, PHQ-9), the courses with their shape and response, the
trends, the escorts used before, and a fixed number of statements however long the record."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from ketamon.domain.chart import PatientChart, check_in_line
from ketamon.domain.instruments import Instrument
from tests.conftest import NURSE, draft
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends

PHQ9_19 = [3, 3, 2, 2, 2, 2, 2, 3, 0]
PHQ9_9 = [1, 1, 1, 1, 1, 1, 1, 2, 0]


def statements(clinic, patient_id: int) -> tuple[PatientChart, int]:
    count = 0

    def counted(*_args) -> None:
        nonlocal count
        count += 1

    event.listen(clinic.db.engine, "before_cursor_execute", counted)
    try:
        chart = clinic.courses.chart(patient_id)
    finally:
        event.remove(clinic.db.engine, "before_cursor_execute", counted)
    return chart, count


def test_the_chart_lists_every_session_with_its_course_and_the_response(clinic, clock) -> None:
    clinic.settings.update(NURSE, initial_course_length=2)
    patient = clinic.patients.register(NURSE, draft("MRN-C", "Cora Course"))
    first, _count = statements(clinic, patient.id)
    assert first.courses == () and first.place == "First infusion"
    assert check_in_line(first, 2) == "Infusion 1 of 2 (first infusion)"
    discharged_session(clinic, clock, sets=16, phq9=PHQ9_19, patient=patient)
    _alone, one = statements(clinic, patient.id)
    assert check_in_line(_alone, 2) == "Infusion 2 of 2 · PHQ-9 19 → 19"
    clinic.outcomes.record_visit(NURSE, patient.id, "GAD-7", [2] * 7)
    discharged_session(clinic, clock, sets=16, phq9=PHQ9_9, patient=patient)
    chart, two = statements(clinic, patient.id)
    assert two == one  # one statement per kind of row, not per session

    (course,) = chart.courses
    assert course.label == "Initial series (2 of 2 given)"
    assert course.response is not None and course.response.words == "PHQ-9 19 → 9 (−53%): response"
    assert chart.place == "Infusion 2 of 2 · PHQ-9 19 → 9"
    line = chart.sessions[0]
    # the GAD-7 asked before the start as the clinic asks it (tests.conftest: all "Not at all")
    assert (line.chair, line.phq9, line.gad7, line.phase) == ("Chair 1", 19, 0, "discharged")
    assert line.mg_per_kg == 0.5 and line.given_mg == 36.0
    assert line.side_effects == ("Nausea (moderate)",)
    assert line.peak_bp is not None and line.peak_bp[0] >= 124
    assert [total for _at, total in chart.trend(Instrument.PHQ9)] == [19, 9]
    assert [total for _at, total in chart.trend(Instrument.GAD7)] == [0, 14, 0]
    # The same escort both times: listed once.
    assert [(e.name, e.relationship, e.phone) for e in chart.escorts] == [
        ("Luis Gonzalez", "Brother", "+1 212-555-0143")  # stored normalised
    ]

    # The next check-in opens the maintenance course: the line said so beforehand, in the
    # words the check-in then gives the session.
    assert check_in_line(chart, 2) == "Maintenance 1 · PHQ-9 19 → 9"
    opened = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    assert check_in_line(chart, 2).startswith(opened.course_label + " ·")
    chart = clinic.courses.chart(patient.id)
    assert [c.kind for c in chart.courses] == ["initial", "maintenance"]
    assert chart.place == "Maintenance infusion 1"
    assert chart.courses[1].label == "Maintenance (1 given)"


def test_a_corrected_score_shows_its_correction_in_the_trend(clinic, clock) -> None:
    patient = clinic.patients.register(NURSE, draft("MRN-T", "Tom Trend"))
    wrong = clinic.outcomes.record_visit(NURSE, patient.id, "PHQ-9", PHQ9_19)
    clinic.outcomes.correct(NURSE, wrong.id, PHQ9_9, "Read the wrong column")
    chart = clinic.courses.chart(patient.id)
    assert [total for _at, total in chart.trend(Instrument.PHQ9)] == [9]
    assert len(chart.outcomes) == 2  # the corrected one is kept, marked
