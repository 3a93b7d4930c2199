"""Starting an infusion (pure): a dose plan or a reason, a recent baseline or a reason, a
high baseline BP confirmed; each decision in the start event's reason text. And the tile's
dose line, from the plan or its absence."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from ketamon.domain.board import (
    DOSE_NOT_PLANNED,
    NO_DOSE_PLAN,
    NO_ESCORT_PLAN,
    Chair,
    TileLevel,
    session_dose_line,
    tile_view,
    with_dose,
    with_escort,
)
from ketamon.domain.discharge import Escort, has_escort_plan
from ketamon.domain.dose import DoseRecord, has_plan, plan_text
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.sessions import EventKind
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.start import (
    NO_ESCORT_FIELD,
    NO_PLAN_FIELD,
    NO_QUESTIONNAIRE_FIELD,
    StartCheck,
    StartNeedsDecision,
    dose_plan_note,
    start_note,
)
from ketamon.domain.vitals import StartCheck as BaselineCheck
from tests.conftest import T0
from tests.domain.test_board import snapshot

RECENT = BaselineCheck(False, None, (140, 90), 30)
NO_BASELINE = BaselineCheck(True, None, (140, 90), 30)
HIGH_BP = BaselineCheck(False, "165/98", (140, 90), 30)
PLAN = DoseRecord(
    session_id=7,
    weight_kg=103.0,
    mg_per_kg=0.5,
    planned_mg=51.5,
    concentration_mg_ml=10.0,
    planned_rate_ml_h=7.73,
    lot_number="KET-24101",
    planned_by="nurse.jo",
    planned_at=T0,
)


def test_a_plan_is_what_the_dose_service_records_each_figure_and_the_lot() -> None:
    assert has_plan(PLAN)
    assert not has_plan(None)
    assert not has_plan(replace(PLAN, lot_number="  "))
    assert not has_plan(replace(PLAN, planned_mg=0.0))
    assert plan_text(PLAN) == "0.5 mg/kg · 51.5 mg"
    assert plan_text(replace(PLAN, mg_per_kg=0.35, planned_mg=36.25)) == "0.35 mg/kg · 36.25 mg"


def test_with_a_plan_and_a_recent_normal_baseline_nothing_is_owed() -> None:
    check = StartCheck(RECENT, dose_planned=True, escort_planned=True)
    assert check.clear and not check.missing_dose_plan
    assert start_note(check) == ""
    assert start_note(check, no_plan_reason="ignored: there is a plan") == ""


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"], ids=["empty", "spaces", "blank lines"])
def test_without_a_plan_the_start_is_refused_unless_a_reason_is_given(reason: str) -> None:
    check = StartCheck(RECENT, dose_planned=False, escort_planned=True)
    assert not check.clear and check.missing_dose_plan
    with pytest.raises(StartNeedsDecision, match="No dose plan for this session") as refused:
        start_note(check, no_plan_reason=reason)
    assert refused.value.missing == (NO_PLAN_FIELD,)
    assert refused.value.check is check
    assert "concentration, rate, lot" in str(refused.value)


def test_without_a_plan_the_reason_is_recorded_in_the_start_note() -> None:
    check = StartCheck(RECENT, dose_planned=False, escort_planned=True)
    note = start_note(check, no_plan_reason="  Pharmacy-prepared dose  ")
    assert note == "Started without a dose plan: Pharmacy-prepared dose"
    assert dose_plan_note(False, "Pharmacy-prepared dose") == note
    assert dose_plan_note(True) == ""
    assert dose_plan_note(False, " ") is None


def test_a_reason_that_is_not_text_names_its_field() -> None:
    with pytest.raises(FieldError) as refused:
        start_note(StartCheck(RECENT, False, True), no_plan_reason=42)
    assert refused.value.field == NO_PLAN_FIELD
    with pytest.raises(FieldError) as refused:
        start_note(StartCheck(RECENT, False, True), no_plan_reason="x" * 5000)
    assert refused.value.field == NO_PLAN_FIELD


def test_every_missing_decision_is_named_together_and_each_is_recorded() -> None:
    check = StartCheck(NO_BASELINE, dose_planned=False, escort_planned=True)
    with pytest.raises(StartNeedsDecision) as refused:
        start_note(check)
    assert refused.value.missing == (NO_PLAN_FIELD, "no_baseline_reason")
    assert "No dose plan" in str(refused.value) and "No baseline vitals" in str(refused.value)
    with pytest.raises(StartNeedsDecision) as refused:  # the plan's reason alone is not enough
        start_note(check, no_plan_reason="Paper record")
    assert refused.value.missing == ("no_baseline_reason",)
    note = start_note(check, no_plan_reason="Paper record", no_baseline_reason="Monitor fault")
    assert note == (
        "Started without a dose plan: Paper record; "
        "Started without recent baseline vitals: Monitor fault"
    )


def test_a_high_bp_still_needs_its_confirmation_with_or_without_a_plan() -> None:
    with pytest.raises(StartNeedsDecision) as refused:
        start_note(StartCheck(HIGH_BP, False, True), no_plan_reason="Paper record")
    assert refused.value.missing == ("high_bp_confirmed",)
    note = start_note(
        StartCheck(HIGH_BP, False, True), no_plan_reason="Paper", high_bp_confirmed=True
    )
    assert note == "Started without a dose plan: Paper; Baseline BP 165/98 above 140/90: proceeded"


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "spaces"])
def test_without_an_escort_plan_the_start_is_refused_unless_a_reason_is_given(reason) -> None:
    """County policy: transport home confirmed before the dose (CLINICAL.md)."""
    check = StartCheck(RECENT, dose_planned=True, escort_planned=False)
    assert not check.clear and check.missing_escort_plan
    with pytest.raises(StartNeedsDecision, match="No escort plan for this session") as refused:
        start_note(check, no_escort_reason=reason, no_plan_reason="not asked: there is a plan")
    assert refused.value.missing == (NO_ESCORT_FIELD,)
    assert "never driving" in str(refused.value)
    note = start_note(check, no_escort_reason="  Sister confirmed by phone, details on arrival ")
    assert note == (
        "Started without a confirmed escort plan: Sister confirmed by phone, details on arrival"
    )
    with pytest.raises(FieldError) as bad:
        start_note(check, no_escort_reason=["a list"])
    assert bad.value.field == NO_ESCORT_FIELD


def test_no_plan_and_no_escort_are_both_named_and_both_recorded() -> None:
    check = StartCheck(NO_BASELINE, dose_planned=False, escort_planned=False)
    with pytest.raises(StartNeedsDecision) as refused:
        start_note(check)
    assert refused.value.missing == (NO_PLAN_FIELD, NO_ESCORT_FIELD, "no_baseline_reason")
    note = start_note(check, no_plan_reason="Paper", no_escort_reason="Taxi with attendant",
                      no_baseline_reason="Monitor fault")  # fmt: skip
    assert note == (
        "Started without a dose plan: Paper; "
        "Started without a confirmed escort plan: Taxi with attendant; "
        "Started without recent baseline vitals: Monitor fault"
    )


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "spaces"])
def test_questionnaires_not_asked_refuse_the_start_unless_a_reason_is_given(reason) -> None:
    """Outcome measures are taken per session before the infusion (CLINICAL.md); without
    the PHQ-9 its item 9, which can stop the start, was never asked."""
    check = StartCheck(RECENT, True, True, questionnaires_missing=("PHQ-9", "GAD-7"))
    assert not check.clear
    with pytest.raises(
        StartNeedsDecision, match="Not asked in this session yet: PHQ-9, GAD-7"
    ) as refused:
        start_note(check, no_questionnaire_reason=reason)
    assert refused.value.missing == (NO_QUESTIONNAIRE_FIELD,)
    assert "ask them now, or give a reason to start without them" in str(refused.value)
    note = start_note(check, no_questionnaire_reason=" Patient declined today ")
    assert note == "Started without PHQ-9, GAD-7: Patient declined today"
    one = StartCheck(RECENT, True, True, questionnaires_missing=("GAD-7",))
    assert "(the clinic asks it before each infusion): ask it now" in one.message
    with pytest.raises(FieldError) as bad:
        start_note(check, no_questionnaire_reason=42)
    assert bad.value.field == NO_QUESTIONNAIRE_FIELD


def test_an_item9_stop_is_not_lifted_by_a_reason_for_the_other_questionnaires() -> None:
    check = StartCheck(
        RECENT, True, True, item9_stop="PHQ-9 item 9 = 2", questionnaires_missing=("GAD-7",)
    )
    with pytest.raises(DomainError, match="PHQ-9 item 9 = 2") as refused:
        start_note(check, no_questionnaire_reason="Declined the GAD-7")
    assert not isinstance(refused.value, StartNeedsDecision)


def test_an_escort_plan_is_a_name_a_relationship_and_a_valid_phone() -> None:
    whole = Escort("Maria Lopez", "Sister", "(212) 555-0143")
    assert has_escort_plan(whole, "US")
    assert not has_escort_plan(None, "US")
    assert not has_escort_plan(Escort("", "", ""), "US")
    assert not has_escort_plan(replace(whole, relationship=" "), "US")
    assert not has_escort_plan(replace(whole, phone="555"), "US")
    assert not has_escort_plan(replace(whole, name="123"), "US")


CHAIR = Chair(id=3, name="Chair 3", position=3)
SETTINGS = ClinicSettings()
START = (EventKind.START, 0)


def tile(*steps, plan=None, minutes: float = 5):
    session = snapshot(*steps)
    now = T0 + timedelta(minutes=minutes)
    return with_dose(tile_view(CHAIR, session, SETTINGS, now), session, plan)


def test_the_tile_shows_the_planned_dose_before_and_during_the_infusion() -> None:
    waiting = tile(plan=PLAN)
    assert waiting.level is TileLevel.WAITING
    assert (waiting.dose_text, waiting.dose_missing) == ("Dose 0.5 mg/kg · 51.5 mg", False)
    running = tile(START, plan=PLAN)
    assert running.level is TileLevel.RUNNING
    assert running.dose_text == "Dose 0.5 mg/kg · 51.5 mg"


def test_the_tile_says_in_words_when_there_is_no_plan() -> None:
    waiting = tile()
    assert (waiting.dose_text, waiting.dose_missing) == (DOSE_NOT_PLANNED, True)
    assert waiting.dose_text == "Dose not planned"
    for steps in ([START], [START, (EventKind.PAUSE, 2, "nausea")], [START, (EventKind.STOP, 4)]):
        started = tile(*steps)
        assert started.level is not TileLevel.WAITING
        assert (started.dose_text, started.dose_missing) == (NO_DOSE_PLAN, True)
        assert "NO DOSE PLAN" in started.dose_text


def test_an_empty_chair_has_no_dose_line() -> None:
    empty = with_dose(tile_view(CHAIR, None, SETTINGS, T0), None, None)
    assert (empty.dose_text, empty.dose_missing) == ("", False)


def test_the_session_window_line_gives_the_plan_or_why_there_is_none() -> None:
    waiting = snapshot()
    assert session_dose_line(waiting, PLAN) == (
        "Dose plan: 0.5 mg/kg · 51.5 mg · 10 mg/mL at 7.73 mL/h · lot KET-24101",
        "planned",
    )
    assert session_dose_line(waiting, None) == (
        "Dose not planned: plan it before the infusion (Interventions tab)",
        "unplanned",
    )
    why = "Started without a dose plan: Paper record; Baseline BP 165/98 above 140/90: proceeded"
    started = snapshot((EventKind.START, 0, why))
    assert session_dose_line(started, None) == (
        "⚠ NO DOSE PLAN — the infusion started without one: "
        "Paper record; Baseline BP 165/98 above 140/90: proceeded",
        "missing",
    )
    before_the_rule = snapshot(START, (EventKind.STOP, 40))
    text, state = session_dose_line(before_the_rule, None)
    assert text.endswith("without one: no reason recorded") and state == "missing"
    cancelled = snapshot((EventKind.CANCEL, 3, "no escort"))
    assert session_dose_line(cancelled, None) == ("Dose not planned", "unplanned")


def test_the_tile_says_when_no_escort_is_named_yet_before_and_after_the_start() -> None:
    session = snapshot()
    waiting = tile_view(CHAIR, session, SETTINGS, T0 + timedelta(minutes=5))
    said = with_escort(waiting, session, planned=False)
    assert said.detail_text == f"{waiting.detail_text} · {NO_ESCORT_PLAN}"
    assert NO_ESCORT_PLAN == "No escort plan yet"
    assert with_escort(waiting, session, planned=True) == waiting
    running = snapshot(START)
    view = tile_view(CHAIR, running, SETTINGS, T0 + timedelta(minutes=5))
    assert with_escort(view, running, planned=False).detail_text.endswith(NO_ESCORT_PLAN)
    empty = tile_view(CHAIR, None, SETTINGS, T0)
    assert with_escort(empty, None, planned=False) == empty
