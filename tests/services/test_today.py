"""Today (issue 17): the day's sessions in every phase and the patients whose planned
visit is today and who have not come yet, in time order; the day is the clinic's calendar
day in its zone (both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ketamon.domain.sessions import Phase
from ketamon.domain.today import PLANNED, PlannedVisit, TodaySession, today_lines
from tests.conftest import NURSE, baseline, draft
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends


def test_today_lists_the_days_sessions_and_the_visits_still_to_come(clinic, clock):
    chairs = clinic.chairs.all()
    came = clinic.patients.register(NURSE, draft("KM-1", "Ada Came"))
    planned = clinic.patients.register(NURSE, draft("KM-2", "Bea Planned"))
    both = clinic.patients.register(NURSE, draft("KM-3", "Cy Both"))
    # Yesterday: two discharged sessions that planned a visit for today at 16:00 and 15:00.
    clock.advance(days=-1)
    for patient, hour in ((planned, 16), (both, 15)):
        s = discharged_session(clinic, clock, sets=6, patient=patient)
        at = datetime.combine(date(2026, 3, 2), datetime.min.time(), tzinfo=UTC)
        clinic.discharge.set_next_appointment(NURSE, s.id, at + timedelta(hours=hour))
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    today = clinic.sessions.check_in(NURSE, chairs[0].id, came.id, 40)
    baseline(clinic, today.id)
    clock.advance(minutes=30)
    again = clinic.sessions.check_in(NURSE, chairs[1].id, both.id, 40)  # came early
    lines = clinic.courses.today(UTC)
    assert [(line.patient_name, line.chair, line.where) for line in lines] == [
        ("Ada Came", chairs[0].name, Phase.CHECKED_IN.label),
        ("Cy Both", chairs[1].name, Phase.CHECKED_IN.label),
        ("Bea Planned", "", PLANNED),  # 16:00, not here yet
    ]
    assert lines[1].session_id == again.id and lines[2].session_id is None
    # Yesterday's sessions are not today's; tomorrow nothing is listed.
    clock.advance(days=1)
    assert clinic.courses.today(UTC) == []


def test_the_day_is_the_clinics_calendar_day_in_its_zone(clinic, clock):
    """23:30 UTC is tomorrow in UTC+2 and today in UTC-5."""
    clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    patient = clinic.patients.register(NURSE, draft("KM-9", "Late Arrival"))
    clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    east, west = timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))
    assert [line.patient_name for line in clinic.courses.today(west)] == ["Late Arrival"]
    assert [line.patient_name for line in clinic.courses.today(east)] == ["Late Arrival"]
    clock.set(datetime(2026, 3, 3, 4, 0, tzinfo=UTC))  # 06:00 east (same day), 23:00 west
    assert [line.patient_name for line in clinic.courses.today(east)] == ["Late Arrival"]
    assert clinic.courses.today(UTC) == []


def test_one_line_per_planned_visit_of_a_patient_the_earliest():
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    visits = [
        PlannedVisit(1, "Bea", "KM-2", at + timedelta(hours=1)),
        PlannedVisit(1, "Bea", "KM-2", at),
    ]
    session = TodaySession(7, 2, "Ada", "KM-1", "Chair 1", at, Phase.INFUSING)
    lines = today_lines([session], visits)
    assert [(line.patient_name, line.at) for line in lines] == [("Ada", at), ("Bea", at)]
