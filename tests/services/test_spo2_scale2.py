"""SpO2 scale 2 (NEWS2, RCP 2017), a per-patient option for hypercapnic respiratory failure:
every service that grades or scores a set uses the patient's scale (vitals list, record,
the board's summary, acknowledgement, the start check, the summary, the review filter)."""

from __future__ import annotations

import pytest

from ketamon.domain.vitals import Grade, VitalsDraft
from ketamon.services.review import ReviewFilter
from ketamon.storage.models import PatientRow
from ketamon.storage.reads.vitals import summaries
from tests.conftest import NURSE, ask_questionnaires, discharge_ready, draft, plan_dose, plan_escort

pytestmark = pytest.mark.both_backends

# Every NEWS2 parameter present, all 0 points but SpO2.
FULL = dict(systolic=124, diastolic=78, heart_rate=72, resp_rate=14, temperature=36.8, sedation=5)


def on_scale2(clinic, patient_id: int, scale2: bool = True) -> None:
    """The patient's SpO2 scale 2 option, as the patient form sets it (audited)."""
    with clinic.db.transaction(audit=clinic.patients.audit(NURSE, "hypercapnic")) as session:
        session.get(PatientRow, patient_id).spo2_scale2 = scale2


@pytest.fixture
def two_patients(clinic):
    """(scale 1 session id, scale 2 session id), both checked in."""
    chairs = clinic.chairs.all()
    one = clinic.patients.register(NURSE, draft("MRN1001", "Ada Lovelace"))
    two = clinic.patients.register(NURSE, draft("MRN1002", "Grace Hopper"))
    on_scale2(clinic, two.id)
    first = clinic.sessions.check_in(NURSE, chairs[0].id, one.id, 40).id
    second = clinic.sessions.check_in(NURSE, chairs[1].id, two.id, 40).id
    return first, second


def record(clinic, session_id: int, spo2: int, oxygen: bool = False):
    return clinic.vitals.record(NURSE, session_id, VitalsDraft(**FULL, spo2=spo2, oxygen=oxygen))


def test_spo2_89_on_air_is_normal_on_scale_2_and_red_on_scale_1(clinic, two_patients):
    scale1, scale2 = two_patients
    one, two = record(clinic, scale1, 89), record(clinic, scale2, 89)
    assert (one.scale2, two.scale2) == (False, True)
    assert one.grades["spo2"] is Grade.RED and one.news2.parameter_points["spo2"] == 3
    assert two.grades["spo2"] is Grade.NORMAL and two.news2.parameter_points["spo2"] == 0
    assert (one.news2.total, two.news2.total) == (3, 0)
    [listed] = clinic.vitals.for_session(scale2)
    assert listed.grades["spo2"] is Grade.NORMAL and listed.news2.total == 0 and listed.scale2


def test_on_oxygen_scale_2_scores_high_saturations(clinic, two_patients):
    scale1, scale2 = two_patients
    assert record(clinic, scale2, 92, oxygen=True).news2.parameter_points["spo2"] == 0
    amber = record(clinic, scale2, 95, oxygen=True)
    assert (amber.news2.parameter_points["spo2"], amber.grades["spo2"]) == (2, Grade.AMBER)
    red = record(clinic, scale2, 97, oxygen=True)
    assert (red.news2.parameter_points["spo2"], red.grades["spo2"]) == (3, Grade.RED)
    assert red.news2.total == 3 + 2  # the oxygen itself adds 2
    on_air = record(clinic, scale2, 97)
    assert (on_air.news2.parameter_points["spo2"], on_air.grades["spo2"]) == (0, Grade.NORMAL)
    scale1_oxygen = record(clinic, scale1, 97, oxygen=True)
    assert scale1_oxygen.grades["spo2"] is Grade.NORMAL  # scale 1: 96 and above score 0


def test_low_saturation_is_red_on_scale_2_too(clinic, two_patients):
    _, scale2 = two_patients
    assert record(clinic, scale2, 87).grades["spo2"] is Grade.AMBER  # 1 point
    assert record(clinic, scale2, 83).grades["spo2"] is Grade.RED  # 3 points


def test_the_board_summary_grades_by_the_patients_scale(clinic, two_patients):
    scale1, scale2 = two_patients
    record(clinic, scale1, 89)
    record(clinic, scale2, 89)
    with clinic.db.transaction(write=False) as session:
        got = summaries(session, [scale1, scale2], clinic.settings.get().bands)
    assert [s.id for s in got[scale1].unacknowledged_red] != []
    assert got[scale2].unacknowledged_red == ()
    assert got[scale2].latest.grades["spo2"] is Grade.NORMAL and got[scale2].latest.scale2
    assert got[scale2].latest_news2.total == 0
    board = clinic.board.get()
    assert board.vitals[scale2].unacknowledged_red == ()


def test_acknowledging_follows_the_scale(clinic, two_patients):
    _, scale2 = two_patients
    normal = record(clinic, scale2, 89)
    with pytest.raises(Exception, match="no red values"):
        clinic.vitals.acknowledge(NURSE, normal.id)
    red = record(clinic, scale2, 97, oxygen=True)
    assert clinic.vitals.acknowledge(NURSE, red.id).acknowledged_by == NURSE.username


def test_the_session_bands_shade_scale_2_for_the_chart(clinic, two_patients):
    scale1, scale2 = two_patients
    assert clinic.vitals.bands(scale1)["spo2"] == clinic.settings.get().bands["spo2"]
    band = clinic.vitals.bands(scale2)["spo2"]
    assert (band.red_low, band.amber_low, band.amber_high, band.red_high) == (83, 87, None, None)
    assert clinic.vitals.bands(scale2)["systolic"] == clinic.settings.get().bands["systolic"]


def test_the_summary_grades_by_the_patients_scale(clinic, clock, two_patients):
    _, scale2 = two_patients
    record(clinic, scale2, 89)
    summary = clinic.summary.snapshot(scale2)
    [v] = summary.vitals
    assert v.scale2 and v.grades["spo2"] is Grade.NORMAL and v.news2.total == 0


def test_the_review_lists_alert_filter_follows_the_scale(clinic, clock, two_patients):
    scale1, scale2 = two_patients
    for session_id in two_patients:
        record(clinic, session_id, 89)  # red on scale 1 only
        plan_dose(clinic, session_id)
        plan_escort(clinic, session_id)
        ask_questionnaires(clinic, session_id)
        clinic.sessions.start(NURSE, session_id)
        clock.advance(minutes=40)
        clinic.sessions.stop(NURSE, session_id)
        clock.advance(minutes=30)
        discharge_ready(clinic, session_id)
    alerts = clinic.review.page(ReviewFilter(alerts_only=True), 0, 50)
    assert [r.session_id for r in alerts] == [scale1]
    rows = {r.session_id: r for r in clinic.review.page(ReviewFilter(), 0, 50)}
    assert rows[scale1].red_alert and not rows[scale2].red_alert
    on_scale2(clinic, clinic.sessions.get(scale1).patient_id)
    assert clinic.review.page(ReviewFilter(alerts_only=True), 0, 50) == []
