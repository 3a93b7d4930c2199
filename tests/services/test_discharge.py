"""DischargeService over a real SQLite file: the checklist gates discharge; AMA is the only
way out without it; everything is on the audit trail."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.domain.discharge import (
    AgainstAdvice,
    DischargeAnswers,
    Escort,
    ItemState,
    IvSite,
    Nausea,
)
from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.sessions import EventKind, Phase
from ketamon.domain.vitals import VitalsDraft
from ketamon.storage.models import AuditRow, SessionRow
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    complete_dose,
    draft,
    plan_dose,
    plan_escort,
    trail_entries,
)

pytestmark = pytest.mark.both_backends

KIM = Actor("nurse.kim", "Kim Osei")
ESCORT = Escort("Maria Lopez", "Sister", "(212) 555-0143", True)
READY = DischargeAnswers(
    oriented=True,
    steady_gait=True,
    nausea=Nausea.MINIMAL,
    pain=1,
    iv_site=IvSite.REMOVED_INTACT,
    instructions_acknowledged=True,
    escort=ESCORT,
)


@pytest.fixture(autouse=True)
def kim(clinic):
    return add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)


def _in_recovery(
    clinic, clock, *, minutes_after_stop: int = 35, moaas: int | None = 5, dose: bool = True
):
    patient = clinic.patients.register(NURSE, draft("MRN1001", "Ada Lovelace"))
    chair = clinic.chairs.all()[0]
    s = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    baseline(clinic, s.id, sedation=5)
    clinic.dose.plan(NURSE, s.id, 72.5, 0.5, 10, "LOT-4411")
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(minutes=40)
    clinic.sessions.stop(NURSE, s.id)
    if dose:
        complete_dose(clinic, s.id, witness="nurse.kim")
    clock.advance(minutes=minutes_after_stop)
    values = dict(systolic=130, diastolic=80, heart_rate=76, spo2=98, resp_rate=14)
    clinic.vitals.record(NURSE, s.id, VitalsDraft(**values, sedation=moaas))
    return s


def test_a_complete_checklist_discharges_frees_the_chair_and_awaits_review(clinic, clock):
    s = _in_recovery(clinic, clock)
    state = clinic.discharge.save_answers(NURSE, s.id, READY)
    assert state.check.ready, state.check.missing
    assert state.answers.escort.phone == "+1 212-555-0143"  # normalized when stored
    assert state.answers.escort.verified_by == "nurse.jo"  # the nurse who verified

    done = clinic.discharge.discharge(NURSE, s.id)
    assert done.outcome == "discharged" and done.completed_by == "nurse.jo"
    assert done.completed_at == clock()
    assert clinic.sessions.get(s.id).phase is Phase.DISCHARGED
    assert clinic.board.get().sessions == {}  # the chair is free
    with clinic.db.transaction(write=False) as session:
        row = session.get(SessionRow, s.id)
        assert row.review_status == "awaiting_review"
    fields = {e.field for e in trail_entries(clinic, entity="discharge_record", entity_id=s.id)}
    assert {"escort_name", "escort_phone", "escort_verified_by", "outcome", "padss_total"} <= fields
    assert clinic.audit.verify() == []


def test_discharge_is_refused_until_ready_and_says_what_is_missing(clinic, clock):
    s = _in_recovery(clinic, clock, minutes_after_stop=10)
    clinic.discharge.save_answers(NURSE, s.id, replace(READY, escort=replace(ESCORT, name="")))
    with pytest.raises(DomainError) as error:
        clinic.discharge.discharge(NURSE, s.id)
    text = str(error.value)
    assert "Observed 30 min after the infusion: 20:00 still to go" in text
    assert "Escort name is required" in text
    assert clinic.sessions.get(s.id).phase is Phase.RECOVERY  # nothing changed
    # The answers typed so far are kept.
    assert clinic.discharge.state(s.id).answers.oriented is True


def test_moaas_below_5_blocks(clinic, clock):
    s = _in_recovery(clinic, clock, moaas=4)
    state = clinic.discharge.save_answers(NURSE, s.id, READY)
    assert state.check.missing == ("Last MOAA/S is 5 (responds readily to name): Last MOAA/S 4",)
    with pytest.raises(DomainError):
        clinic.discharge.discharge(NURSE, s.id)


def test_a_moaas_5_charted_before_the_infusion_does_not_release_the_patient(clinic, clock):
    """The baseline's MOAA/S 5 was seen before any ketamine: recovery is judged on a score
    charted after the infusion ended, or the item stays open and says so."""
    s = _in_recovery(clinic, clock, moaas=None)  # baseline MOAA/S 5; recovery set without
    state = clinic.discharge.save_answers(NURSE, s.id, READY)
    assert state.check.missing == (
        "Last MOAA/S is 5 (responds readily to name): No MOAA/S recorded since the infusion ended",
    )
    with pytest.raises(DomainError):
        clinic.discharge.discharge(NURSE, s.id)
    clock.advance(minutes=5)
    values = dict(systolic=128, diastolic=80, heart_rate=74, spo2=98, resp_rate=14)
    clinic.vitals.record(NURSE, s.id, VitalsDraft(**values, sedation=5))
    assert clinic.discharge.discharge(NURSE, s.id).outcome == "discharged"


def test_vitals_item_compares_the_last_set_with_the_baseline(clinic, clock):
    s = _in_recovery(clinic, clock)
    facts = clinic.discharge.state(s.id).facts
    assert (facts.baseline.systolic, facts.last.systolic) == (124, 130)
    evidence = next(
        i.evidence for i in clinic.discharge.state(s.id).check.items if i.key == "vitals"
    )
    assert evidence.startswith("Baseline BP 124/78, HR 72; last BP 130/80, HR 76")


def test_a_verification_is_of_one_escort_and_lapses_when_another_is_named(clinic, clock):
    """Kim verifies Maria in person; Jo then names someone else, through the checklist with
    the tick still on or through the escort plan: nobody has verified that person, so the
    discharge is refused until a nurse ticks again, and the record says who did."""
    s = _in_recovery(clinic, clock)
    assert clinic.discharge.save_answers(KIM, s.id, READY).check.ready
    other = replace(ESCORT, name="Mallory Other", relationship="Neighbour")
    state = clinic.discharge.save_answers(NURSE, s.id, replace(READY, escort=other))
    assert not state.answers.escort.present_verified
    assert state.answers.escort.verified_by == ""
    assert any("not yet verified" in m for m in state.check.missing)
    with pytest.raises(DomainError, match="not yet verified"):
        clinic.discharge.discharge(NURSE, s.id)
    state = clinic.discharge.save_answers(NURSE, s.id, replace(READY, escort=other))  # ticked
    assert state.check.ready and state.answers.escort.verified_by == "nurse.jo"
    # The escort plan names a third person: the same.
    state = clinic.discharge.save_escort_plan(KIM, s.id, Escort("Sam Ode", "Friend", "2125550199"))
    assert not state.answers.escort.present_verified
    with pytest.raises(DomainError, match="not yet verified"):
        clinic.discharge.discharge(KIM, s.id)
    # The same person written another way (spacing, case, the phone's punctuation) is the
    # person verified: the verification stands.
    clinic.discharge.save_answers(KIM, s.id, READY)
    same = replace(ESCORT, name="  maria   LOPEZ ", phone="212-555-0143")
    state = clinic.discharge.save_answers(NURSE, s.id, replace(READY, escort=same))
    assert state.check.ready and state.answers.escort.verified_by == "nurse.kim"
    assert clinic.discharge.discharge(NURSE, s.id).outcome == "discharged"


def test_escort_plan_at_check_in_is_validated_and_prefills_the_checklist(clinic, clock):
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    with pytest.raises(ValidationErrors) as error:
        clinic.discharge.save_escort_plan(NURSE, s.id, Escort("Sam", "Partner", "555"))
    assert set(error.value.errors) == {"escort_phone"}
    clinic.discharge.save_escort_plan(NURSE, s.id, Escort("Sam Ode", "Partner", "2125550143"))
    escort = clinic.discharge.state(s.id).answers.escort
    assert (escort.name, escort.phone, escort.present_verified) == (
        "Sam Ode",
        "+1 212-555-0143",
        False,
    )


def test_leaving_against_advice_stops_a_running_infusion_and_is_recorded(clinic, clock):
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(minutes=12)
    with pytest.raises(ValidationErrors):
        clinic.discharge.leave_against_advice(NURSE, s.id, AgainstAdvice("", "nurse.jo", False))
    with pytest.raises(FieldError):
        clinic.discharge.leave_against_advice(NURSE, s.id, AgainstAdvice("x", "nobody", False))
    state = clinic.discharge.leave_against_advice(
        NURSE, s.id, AgainstAdvice("Insisted on leaving", "nurse.kim", False)
    )
    assert state.outcome == "ama"
    assert state.ama == AgainstAdvice("Insisted on leaving", "nurse.kim", False)
    snapshot = clinic.sessions.get(s.id)
    assert snapshot.phase is Phase.DISCHARGED
    assert [e.kind for e in snapshot.events][-2:] == [EventKind.STOP, EventKind.DISCHARGE]
    assert snapshot.events[-1].reason == "Left against medical advice: Insisted on leaving"
    with clinic.db.transaction(write=False) as session:
        reasons = set(
            session.scalars(select(AuditRow.reason).where(AuditRow.entity == "discharge_record"))
        )
    assert "Insisted on leaving" in reasons


def test_a_checked_in_patient_cannot_leave_ama_and_a_cancelled_session_awaits_review(clinic):
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    with pytest.raises(DomainError, match="cancel the session instead"):
        clinic.discharge.leave_against_advice(NURSE, s.id, AgainstAdvice("x", "nurse.kim", True))
    clinic.sessions.cancel(NURSE, s.id, "Patient unwell before dosing")
    with clinic.db.transaction(write=False) as session:
        assert session.get(SessionRow, s.id).review_status == "awaiting_review"
    with pytest.raises(DomainError, match="already cancelled"):
        clinic.discharge.save_answers(NURSE, s.id, READY)


def test_answers_need_the_chart_permission_and_a_sane_pain_score(clinic, clock):
    s = _in_recovery(clinic, clock)
    with pytest.raises(ValidationErrors) as refused:
        clinic.discharge.save_answers(NURSE, s.id, replace(READY, pain=11))
    assert refused.value.errors == {"pain": "Pain score must be 0–10"}
    with pytest.raises(DomainError):
        clinic.discharge.save_answers(Actor("ghost", "Ghost"), s.id, READY)


@pytest.mark.parametrize("junk", [".", "-", "?"])
def test_an_escort_name_without_letters_is_refused_at_the_field(clinic, clock, junk):
    s = _in_recovery(clinic, clock)
    with pytest.raises(ValidationErrors) as refused:
        clinic.discharge.save_answers(
            NURSE, s.id, replace(READY, escort=replace(ESCORT, name=junk, relationship=junk))
        )
    assert (
        refused.value.errors["escort_name"] == f"Escort name must contain letters (found {junk!r})"
    )
    assert "must contain letters" in refused.value.errors["escort_relationship"]


@pytest.mark.parametrize("blank", ["\u200b", "\u3164 \u2800"])
def test_an_invisible_escort_saved_is_missing_and_blocks_discharge(clinic, clock, blank):
    # Found by an attack battery: an escort named U+200B, relationship U+200B, was accepted
    # and the patient discharged to nobody.
    s = _in_recovery(clinic, clock)
    nobody = replace(ESCORT, name=blank, relationship=blank)
    state = clinic.discharge.save_answers(NURSE, s.id, replace(READY, escort=nobody))
    assert (state.answers.escort.name, state.answers.escort.relationship) == ("", "")
    with pytest.raises(DomainError, match="Escort name is required"):
        clinic.discharge.discharge(NURSE, s.id)
    assert clinic.sessions.get(s.id).phase is Phase.RECOVERY


@pytest.mark.parametrize(
    ("escort", "field", "says"),
    [
        (replace(ESCORT, name="  ada   LOVELACE "), "escort_name", "The escort is the patient"),
        (replace(ESCORT, relationship="Self"), "escort_relationship", "is not an escort"),
        (replace(ESCORT, relationship="none"), "escort_relationship", "never alone"),
    ],
    ids=["the patient's own name", "self", "none"],
)
def test_the_patient_is_never_their_own_escort(clinic, clock, escort, field, says):
    # Found by a walk-through: escort "Samuel Fernandes" (the patient), relationship
    # "Self", verified: every criterion read as met.
    s = _in_recovery(clinic, clock)
    state = clinic.discharge.save_answers(NURSE, s.id, replace(READY, escort=escort))
    item = next(i for i in state.check.items if i.key == "escort")
    assert item.state is ItemState.MISSING and says in item.evidence
    with pytest.raises(DomainError, match=says):
        clinic.discharge.discharge(NURSE, s.id)
    assert clinic.sessions.get(s.id).phase is Phase.RECOVERY
    with pytest.raises(ValidationErrors) as refused:  # nor as the plan before the dose
        clinic.discharge.save_escort_plan(NURSE, s.id, escort)
    assert says in refused.value.errors[field]


def test_a_check_in_with_its_escort_plan_is_one_transaction(clinic) -> None:
    """The check-in form keeps the escort it names with the check-in, all or nothing: a
    plan that is refused leaves no session behind in the chair (before, two transactions:
    a refused or failed plan left the patient checked in without it)."""
    patient = clinic.patients.register(NURSE, draft(name="Samuel Fernandes"))
    chair = clinic.chairs.all()[0].id
    own = Escort("Samuel Fernandes", "Brother", "(212) 555-0143")
    with pytest.raises(ValidationErrors, match="may not take themselves home"):
        clinic.sessions.check_in(NURSE, chair, patient.id, 40, own)
    with clinic.db.transaction(write=False) as tx:
        assert list(tx.scalars(select(SessionRow))) == []
    assert clinic.board.get().sessions == {}
    plan = Escort("Maria Lopez", "Sister", "(212) 555-0143")
    session = clinic.sessions.check_in(NURSE, chair, patient.id, 40, plan)
    escort = clinic.discharge.state(session.id).answers.escort
    assert (escort.name, escort.relationship, escort.phone) == (
        "Maria Lopez",
        "Sister",
        "+1 212-555-0143",
    )
    assert session.id in clinic.board.get().escort_planned
    # Audited as what each is: the check-in's rows, then the plan's with its reason.
    planned = trail_entries(clinic, entity="discharge_record", field="escort_name")
    assert [(e.new_value, e.reason) for e in planned] == [("Maria Lopez", "escort plan")]
    assert {e.reason for e in trail_entries(clinic, entity="infusion_session")} == {""}
