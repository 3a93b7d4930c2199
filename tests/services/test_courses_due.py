"""The Due list from the stored record, on both backends: an interrupted series, a booster
overdue or due after a finished series, a patient in a chair now left off, the clinic's
settings deciding the plan."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from ketamon.domain.actors import Actor
from ketamon.domain.courses import PatientPlan
from ketamon.domain.due import DueLevel
from ketamon.domain.errors import DomainError, FieldError, StaleRecord
from tests.conftest import NURSE, add_user, draft
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends
DOC = Actor("dr.patel", "Priya Patel, MD")


def test_the_due_list_reads_each_patients_course_and_says_why(clinic, clock) -> None:
    clinic.settings.update(NURSE, initial_course_length=2)
    gap = clinic.patients.register(NURSE, draft("MRN-G", "Gina Gap"))
    done = clinic.patients.register(NURSE, draft("MRN-D", "Dan Done"))
    here = clinic.patients.register(NURSE, draft("MRN-H", "Hal Here"))
    never = clinic.patients.register(NURSE, draft("MRN-N", "Nora New"))
    discharged_session(clinic, clock, sets=16, patient=gap)  # 1 of 2: the series is open
    discharged_session(clinic, clock, sets=16, patient=done)
    discharged_session(clinic, clock, sets=16, patient=done)  # 2 of 2: boosters from now
    discharged_session(clinic, clock, sets=16, patient=here)
    clock.advance(timedelta(days=20))
    assert [(i.patient_name, i.level) for i in clinic.courses.due(UTC)] == [
        ("Gina Gap", DueLevel.SERIES_GAP),
        ("Hal Here", DueLevel.SERIES_GAP),
        ("Dan Done", DueLevel.DUE_NOW),
    ]
    # In a chair now: not on the list; never infused: not on it either.
    clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, here.id, 40)
    clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, never.id, 40)
    due = clinic.courses.due(UTC)
    assert [i.patient_name for i in due] == ["Gina Gap", "Dan Done"]
    assert due[0].why.startswith("Series unfinished: infusion 2 of 2 not given; the last was 20")
    assert "(plan: at most 7 days apart)" in due[0].why
    assert due[1].why.startswith("Booster due now, by ")
    clock.advance(timedelta(days=9))  # 29 days: past the 28-day window
    assert clinic.courses.due(UTC)[0].level is DueLevel.OVERDUE
    clinic.settings.update(NURSE, maintenance_interval_days=(21, 42))
    assert [i.level for i in clinic.courses.due(UTC)] == [DueLevel.SERIES_GAP, DueLevel.DUE_NOW]


def test_a_physician_sets_the_patients_plan_with_a_reason_and_it_decides(clinic, clock) -> None:
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician")
    patient = clinic.patients.register(NURSE, draft("MRN-P", "Pia Plan"))
    with pytest.raises(DomainError, match="not allowed to sign"):
        clinic.courses.set_plan(NURSE, patient.id, PatientPlan(4), "Responding early")
    with pytest.raises(FieldError, match="Series length must be 1–30"):
        clinic.courses.set_plan(DOC, patient.id, PatientPlan(40), "Typo")
    with pytest.raises(FieldError, match="from–to days"):
        clinic.courses.set_plan(DOC, patient.id, PatientPlan(None, (30, 20)), "Typo")
    plan = clinic.courses.set_plan(DOC, patient.id, PatientPlan(2, (7, 10)), "Fast responder")
    assert plan == PatientPlan(2, (7, 10)) and clinic.courses.chart(patient.id).plan == plan
    discharged_session(clinic, clock, sets=16, patient=patient)
    assert clinic.courses.chart(patient.id).courses[0].planned == 2  # the patient's series
    discharged_session(clinic, clock, sets=16, patient=patient)
    clock.advance(timedelta(days=11))  # past the patient's 10 days, inside the clinic's 28
    (item,) = clinic.courses.due(UTC)
    assert item.level is DueLevel.OVERDUE and "(plan: every 7–10 days)" in item.why
    stale = clinic.patients.get(patient.id).version - 1
    with pytest.raises(StaleRecord):
        clinic.courses.set_plan(DOC, patient.id, PatientPlan(), "Back to default", version=stale)
    assert clinic.audit.verify() == []


def test_a_closed_course_leaves_the_due_list_and_the_next_visit_opens_a_series(
    clinic, clock
) -> None:
    clinic.settings.update(NURSE, initial_course_length=3)
    patient = clinic.patients.register(NURSE, draft("MRN-Z", "Zoe Closed"))
    discharged_session(clinic, clock, sets=16, patient=patient)
    clock.advance(timedelta(days=12))
    assert [i.patient_name for i in clinic.courses.due(UTC)] == ["Zoe Closed"]
    course = clinic.courses.chart(patient.id).courses[0]
    with pytest.raises(FieldError, match="A reason is required"):
        clinic.courses.close(NURSE, course.id, "patient_stopped", " ")
    clinic.courses.close(NURSE, course.id, "patient_stopped", "Moved away")
    with pytest.raises(DomainError, match="already closed by Jo Rivera, RN"):
        clinic.courses.close(NURSE, course.id, "completed", "again")
    assert clinic.courses.due(UTC) == []
    chart = clinic.courses.chart(patient.id)
    assert chart.courses[0].label == "Initial series (1 of 3 given), stopped by the patient"
    clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    chart = clinic.courses.chart(patient.id)
    assert [(c.kind, len(c.sessions)) for c in chart.courses] == [("initial", 1), ("initial", 1)]
    with pytest.raises(DomainError, match="in a chair now"):
        clinic.courses.close(NURSE, chart.courses[1].id, "other", "Wrong course")
    assert clinic.audit.verify() == []
