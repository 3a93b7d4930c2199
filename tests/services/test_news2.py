"""NEWS2 through the services: the oxygen tick is stored, the set scored with the clinic's
chart, and the board's summary carries the latest set's NEWS2."""

from __future__ import annotations

import pytest

from ketamon.domain.news2 import Response, default_chart
from ketamon.domain.vitals import Grade, VitalsDraft
from ketamon.storage.reads.vitals import summaries
from tests.conftest import NURSE, draft

pytestmark = pytest.mark.both_backends

FULL = VitalsDraft(
    systolic=120, diastolic=80, heart_rate=115, spo2=95, resp_rate=22, temperature=36.8,
    sedation=5,
)  # fmt: skip


@pytest.fixture
def session_id(clinic):
    patient = clinic.patients.register(NURSE, draft())
    return clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id


def test_oxygen_is_stored_and_adds_2(clinic, session_id):
    clinic.vitals.record(NURSE, session_id, FULL)
    clinic.vitals.record(NURSE, session_id, VitalsDraft(**{**FULL.__dict__, "oxygen": True}))
    air, oxygen = clinic.vitals.for_session(session_id)
    assert (air.values.oxygen, oxygen.values.oxygen) == (False, True)
    assert (air.news2.total, oxygen.news2.total) == (5, 7)
    assert (air.news2.response, oxygen.news2.response) == (Response.MEDIUM, Response.HIGH)


def test_board_summary_has_the_latest_sets_news2(clinic, session_id):
    clinic.vitals.record(NURSE, session_id, FULL)
    with clinic.db.transaction(write=False) as session:
        summary = summaries(session, [session_id], clinic.settings.get().bands)[session_id]
    assert summary.latest_news2.total == 5


def test_the_clinics_chart_grades_and_scores(clinic, session_id):
    chart = default_chart()
    chart["heart_rate"]["high"] = [[120, 1], [131, 3]]  # a clinic's own chart
    clinic.settings.update(NURSE, news2_chart=chart)
    saved = clinic.vitals.record(NURSE, session_id, FULL)
    assert saved.grades["heart_rate"] is Grade.NORMAL
    assert saved.news2.parameter_points["heart_rate"] == 0
    listed = clinic.vitals.for_session(session_id)[0]
    assert listed.grades["heart_rate"] is Grade.NORMAL
    assert listed.news2.parameter_points["heart_rate"] == 0


def test_temperature_39_1_is_amber_not_red_through_the_service(clinic, session_id):
    saved = clinic.vitals.record(
        NURSE, session_id, VitalsDraft(**{**FULL.__dict__, "temperature": 39.1})
    )
    assert saved.grades["temperature"] is Grade.AMBER
