"""Anything given to the side-effect, medication, dose-record and discharge services is
answered or refused with a DomainError naming the field; what is stored, read back fresh,
fits its column and equals the input as the domain normalises it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamon.domain.actors import Actor
from ketamon.domain.discharge import AgainstAdvice, DischargeAnswers, Escort, IvSite, Nausea
from ketamon.domain.interventions import MedicationDraft
from ketamon.domain.side_effects import Severity
from ketamon.storage.models import DischargeRow, DoseRecordRow, MedicationRow, SideEffectRow
from tests.conftest import NURSE, PASSWORD, T0, ask_questionnaires, baseline, draft, plan_dose
from tests.services.inputs import (
    JUNK,
    NAIVE,
    PROPERTIES,
    REFUSED,
    answers_or_refuses,
    aware_between,
    entries,
    name_as_stored,
    named_fields,
    stored_rows,
    text_like,
    visible,
)

pytestmark = pytest.mark.both_backends

KIM = Actor("nurse.kim", "Kim Osei, RN")


@pytest.fixture
def infusing(clinic, clock) -> int:
    clinic.users.add(NURSE, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    patient = clinic.patients.register(NURSE, draft(weight_kg=80))
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id
    baseline(clinic, sid)
    plan_dose(clinic, sid)
    # no escort plan yet, so no checklist row: the refused checklist values store none
    ask_questionnaires(clinic, sid)
    clinic.sessions.start(NURSE, sid, no_escort_reason="Sister on her way; phone to follow")
    clock.advance(minutes=20)
    return sid


WITHIN = aware_between(T0, T0 + timedelta(minutes=20))
TIMES = st.none() | WITHIN


@PROPERTIES
@given(
    e=entries(
        kind=st.sampled_from(["nausea", "headache", "other"]),
        severity=st.sampled_from([*Severity, "mild"]),
        onset=TIMES,
        other=text_like("itchy eyes", "ringing ears"),
        note=text_like("", "settled with water", "two\nlines"),
        resolved=TIMES,
    )
)
def test_side_effects_answer_or_name_the_field(clinic, infusing, e):
    kind, severity, onset, other, note, resolved = e.values()
    with answers_or_refuses() as answered:
        effect = clinic.side_effects.tick(
            NURSE, infusing, kind, severity=severity, onset_at=onset, other_text=other, note=note
        )
    if not answered:
        return
    (row,) = stored_rows(clinic, SideEffectRow, id=effect.id)
    assert row["note"] == visible(note.replace("\r\n", "\n"))
    assert row["severity"] == Severity(severity).value
    with answers_or_refuses():
        clinic.side_effects.set_severity(NURSE, effect.id, e["severity"] if onset else other)
    with answers_or_refuses():
        clinic.side_effects.set_note(NURSE, effect.id, other)
    with answers_or_refuses():
        clinic.side_effects.resolve(NURSE, effect.id, resolved)
    with answers_or_refuses():
        clinic.side_effects.correct_times(NURSE, effect.id, onset_at=resolved, reason=note)
    clinic.side_effects.void(NURSE, effect.id, "so it can be ticked again")
    stored_rows(clinic, SideEffectRow, session_id=infusing)


@PROPERTIES
@given(
    e=entries(
        drug=st.sampled_from(["ondansetron", "other", "midazolam"]),
        other=text_like("ginger tea"),
        dose=st.floats(0.01, 400) | st.integers(1, 400),
        unit=st.sampled_from(["mg", "mcg", "mL"]),
        route=st.sampled_from(["IV", "PO"]),
        given_at=TIMES,
        given_by=st.sampled_from(["", "nurse.kim"]),
        effect=st.none(),
        note=text_like("", "for nausea"),
        void_reason=text_like("Entered twice"),
    )
)
def test_medications_answer_or_name_the_field(clinic, infusing, e):
    drug, other, dose, unit, route, given_at, given_by, effect, note, void_reason = e.values()
    typed = MedicationDraft(drug, dose, unit, route, given_at, given_by, effect, note, other)
    with answers_or_refuses() as answered:
        med = clinic.interventions.give(NURSE, infusing, typed)
    if not answered:
        return
    (row,) = stored_rows(clinic, MedicationRow, id=med.id)
    assert row["dose"] == float(dose) and row["unit"] == visible(unit)
    assert row["given_by"] == (visible(given_by) or NURSE.username)
    with answers_or_refuses():
        clinic.interventions.void(NURSE, med.id, void_reason)
    stored_rows(clinic, MedicationRow, id=med.id)


@PROPERTIES
@given(
    e=entries(
        weight=st.floats(20, 350) | st.integers(20, 350),
        mg_per_kg=st.floats(0.05, 2),
        concentration=st.floats(0.1, 100),
        lot=text_like("KX-2291", "LOT 7"),
        actual=st.floats(0, 3) | st.integers(0, 3),
        wasted=st.floats(0, 10_000) | st.integers(0, 10_000),
        over=text_like("pump primed twice"),
    )
)
def test_the_dose_record_answers_or_names_the_field(clinic, infusing, e):
    weight, mg_per_kg, concentration, lot, actual, wasted, over = e.values()
    with answers_or_refuses() as planned:
        plan = clinic.dose.plan(
            NURSE, infusing, weight, mg_per_kg, concentration, lot, reason="changed plan"
        )
    if planned:
        (row,) = stored_rows(clinic, DoseRecordRow, session_id=infusing)
        assert row["weight_kg"] == round(float(weight), 2) and row["lot_number"] == visible(lot)
        assert plan == clinic.dose.get(infusing)
    if clinic.dose.get(infusing) is None:
        return
    with answers_or_refuses() as completed:
        record = clinic.dose.complete(
            NURSE, infusing, actual, wasted, "nurse.kim", PASSWORD, over, reason="recount"
        )
    if completed:
        (row,) = stored_rows(clinic, DoseRecordRow, session_id=infusing)
        assert row["wasted_mg"] == round(float(wasted), 2) == record.wasted_mg
        assert row["actual_mg"] == round(float(actual), 2)
    assert clinic.audit.verify() == []  # what is stored agrees with its trail


@pytest.mark.parametrize("wasted", [float("nan"), float("inf"), float("-inf")])
def test_nan_wasted_is_refused_and_verify_stays_clean(clinic, infusing, wasted):
    clinic.dose.plan(NURSE, infusing, 80, 0.5, 10, "KX-2291")
    with pytest.raises(REFUSED) as refused:
        clinic.dose.complete(NURSE, infusing, 40, wasted, "nurse.kim", PASSWORD)
    assert named_fields(refused.value) == {"wasted_mg"}
    assert clinic.dose.get(infusing).completed_at is None
    assert clinic.audit.verify() == []


@pytest.fixture
def recovering(clinic, clock, infusing) -> int:
    clinic.sessions.stop(NURSE, infusing, "early, for the test")
    return infusing


@PROPERTIES
@given(
    e=entries(
        name=text_like("Maria Lopez", "Sam"),
        relationship=text_like("Sister", "Partner"),
        phone=text_like("(212) 555-0143", "+44 20 7946 0958", "555"),
        verified=st.booleans(),
        oriented=st.none() | st.booleans(),
        nausea=st.none() | st.sampled_from([*Nausea, "minimal"]),
        pain=st.none() | st.integers(0, 10),
        iv=st.none() | st.sampled_from(list(IvSite)),
        acknowledged=st.booleans(),
    )
)
def test_the_discharge_checklist_answers_or_names_the_field(clinic, recovering, e):
    name, relationship, phone, verified, oriented, nausea, pain, iv, acknowledged = e.values()
    escort = Escort(name, relationship, phone, verified)
    answers = DischargeAnswers(oriented, True, nausea, pain, iv, acknowledged, escort)
    with answers_or_refuses() as answered:
        state = clinic.discharge.save_answers(NURSE, recovering, answers)
    if answered:
        (row,) = stored_rows(clinic, DischargeRow, session_id=recovering)
        expected = None if pain is None else int(pain)  # 7.0 is stored as 7
        assert row["pain"] == expected and type(row["pain"]) is type(expected)
        assert row["escort_name"] == name_as_stored(name)
        assert state.answers.escort.name == row["escort_name"]
    with answers_or_refuses():
        clinic.discharge.save_escort_plan(NURSE, recovering, escort)
    stored_rows(clinic, DischargeRow, session_id=recovering)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        (DischargeAnswers(pain=5.5), "pain"),  # once stored in an integer column
        (DischargeAnswers(escort=Escort(phone="1" * 300)), "escort_phone"),
        (DischargeAnswers(escort=Escort(name="N" * 201)), "escort_name"),
        (DischargeAnswers(escort=Escort(relationship="R" * 65)), "escort_relationship"),
        (DischargeAnswers(escort=Escort(name="Sam\x00")), "escort_name"),
    ],
    ids=["pain 5.5", "phone 300", "name 201", "relationship 65", "NUL"],
)
def test_the_reported_checklist_values_are_refused(clinic, recovering, answers, field):
    with pytest.raises(REFUSED) as refused:
        clinic.discharge.save_answers(NURSE, recovering, answers)
    assert named_fields(refused.value) == {field}
    assert stored_rows(clinic, DischargeRow, session_id=recovering) == []


@PROPERTIES
@given(
    when=st.one_of(st.none(), aware_between(T0 + timedelta(days=1), T0 + timedelta(days=90))),
    junk_when=st.one_of(NAIVE, JUNK),
)
def test_the_next_appointment_answers_or_names_the_field(clinic, recovering, when, junk_when):
    with answers_or_refuses():
        clinic.discharge.set_next_appointment(NURSE, recovering, junk_when)
    state = clinic.discharge.set_next_appointment(NURSE, recovering, when)
    assert state.next_appointment_at == when
    stored_rows(clinic, DischargeRow, session_id=recovering)


@PROPERTIES
@given(
    e=entries(
        reason=text_like("would not wait"),
        witness=st.sampled_from(["nurse.kim", " nurse.kim "]),
        present=st.booleans(),
    )
)
def test_leaving_against_advice_answers_or_names_the_field(clinic, recovering, e):
    reason, witness, present = e.values()
    with answers_or_refuses() as answered:
        clinic.discharge.leave_against_advice(
            NURSE, recovering, AgainstAdvice(reason, witness, present)
        )
    rows = stored_rows(clinic, DischargeRow, session_id=recovering)
    if answered:
        assert rows[0]["ama_reason"] == visible(reason.replace("\r\n", "\n"))
        assert rows[0]["ama_escort_present"] is present


def test_a_dose_of_negative_zero_is_stored_as_zero_and_verify_stays_clean(clinic, infusing):
    """Found by the property above: -0.0 given (0 wasted from a pump reading "-0") was
    written to the trail as '-0.0' while the column read back 0.0, and verify failed."""
    clinic.dose.plan(NURSE, infusing, 80, 0.5, 10, "KX-2291")
    record = clinic.dose.complete(NURSE, infusing, -0.0, -0.0, "nurse.kim", PASSWORD)
    assert (record.actual_mg, record.wasted_mg) == (0.0, 0.0)
    assert clinic.audit.verify() == []
