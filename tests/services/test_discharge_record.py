"""DischargeService and SideEffectService over a real SQLite file: discharge is refused while
the record shows an open problem (a SEVERE side effect, an open dose record, an early stop
without its reason, an answer the record contradicts) and allowed once it is dealt with;
a physician's decision needs the physician's own username and password."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.domain.discharge import AgainstAdvice, DischargeAnswers, ItemState, Nausea
from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.sessions import Phase
from ketamon.domain.side_effects import Severity
from ketamon.domain.vitals import VitalsDraft
from ketamon.services.side_effects import PHYSICIAN_REFUSED, PhysicianRefused
from ketamon.storage.models import AuditRow, SideEffectRow, UserRow
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    complete_dose,
    draft,
    plan_escort,
    trail_entries,
)
from tests.services.test_discharge import READY

pytestmark = pytest.mark.both_backends

PATEL = Actor("dr.patel", "Dr Anil Patel")


@pytest.fixture(autouse=True)
def staff(clinic):
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    add_user(clinic, "dr.patel", "Anil Patel", "MD", "physician", PASSWORD)


def recovering(clinic, clock, *, severe: str = "", dose: bool = True, stop_after: int = 40):
    """Checked in, dose planned, started, `severe` ticked SEVERE at minute 2, stopped after
    `stop_after` minutes (early ones with a reason), observed 35 min, a normal set."""
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id, sedation=5)
    clinic.dose.plan(NURSE, s.id, 72.5, 0.5, 10, "LOT-4411")
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(minutes=2)
    effect = (
        clinic.side_effects.tick(NURSE, s.id, severe, severity=Severity.SEVERE) if severe else None
    )
    clock.advance(minutes=stop_after - 2)
    clinic.sessions.stop(NURSE, s.id, "Patient asked to stop" if stop_after < 40 else "")
    if dose:
        complete_dose(clinic, s.id, witness="nurse.kim")
    clock.advance(minutes=35)
    baseline(clinic, s.id, sedation=5)
    return s, effect


def item(state, key: str):
    return next(i for i in state.check.items if i.key == key)


# -- a SEVERE side effect ---------------------------------------------------------------------
def test_a_severe_open_side_effect_refuses_discharge_until_it_is_resolved(clinic, clock):
    s, effect = recovering(clinic, clock, severe="headache")
    state = clinic.discharge.save_answers(NURSE, s.id, READY)
    assert item(state, "side_effects").state is ItemState.MISSING
    with pytest.raises(DomainError) as refused:
        clinic.discharge.discharge(NURSE, s.id)
    assert "No SEVERE side effect unresolved: Headache SEVERE since" in str(refused.value)
    assert "resolve it or a physician's decision" in str(refused.value)
    assert clinic.sessions.get(s.id).phase is Phase.RECOVERY

    clinic.side_effects.resolve(NURSE, effect.id)
    assert clinic.discharge.discharge(NURSE, s.id).outcome == "discharged"


def test_a_physicians_decision_lets_the_patient_go_and_is_the_evidence(clinic, clock):
    s, effect = recovering(clinic, clock, severe="headache")
    clinic.discharge.save_answers(NURSE, s.id, READY)
    decided = clinic.side_effects.record_physician_decision(
        NURSE, effect.id, "Known migraine, usual pattern: home with escort", "Dr.Patel", PASSWORD
    )
    assert (decided.physician_decision_by, decided.physician_decision_at) == ("dr.patel", clock())
    assert decided.physician_decided and not decided.resolved
    state = clinic.discharge.state(s.id)
    assert item(state, "side_effects").state is ItemState.OK
    assert "physician's decision by Anil Patel, MD" in item(state, "side_effects").evidence
    assert (
        "“Known migraine, usual pattern: home with escort”" in item(state, "side_effects").evidence
    )
    assert clinic.discharge.discharge(NURSE, s.id).outcome == "discharged"
    listed = clinic.side_effects.for_session(s.id)[0]
    assert listed.physician_decision == "Known migraine, usual pattern: home with escort"
    trail = {
        (e.actor, e.field, e.new_value, e.reason)
        for e in trail_entries(clinic, entity="side_effect", entity_id=effect.id)
    }
    assert ("nurse.jo", "physician_decision_by", "dr.patel", "physician's decision: dr.patel") in (
        trail
    )


def test_the_physician_may_record_it_signed_in_themselves(clinic, clock):
    s, effect = recovering(clinic, clock, severe="dissociation")
    done = clinic.side_effects.record_physician_decision(
        PATEL, effect.id, "Settling; home with escort", "dr.patel", PASSWORD
    )
    assert done.physician_decision_by == "dr.patel"


def test_only_a_physician_with_the_right_password_can_decide(clinic, clock, caplog):
    s, effect = recovering(clinic, clock, severe="headache")
    decide = clinic.side_effects.record_physician_decision
    with pytest.raises(FieldError) as nurse:
        decide(NURSE, effect.id, "Home", "nurse.kim", PASSWORD)
    assert nurse.value.field == "physician" and "is not a physician" in nurse.value.message
    with pytest.raises(PhysicianRefused) as wrong:
        decide(NURSE, effect.id, "Home", "dr.patel", "not the password")
    assert wrong.value.field == "physician_password" and str(wrong.value) == PHYSICIAN_REFUSED
    with pytest.raises(PhysicianRefused):
        decide(NURSE, effect.id, "Home", "dr.nobody", PASSWORD)
    assert "dr.nobody" not in caplog.text  # typed into the username field: never logged
    assert "physician unknown user refused" in caplog.text
    with clinic.db.transaction(write=False) as session:
        row = session.get(SideEffectRow, effect.id)
        assert (row.physician_decision, row.physician_decision_by) == ("", None)  # nothing
        patel = session.scalar(select(UserRow).where(UserRow.username == "dr.patel"))
        assert patel.failed_sign_ins == 1  # counts towards the physician's lockout
        refusals = list(
            session.execute(
                select(AuditRow.actor, AuditRow.reason)
                .where(AuditRow.action == "physician_refused", AuditRow.entity_id == effect.id)
                .order_by(AuditRow.seq)
            )
        )
    assert refusals == [
        ("nurse.jo", "physician dr.patel not accepted"),
        ("nurse.jo", "physician unknown user not accepted"),
    ]
    assert clinic.audit.verify() == []


def test_five_wrong_passwords_lock_the_physician(clinic, clock):
    s, effect = recovering(clinic, clock, severe="headache")
    for _ in range(5):
        with pytest.raises(PhysicianRefused):
            clinic.side_effects.record_physician_decision(NURSE, effect.id, "Home", "dr.patel", "x")
    with pytest.raises(PhysicianRefused):  # locked: even the right password is refused
        clinic.side_effects.record_physician_decision(
            NURSE, effect.id, "Home", "dr.patel", PASSWORD
        )
    clock.advance(minutes=6)
    done = clinic.side_effects.record_physician_decision(
        NURSE, effect.id, "Home", "dr.patel", PASSWORD
    )
    assert done.physician_decided


def test_a_decision_needs_its_text_a_severe_open_effect_and_an_open_session(clinic, clock):
    s, effect = recovering(clinic, clock, severe="headache")
    decide = clinic.side_effects.record_physician_decision
    with pytest.raises(FieldError) as empty:
        decide(NURSE, effect.id, "  ", "dr.patel", PASSWORD)
    assert empty.value.field == "physician_decision"
    with pytest.raises(FieldError) as no_password:
        decide(NURSE, effect.id, "Home", "dr.patel", "")
    assert no_password.value.field == "physician_password"
    mild = clinic.side_effects.tick(NURSE, s.id, "dizziness")
    with pytest.raises(DomainError, match="only a SEVERE side effect"):
        decide(NURSE, mild.id, "Home", "dr.patel", PASSWORD)
    decide(NURSE, effect.id, "Home with escort", "dr.patel", PASSWORD)
    with pytest.raises(DomainError, match="already has a physician's decision"):
        decide(NURSE, effect.id, "Again", "dr.patel", PASSWORD)
    clinic.discharge.save_answers(NURSE, s.id, READY)
    clinic.discharge.discharge(NURSE, s.id)
    other = clinic.side_effects.for_session(s.id)[0]
    with pytest.raises(DomainError, match="discharged"):
        decide(NURSE, other.id, "Late", "dr.patel", PASSWORD)


# -- the dose record --------------------------------------------------------------------------
def test_an_open_dose_record_refuses_discharge_until_completed(clinic, clock):
    s, _ = recovering(clinic, clock, dose=False)
    state = clinic.discharge.save_answers(NURSE, s.id, READY)
    assert state.check.missing == (
        "Dose record completed (given, wasted, witness): Planned 36.25 mg; amount given, "
        "amount wasted, witness not recorded yet (a Schedule III record may not stay open)",
    )
    with pytest.raises(DomainError, match="Schedule III"):
        clinic.discharge.discharge(NURSE, s.id)
    clinic.dose.complete(NURSE, s.id, 36.0, 0.25, "nurse.kim", PASSWORD)
    state = clinic.discharge.state(s.id)
    assert item(state, "dose").evidence == (
        "36 mg given, 0.25 mg wasted, waste witnessed by Kim Osei, RN"
    )
    assert clinic.discharge.discharge(NURSE, s.id).outcome == "discharged"


def test_no_dose_record_at_all_blocks_in_words(clinic, clock):
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id, sedation=5)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id, no_plan_reason="Paper dose record today")
    clock.advance(minutes=40)
    clinic.sessions.stop(NURSE, s.id)
    clock.advance(minutes=35)
    baseline(clinic, s.id, sedation=5)
    state = clinic.discharge.save_answers(NURSE, s.id, READY)
    assert item(state, "dose").state is ItemState.MISSING
    assert item(state, "dose").evidence.startswith("No dose record: plan the dose")


# -- the stop ---------------------------------------------------------------------------------
def test_an_early_stop_shows_its_reason_as_evidence(clinic, clock):
    s, _ = recovering(clinic, clock, stop_after=12)
    state = clinic.discharge.save_answers(NURSE, s.id, READY)
    assert item(state, "stop").state is ItemState.OK
    assert item(state, "stop").evidence == "Stopped early at 12:00 of 40:00: Patient asked to stop"
    assert clinic.discharge.discharge(NURSE, s.id).outcome == "discharged"


# -- answers the record contradicts -----------------------------------------------------------
def test_an_answer_the_record_contradicts_is_refused_and_the_others_are_saved(clinic, clock):
    s, effect = recovering(clinic, clock, severe="nausea")
    partial = replace(DischargeAnswers(), oriented=True, nausea=Nausea.MINIMAL)
    with pytest.raises(ValidationErrors) as refused:
        clinic.discharge.save_answers(NURSE, s.id, partial)
    assert set(refused.value.errors) == {"nausea"}
    assert "“Minimal” contradicts the record: Nausea SEVERE since" in refused.value.errors["nausea"]
    stored = clinic.discharge.state(s.id).answers
    assert (stored.oriented, stored.nausea) == (True, None)  # the rest kept, nausea not
    state = clinic.discharge.save_answers(NURSE, s.id, replace(READY, nausea=Nausea.SEVERE))
    assert state.answers.nausea is Nausea.SEVERE
    assert state.check.padss.total == 8 and not state.check.ready  # honest: PADSS says no
    clinic.side_effects.resolve(NURSE, effect.id)
    state = clinic.discharge.save_answers(NURSE, s.id, READY)  # resolved: minimal is true now
    assert state.check.ready, state.check.missing


def test_an_answer_saved_before_the_record_changed_shows_as_contradicted(clinic, clock):
    s, _ = recovering(clinic, clock)
    clinic.discharge.save_answers(NURSE, s.id, READY)  # nausea "minimal", nothing recorded
    clinic.side_effects.tick(NURSE, s.id, "vomiting", severity=Severity.MODERATE)
    state = clinic.discharge.state(s.id)
    assert item(state, "nausea").state is ItemState.MISSING
    assert "Vomiting moderate since" in item(state, "nausea").evidence
    with pytest.raises(DomainError, match="contradicts the record"):
        clinic.discharge.discharge(NURSE, s.id)
    # Saving something else does not refuse the stored answer again.
    clinic.discharge.save_answers(NURSE, s.id, replace(READY, pain=2))


def test_a_pain_answer_better_than_the_last_recorded_pain_is_refused(clinic, clock):
    s, _ = recovering(clinic, clock)
    clinic.vitals.record(NURSE, s.id, VitalsDraft(124, 78, 72, 98, 14, pain=7, sedation=5))
    with pytest.raises(ValidationErrors) as refused:
        clinic.discharge.save_answers(NURSE, s.id, READY)  # pain 1
    assert "contradicts the last recorded pain score, 7/10" in refused.value.errors["pain"]
    clock.advance(minutes=10)
    clinic.vitals.record(NURSE, s.id, VitalsDraft(124, 78, 72, 98, 14, pain=2, sedation=5))
    state = clinic.discharge.save_answers(NURSE, s.id, READY)
    assert state.answers.pain == 1 and state.check.ready, state.check.missing


# -- against medical advice stays the only way round ------------------------------------------
def test_against_advice_is_the_only_way_round_an_open_problem(clinic, clock):
    s, _ = recovering(clinic, clock, severe="nausea", dose=False)
    with pytest.raises(DomainError):
        clinic.discharge.discharge(NURSE, s.id)
    ama = AgainstAdvice("Insisted on leaving with nausea", "nurse.kim", True)
    done = clinic.discharge.leave_against_advice(NURSE, s.id, ama)
    assert done.outcome == "ama"
    assert {i.key for i in done.check.items if i.state is ItemState.MISSING} >= {
        "side_effects",
        "dose",
    }
