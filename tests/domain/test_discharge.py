"""Discharge checklist rules: each hard stop alone blocks; PADSS at every band; AMA."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ketamon.domain.discharge import (
    AgainstAdvice,
    ClinicalFacts,
    DischargeAnswers,
    DischargeDecision,
    DischargeRules,
    Escort,
    InfusionStop,
    ItemState,
    IvSite,
    Nausea,
    VitalsPoint,
    against_advice,
    evaluate,
    normalize_phone,
    padss_iv_site,
    padss_nausea,
    padss_orientation_gait,
    padss_pain,
    padss_vitals,
    release,
    validate_against_advice,
    validate_escort_plan,
    vitals_deviation_percent,
)
from ketamon.domain.dose import DoseRecord
from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.users import Role, User

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
RULES = DischargeRules()
BASE = VitalsPoint(120, 80, 70, NOW - timedelta(hours=2))
ESCORT = Escort("Maria Lopez", "Sister", "(212) 555-0143", True, "nurse.jo")
READY = DischargeAnswers(
    oriented=True,
    steady_gait=True,
    nausea=Nausea.MINIMAL,
    pain=2,
    iv_site=IvSite.REMOVED_INTACT,
    instructions_acknowledged=True,
    escort=ESCORT,
)
DOSE = DoseRecord(
    1, 72.5, 0.5, 36.25, 10, 54.4, "LOT-1", "nurse.jo", NOW - timedelta(hours=2),
    actual_mg=36.0, wasted_mg=0.25, witness="nurse.kim", completed_by="nurse.jo",
    completed_at=NOW - timedelta(minutes=40),
)  # fmt: skip
FACTS = ClinicalFacts(
    now=NOW,
    infusion_ended_at=NOW - timedelta(minutes=45),
    baseline=BASE,
    last=VitalsPoint(126, 82, 74, NOW - timedelta(minutes=5)),
    last_moaas=5,
    stop=InfusionStop(NOW - timedelta(minutes=45), timedelta(minutes=40), 40),
    dose=DOSE,
)


def state(check, key: str) -> ItemState:
    return next(i.state for i in check.items if i.key == key)


def test_everything_met_is_ready_with_full_padss() -> None:
    check = evaluate(READY, FACTS, RULES)
    assert check.ready, check.missing
    assert check.missing == ()
    assert check.padss.total == 10


@pytest.mark.parametrize(
    ("answers", "facts", "key", "words"),
    [
        (READY, replace(FACTS, infusion_ended_at=NOW - timedelta(minutes=20)), "observation",
         "10:00 still to go"),
        (READY, replace(FACTS, infusion_ended_at=None), "observation", "not been stopped"),
        (READY, replace(FACTS, last_moaas=4), "moaas", "Last MOAA/S 4"),
        (READY, replace(FACTS, last_moaas=None), "moaas", "No MOAA/S"),
        (replace(READY, instructions_acknowledged=False), FACTS, "instructions", "Not yet"),
        (replace(READY, escort=replace(ESCORT, name=" ")), FACTS, "escort", "name is required"),
        (replace(READY, escort=replace(ESCORT, relationship="")), FACTS, "escort", "relationship"),
        (replace(READY, escort=replace(ESCORT, phone="12")), FACTS, "escort", "phone"),
        (replace(READY, escort=replace(ESCORT, present_verified=False)), FACTS, "escort",
         "verified in person"),
        (replace(READY, escort=replace(ESCORT, verified_by="")), FACTS, "escort",
         "verified in person"),
        (replace(READY, oriented=None), FACTS, "oriented", "Not answered"),
        # Found by a walk-through: "No" scored PADSS 9 and discharged; a patient not alert
        # and oriented has not shown that sedation and dissociation resolved.
        (replace(READY, oriented=False), FACTS, "oriented", "has not resolved"),
        (replace(READY, escort=replace(ESCORT, relationship="Self")), FACTS, "escort",
         "is not an escort"),
        (replace(READY, pain=None), FACTS, "pain", "Not answered"),
        (READY, replace(FACTS, last=None), "vitals", "No vitals recorded since"),
        (READY, replace(FACTS, baseline=None), "vitals", "No baseline"),
    ],
)  # fmt: skip
def test_each_hard_stop_alone_blocks_discharge(answers, facts, key, words) -> None:
    check = evaluate(answers, facts, RULES)
    assert not check.ready
    assert state(check, key) is ItemState.MISSING
    blocking = [m for m in check.missing if not m.startswith("PADSS")]
    assert len(blocking) == 1, check.missing
    assert words in blocking[0]


def test_an_unsteady_gait_alone_is_a_padss_note_not_a_stop() -> None:
    check = evaluate(replace(READY, steady_gait=False), FACTS, RULES)
    assert state(check, "gait") is ItemState.NOTE
    assert check.padss.total == 9 and check.ready


def test_the_patients_own_name_is_no_escort() -> None:
    facts = replace(FACTS, patient_name="Maria  lopez")
    check = evaluate(READY, facts, RULES)
    assert state(check, "escort") is ItemState.MISSING
    assert "The escort is the patient (Maria Lopez)" in check.missing[0]


def test_observation_minimum_is_a_setting() -> None:
    facts = replace(FACTS, infusion_ended_at=NOW - timedelta(minutes=45))
    assert evaluate(READY, facts, replace(RULES, min_observation_minutes=60)).missing[0] == (
        "Observed 60 min after the infusion: 15:00 still to go (45:00 so far)"
    )


def test_padss_below_minimum_blocks_even_when_every_item_is_answered() -> None:
    answers = replace(READY, nausea=Nausea.MODERATE, pain=5)  # 2+2+1+1+2 = 8
    check = evaluate(answers, FACTS, RULES)
    assert check.padss.total == 8
    assert check.missing == ("PADSS at least 9 of 10: PADSS 8/10",)
    # One point less is still allowed: PADSS 9 discharges.
    assert evaluate(replace(READY, pain=5), FACTS, RULES).ready


@pytest.mark.parametrize(
    ("deviation", "points"), [(0, 2), (20, 2), (20.5, 1), (40, 1), (40.1, 0), (90, 0)]
)
def test_padss_vitals_bands(deviation: float, points: int) -> None:
    assert padss_vitals(deviation, RULES) == points


def test_vitals_deviation_is_the_largest_of_bp_and_heart_rate() -> None:
    last = VitalsPoint(130, 80, 98, NOW)  # HR +40%
    assert vitals_deviation_percent(BASE, last) == pytest.approx(40.0)
    check = evaluate(READY, replace(FACTS, last=last), RULES)
    assert check.padss.vitals == 1
    assert state(check, "vitals") is ItemState.NOTE  # counted, not a hard stop on its own
    assert "largest change 40%" in next(i.evidence for i in check.items if i.key == "vitals")


@pytest.mark.parametrize(
    ("oriented", "steady", "points"),
    [(True, True, 2), (True, False, 1), (False, True, 1), (False, False, 0), (None, True, None)],
)
def test_padss_orientation_and_gait(oriented, steady, points) -> None:
    assert padss_orientation_gait(oriented, steady) == points


@pytest.mark.parametrize(("pain", "points"), [(0, 2), (3, 2), (4, 1), (6, 1), (7, 0), (10, 0)])
def test_padss_pain_bands(pain: int, points: int) -> None:
    assert padss_pain(pain) == points


def test_padss_nausea_and_iv_site_bands() -> None:
    assert [padss_nausea(n) for n in Nausea] == [2, 1, 0]
    assert [padss_iv_site(s) for s in IvSite] == [2, 1, 0]
    assert padss_nausea(None) is None and padss_iv_site(None) is None


def test_phone_numbers_are_validated_and_normalized() -> None:
    assert normalize_phone("(212) 555-0143") == "+1 212-555-0143"
    assert normalize_phone("+44 20 7946 0958") == "+44 20 7946 0958"
    for bad, words in [("", "required"), ("call me", "not a phone number"), ("123", "valid")]:
        with pytest.raises(FieldError) as error:
            normalize_phone(bad)
        assert error.value.field == "escort_phone"
        assert words in error.value.message


def test_an_escort_plan_at_check_in_needs_no_verification_yet() -> None:
    plan = validate_escort_plan(Escort(" Sam Ode ", "Partner", "212 555 0143"), "US")
    assert plan == Escort("Sam Ode", "Partner", "+1 212-555-0143")
    with pytest.raises(ValidationErrors) as error:
        validate_escort_plan(Escort("", "", "5"), "US")
    assert set(error.value.errors) == {"escort_name", "escort_relationship", "escort_phone"}


def test_leaving_against_advice_needs_a_reason_and_another_witness() -> None:
    ok = validate_against_advice(AgainstAdvice(" Refused to wait ", "nurse.kim", False), "nurse.jo")
    assert ok.reason == "Refused to wait"
    with pytest.raises(ValidationErrors) as error:
        validate_against_advice(AgainstAdvice("", "nurse.jo", True), "nurse.jo")
    assert set(error.value.errors) == {"ama_reason", "ama_witness"}


# -- the decision a session needs to become discharged ----------------------------------------
def test_release_is_given_only_for_a_ready_checklist() -> None:
    decision = release(evaluate(READY, FACTS, RULES))
    assert (decision.outcome, decision.reason, decision.ama, decision.padss_total) == (
        "discharged",
        "",
        None,
        10,
    )
    early = replace(FACTS, infusion_ended_at=NOW - timedelta(minutes=1))
    no_escort = replace(READY, escort=Escort())
    with pytest.raises(DomainError) as refused:
        release(evaluate(no_escort, early, RULES))
    assert str(refused.value).startswith("Cannot discharge yet:\n• Observed 30 min")
    assert "Escort name is required" in str(refused.value)


WITNESS = User(7, "nurse.kim", "Kim Osei", "RN", frozenset({Role.NURSE}), True)


def test_against_advice_needs_a_reason_and_an_active_witness_other_than_the_nurse() -> None:
    check = evaluate(DischargeAnswers(), FACTS, RULES)  # nothing met
    decision = against_advice(
        AgainstAdvice(" Insisted ", "nurse.kim", False), "nurse.jo", WITNESS, check
    )
    assert decision.outcome == "ama"
    assert decision.reason == "Left against medical advice: Insisted"
    assert decision.padss_total is None  # the checklist was not complete
    ama = AgainstAdvice("Insisted", "nurse.kim", False)
    with pytest.raises(FieldError, match="not an active KetaMon user"):
        against_advice(ama, "nurse.jo", None, check)
    with pytest.raises(FieldError, match="not an active KetaMon user"):
        against_advice(ama, "nurse.jo", replace(WITNESS, active=False), check)
    with pytest.raises(ValidationErrors):
        against_advice(AgainstAdvice("", "nurse.kim", False), "nurse.jo", WITNESS, check)


def test_a_decision_cannot_be_made_outside_release_and_against_advice() -> None:
    check = evaluate(READY, FACTS, RULES)
    with pytest.raises(DomainError, match="decided by the discharge checklist"):
        DischargeDecision("discharged", check, None)
    with pytest.raises(DomainError, match="decided by the discharge checklist"):
        DischargeDecision("discharged", check, None, object())
