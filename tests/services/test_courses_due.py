"""The Due list from the stored record, on both backends: an interrupted series, a booster
overdue or due after a finished series, a patient in a chair now left off, the clinic's
settings deciding the plan."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from ketamon.domain.due import DueLevel
from tests.conftest import NURSE, draft
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends


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
