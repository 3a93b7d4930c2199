"""VitalsService over a real database: record, refuse, correct, void, acknowledge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.vitals import MEASURES, Grade, VitalPhase, VitalsDraft
from tests.conftest import (
    NURSE,
    add_user,
    ask_questionnaires,
    draft,
    plan_dose,
    plan_escort,
    trail_entries,
)

pytestmark = pytest.mark.both_backends

GOOD = VitalsDraft(systolic=128, diastolic=84, heart_rate=72, spo2=98, resp_rate=14)


@pytest.fixture
def session_id(clinic, clock):
    patient = clinic.patients.register(NURSE, draft())
    return clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id


def test_sets_are_tagged_by_phase_and_attributed(clinic, clock, session_id):
    clock.advance(minutes=5)
    clinic.vitals.record(NURSE, session_id, GOOD)
    plan_dose(clinic, session_id)
    plan_escort(clinic, session_id)
    ask_questionnaires(clinic, session_id)
    clinic.sessions.start(NURSE, session_id)
    clock.advance(minutes=15)
    clinic.vitals.record(NURSE, session_id, GOOD)
    clinic.sessions.stop(NURSE, session_id, "Patient request")  # early: a reason
    clock.advance(minutes=15)
    clinic.vitals.record(NURSE, session_id, GOOD)
    clinic.vitals.record(NURSE, session_id, GOOD, pre_discharge=True)
    sets = clinic.vitals.for_session(session_id)
    assert [s.phase for s in sets] == [
        VitalPhase.BASELINE,
        VitalPhase.INFUSION,
        VitalPhase.RECOVERY,
        VitalPhase.PRE_DISCHARGE,
    ]
    assert {s.entered_by for s in sets} == {"nurse.jo"}
    assert {s.entered_by_label for s in sets} == {"Jo Rivera, RN"}  # as people read it


def test_a_set_names_who_entered_it_whoever_reads_it(clinic, clock, session_id):
    from ketamon.domain.actors import Actor

    add_user(clinic, "nurse.kim", "Kim Lee", "RN", "nurse", "kims pass 123!")
    kim = Actor("nurse.kim", "Kim Lee, RN")
    saved = clinic.vitals.record(kim, session_id, GOOD)
    assert saved.entered_by_label == "Kim Lee, RN"
    clock.advance(minutes=1)
    voided = clinic.vitals.void(NURSE, saved.id, "Wrong patient")  # voided by someone else
    assert (voided.entered_by, voided.entered_by_label) == ("nurse.kim", "Kim Lee, RN")
    assert [s.entered_by_label for s in clinic.vitals.for_session(session_id)] == ["Kim Lee, RN"]


def test_time_taken_may_go_back_but_not_before_check_in_or_into_the_future(
    clinic, clock, session_id
):
    clock.advance(minutes=20)
    earlier = clinic.vitals.record(NURSE, session_id, GOOD, clock() - timedelta(minutes=10))
    assert earlier.taken_at == clock() - timedelta(minutes=10)
    with pytest.raises(FieldError, match="future"):
        clinic.vitals.record(NURSE, session_id, GOOD, clock() + timedelta(seconds=1))
    with pytest.raises(FieldError, match="before the patient checked in"):
        clinic.vitals.record(NURSE, session_id, GOOD, clock() - timedelta(minutes=21))
    assert len(clinic.vitals.for_session(session_id)) == 1


def test_the_service_refuses_impossible_values_whatever_the_ui_did(clinic, session_id):
    with pytest.raises(ValidationErrors) as refused:
        clinic.vitals.record(
            NURSE,
            session_id,
            VitalsDraft(systolic=120, diastolic=125, heart_rate=72, spo2=98, resp_rate=14),
        )
    assert refused.value.errors == {"diastolic": "Diastolic BP must be below systolic"}
    assert clinic.vitals.for_session(session_id) == []


@settings(
    max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    systolic=st.integers(60, 300),
    heart_rate=st.integers(20, 300),
    spo2=st.integers(50, 100),
    resp_rate=st.integers(0, 60),
    temperature=st.none() | st.floats(30, 45).map(lambda t: round(t, 1)),
    pain=st.none() | st.integers(0, 10),
)
def test_every_accepted_value_round_trips_through_the_database(
    clinic, session_id, systolic, heart_rate, spo2, resp_rate, temperature, pain
):
    sent = VitalsDraft(
        systolic=systolic,
        diastolic=min(systolic - 30, 200),
        heart_rate=heart_rate,
        spo2=spo2,
        resp_rate=resp_rate,
        temperature=temperature,
        pain=pain,
    )
    saved = clinic.vitals.record(NURSE, session_id, sent)
    [back] = [s for s in clinic.vitals.for_session(session_id) if s.id == saved.id]
    assert back.values == sent


def test_a_correction_keeps_the_original_and_the_reason(clinic, clock, session_id):
    first = clinic.vitals.record(NURSE, session_id, GOOD)
    fixed = clinic.vitals.correct(
        NURSE,
        first.id,
        VitalsDraft(**{**{k: getattr(GOOD, k) for k in MEASURES}, "heart_rate": 27}),
        "Typo: was 72?",
    )
    sets = clinic.vitals.for_session(session_id)
    assert [(s.id, s.status) for s in sets] == [(first.id, "corrected"), (fixed.id, "current")]
    assert sets[0].status_reason == "Typo: was 72?" and fixed.corrects_id == first.id
    assert sets[0].values.heart_rate == 72 and fixed.values.heart_rate == 27
    with pytest.raises(DomainError, match="already corrected"):
        clinic.vitals.void(NURSE, first.id, "double")
    with pytest.raises(FieldError, match="reason"):
        clinic.vitals.void(NURSE, fixed.id, " ")
    clinic.vitals.void(NURSE, fixed.id, "Wrong patient")
    assert [s.status for s in clinic.vitals.for_session(session_id)] == ["corrected", "voided"]
    with clinic.db.engine.connect() as conn:
        reasons = {
            r[0]
            for r in conn.execute(
                text(
                    "SELECT reason FROM audit_log WHERE entity = 'vitals_set' AND action = 'update'"
                )
            )
        }
    assert reasons == {"Typo: was 72?", "Wrong patient"}
    assert clinic.audit.verify() == []


def test_red_values_alert_the_board_until_acknowledged(clinic, clock, session_id):
    red = VitalsDraft(systolic=185, diastolic=100, heart_rate=72, spo2=98, resp_rate=14)
    saved = clinic.vitals.record(NURSE, session_id, red)
    assert saved.grades["systolic"] is Grade.RED and saved.grades["diastolic"] is Grade.AMBER
    board = clinic.board.get()
    assert [s.id for s in board.vitals[session_id].unacknowledged_red] == [saved.id]
    clock.advance(minutes=1)
    seen = clinic.vitals.acknowledge(NURSE, saved.id)
    assert seen.acknowledged_by == "nurse.jo"
    assert clinic.board.get().vitals[session_id].unacknowledged_red == ()
    normal = clinic.vitals.record(NURSE, session_id, GOOD)
    with pytest.raises(DomainError, match="no red values"):
        clinic.vitals.acknowledge(NURSE, normal.id)


def test_the_bands_are_clinic_settings(clinic, session_id):
    bands = dict(clinic.settings.get().vital_bands)
    bands["systolic"] = [90, 100, 140, 150]
    clinic.settings.update(NURSE, vital_bands=bands)
    saved = clinic.vitals.record(
        NURSE,
        session_id,
        GOOD | {}
        if False
        else VitalsDraft(systolic=152, diastolic=84, heart_rate=72, spo2=98, resp_rate=14),
    )
    assert saved.grades["systolic"] is Grade.RED


def test_scores_only_set_is_recorded_but_not_a_vitals_set_for_reminders(clinic, clock, session_id):

    from ketamon.domain.board import vitals_line
    from ketamon.services.sessions import StartNeedsDecision

    clock.advance(minutes=4)
    scores = clinic.vitals.record(
        NURSE, session_id, VitalsDraft(sedation=1, dissociation=2, cadss=31)
    )
    assert scores.scores_only
    assert (scores.values.sedation, scores.values.dissociation, scores.values.cadss) == (1, 2, 31)
    assert scores.grades == {"sedation": Grade.RED}  # MOAA/S 1 is red like other flags
    stored = clinic.vitals.for_session(session_id)
    assert [(s.values.dissociation, s.values.cadss) for s in stored] == [(2, 31)]
    fields = {
        a.field: (a.actor, a.new_value)
        for a in trail_entries(clinic, entity="vitals_set", entity_id=scores.id)
    }
    assert fields["dissociation"] == (NURSE.username, "2")
    assert fields["cadss"] == (NURSE.username, "31")

    board = clinic.board.get()
    summary = board.vitals[session_id]
    assert summary.taken == ()  # the baseline is still due
    assert [s.id for s in summary.unacknowledged_red] == [scores.id]  # but red is shown
    snapshot = next(s for s in board.sessions.values() if s.id == session_id)
    text, _grade = vitals_line(snapshot, summary.taken, clinic.settings.get(), clock())
    assert text.startswith("Vitals due in") and "baseline" in text.lower()
    with pytest.raises(StartNeedsDecision) as refused:
        clinic.sessions.start(NURSE, session_id)
    assert refused.value.check.missing_baseline

    full = clinic.vitals.record(NURSE, session_id, GOOD)
    assert clinic.board.get().vitals[session_id].taken == (full.taken_at,)


def test_a_set_with_only_bp_is_refused_naming_the_missing_vitals(clinic, session_id):
    with pytest.raises(ValidationErrors) as refused:
        clinic.vitals.record(NURSE, session_id, VitalsDraft(systolic=128, diastolic=84, sedation=4))
    assert refused.value.errors == {
        "heart_rate": "Heart rate is required",
        "spo2": "SpO2 is required",
        "resp_rate": "Respiratory rate is required",
    }
    with pytest.raises(ValidationErrors) as out_of_range:
        clinic.vitals.record(NURSE, session_id, VitalsDraft(dissociation=4))
    assert out_of_range.value.errors == {"dissociation": "Dissociation must be 0–3"}
    assert clinic.vitals.for_session(session_id) == []
