"""No infusion without a dose plan (SessionService.start over a real SQLite file): the plan,
or a recorded reason to start without one, who and when being the start event's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ketamon.demo.seed import seed_demo
from ketamon.domain.clock import FakeClock
from ketamon.domain.discharge import DischargeAnswers, Escort
from ketamon.domain.errors import FieldError
from ketamon.domain.sessions import EventKind, Phase
from ketamon.services.sessions import StartNeedsDecision
from ketamon.storage.models import DischargeRow, DoseRecordRow, OutcomeRow, SessionEventRow
from tests.conftest import (
    NURSE,
    T0,
    ask_questionnaires,
    baseline,
    draft,
    open_clinic,
    plan_dose,
    plan_escort,
    trail_entries,
)

pytestmark = pytest.mark.both_backends


@pytest.fixture
def checked_in(clinic, clock) -> int:
    """Checked in with an escort plan and a recent normal baseline: only the dose plan is
    owed."""
    patient = clinic.patients.register(NURSE, draft(weight_kg=103.0))
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id
    plan_escort(clinic, sid)
    ask_questionnaires(clinic, sid)
    clock.advance(minutes=3)
    baseline(clinic, sid)
    return sid


def start_audit_reasons(clinic) -> list[str]:
    return [
        e.reason
        for e in trail_entries(clinic, entity="session_event", field="kind", new_value="start")
    ]


def assert_not_started(clinic, sid: int) -> None:
    snapshot = clinic.sessions.get(sid)
    assert snapshot.phase is Phase.CHECKED_IN
    assert [e.kind for e in snapshot.events] == [EventKind.CHECK_IN]
    assert start_audit_reasons(clinic) == []


def test_without_a_plan_or_a_reason_the_start_is_refused_and_nothing_recorded(
    clinic, checked_in
) -> None:
    check = clinic.sessions.start_check(checked_in)
    assert check.missing_dose_plan and not check.missing_baseline and check.high_bp is None
    with pytest.raises(StartNeedsDecision, match="No dose plan for this session") as refused:
        clinic.sessions.start(NURSE, checked_in)
    assert refused.value.missing == ("no_plan_reason",)
    assert_not_started(clinic, checked_in)


@pytest.mark.parametrize("blank", ["", "   ", "\n"], ids=["empty", "spaces", "newline"])
def test_a_blank_reason_is_no_reason(clinic, checked_in, blank: str) -> None:
    with pytest.raises(StartNeedsDecision) as refused:
        clinic.sessions.start(NURSE, checked_in, no_plan_reason=blank)
    assert refused.value.missing == ("no_plan_reason",)
    assert_not_started(clinic, checked_in)


def test_a_reason_that_is_not_text_names_the_field(clinic, checked_in) -> None:
    with pytest.raises(FieldError) as refused:
        clinic.sessions.start(NURSE, checked_in, no_plan_reason=None)  # type: ignore[arg-type]
    assert refused.value.field == "no_plan_reason"
    assert_not_started(clinic, checked_in)


def test_with_the_plan_the_start_owes_nothing_and_records_no_reason(
    clinic, clock, checked_in
) -> None:
    plan_dose(clinic, checked_in, weight_kg=103.0)
    assert clinic.sessions.start_check(checked_in).clear
    clock.advance(minutes=1)
    started = clinic.sessions.start(NURSE, checked_in)
    assert started.phase is Phase.INFUSING
    assert started.events[-1].reason == ""
    board = clinic.board.get()
    assert board.doses[checked_in].planned_mg == 51.5  # the board reads the plan for the tile


def test_with_a_reason_the_start_records_who_when_and_why(clinic, clock, checked_in) -> None:
    clock.advance(minutes=1)
    started = clinic.sessions.start(
        NURSE, checked_in, no_plan_reason="  Pharmacy-prepared dose; figures to follow "
    )
    event = started.events[-1]
    assert event.kind is EventKind.START
    assert (event.actor, event.at) == (NURSE.username, T0 + timedelta(minutes=4))
    assert event.reason == "Started without a dose plan: Pharmacy-prepared dose; figures to follow"
    assert start_audit_reasons(clinic) == [event.reason]  # the trail says why, too
    assert checked_in not in clinic.board.get().doses  # the tile says "NO DOSE PLAN"
    # Planning afterwards is still possible; the start keeps its recorded reason.
    plan_dose(clinic, checked_in)
    assert clinic.board.get().doses[checked_in].lot_number == "KET-24101"
    assert clinic.sessions.get(checked_in).events[-1].reason == event.reason


def test_a_plan_and_a_missing_baseline_each_ask_their_own_reason(clinic, clock) -> None:
    patient = clinic.patients.register(NURSE, draft())
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40).id
    plan_escort(clinic, sid)
    ask_questionnaires(clinic, sid)
    with pytest.raises(StartNeedsDecision) as refused:
        clinic.sessions.start(NURSE, sid, no_plan_reason="Paper dose record")
    assert refused.value.missing == ("no_baseline_reason",)
    assert_not_started(clinic, sid)
    started = clinic.sessions.start(
        NURSE, sid, no_plan_reason="Paper dose record", no_baseline_reason="Monitor fault"
    )
    assert started.events[-1].reason == (
        "Started without a dose plan: Paper dose record; "
        "Started without recent baseline vitals: Monitor fault"
    )


def test_without_an_escort_plan_the_start_is_refused_until_planned_or_reasoned(
    clinic, clock
) -> None:
    """County policy (CLINICAL.md): transport home confirmed before the dose."""
    patient = clinic.patients.register(NURSE, draft())
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[2].id, patient.id, 40).id
    baseline(clinic, sid)
    plan_dose(clinic, sid)
    ask_questionnaires(clinic, sid)
    check = clinic.sessions.start_check(sid)
    assert check.missing_escort_plan and not check.missing_dose_plan and not check.clear
    with pytest.raises(StartNeedsDecision, match="No escort plan for this session") as refused:
        clinic.sessions.start(NURSE, sid, no_escort_reason="   ")
    assert refused.value.missing == ("no_escort_reason",)
    assert_not_started(clinic, sid)
    # A checklist saved with only a name is not a plan: relationship and phone are owed.
    answers = DischargeAnswers(escort=Escort("Maria Lopez", "", ""))
    clinic.discharge.save_answers(NURSE, sid, answers)
    assert clinic.sessions.start_check(sid).missing_escort_plan
    assert sid not in clinic.board.get().escort_planned  # the tile says so
    plan_escort(clinic, sid)
    assert clinic.sessions.start_check(sid).clear
    assert sid in clinic.board.get().escort_planned
    clock.advance(minutes=1)
    assert clinic.sessions.start(NURSE, sid).events[-1].reason == ""


def test_a_start_without_an_escort_plan_records_why(clinic, clock) -> None:
    patient = clinic.patients.register(NURSE, draft())
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[2].id, patient.id, 40).id
    baseline(clinic, sid)
    plan_dose(clinic, sid)
    ask_questionnaires(clinic, sid)
    started = clinic.sessions.start(
        NURSE, sid, no_escort_reason="Clinic-arranged medical transport with an attendant"
    )
    reason = (
        "Started without a confirmed escort plan: "
        "Clinic-arranged medical transport with an attendant"
    )
    assert started.events[-1].reason == reason
    assert start_audit_reasons(clinic) == [reason]


def test_the_clinics_questionnaires_are_asked_before_the_start_or_a_reason_recorded(
    clinic, clock
) -> None:
    """Without the PHQ-9 its item 9 was never asked, so nothing could hold the start:
    starting without the clinic's questionnaires (setting) needs a recorded reason."""
    patient = clinic.patients.register(NURSE, draft())
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[2].id, patient.id, 40).id
    baseline(clinic, sid)
    plan_dose(clinic, sid)
    plan_escort(clinic, sid)
    assert clinic.sessions.start_check(sid).questionnaires_missing == ("PHQ-9", "GAD-7")
    with pytest.raises(StartNeedsDecision, match="Not asked in this session yet: PHQ-9, GAD-7"):
        clinic.sessions.start(NURSE, sid, no_questionnaire_reason="  ")
    assert_not_started(clinic, sid)
    # A voided questionnaire was not asked; the clinic's setting names which are owed.
    phq = clinic.outcomes.record(NURSE, sid, "PHQ-9", [0] * 9)
    clinic.outcomes.void(NURSE, phq.id, "Entered for the wrong patient")
    assert clinic.sessions.start_check(sid).questionnaires_missing == ("PHQ-9", "GAD-7")
    clinic.outcomes.record(NURSE, sid, "PHQ-9", [1] * 8 + [0])
    with pytest.raises(StartNeedsDecision) as refused:
        clinic.sessions.start(NURSE, sid)
    assert refused.value.missing == ("no_questionnaire_reason",)
    assert "Not asked in this session yet: GAD-7" in str(refused.value)
    clinic.settings.update(NURSE, outcome_instruments=("PHQ-9",))
    assert clinic.sessions.start_check(sid).clear
    clinic.settings.update(NURSE, outcome_instruments=("PHQ-9", "GAD-7", "PCL-5"))
    clock.advance(minutes=1)
    started = clinic.sessions.start(
        NURSE, sid, no_questionnaire_reason="Patient too anxious today; asked after"
    )
    reason = "Started without GAD-7, PCL-5: Patient too anxious today; asked after"
    assert started.phase is Phase.INFUSING and started.events[-1].reason == reason
    assert start_audit_reasons(clinic) == [reason]


def test_the_demo_plans_every_dose_before_its_start(tmp_path) -> None:
    demo = open_clinic(f"sqlite:///{tmp_path / 'demo.sqlite3'}", FakeClock(T0))
    try:
        demo.chairs.ensure_defaults(NURSE)
        seed_demo(demo, NURSE, patients=8, history_days=20)
        with demo.db.transaction(write=False) as session:
            starts = {
                e.session_id: e
                for e in session.scalars(
                    select(SessionEventRow).where(SessionEventRow.kind == EventKind.START.value)
                )
            }
            plans = {r.session_id: r for r in session.scalars(select(DoseRecordRow))}
            escorts = {r.session_id: r for r in session.scalars(select(DischargeRow))}
            asked: dict[int, set[str]] = {}
            for row in session.scalars(select(OutcomeRow)):
                if row.session_id in starts and row.taken_at < starts[row.session_id].at:
                    asked.setdefault(row.session_id, set()).add(row.instrument)
        assert starts and set(starts) == set(plans)
        # the clinic's questionnaires (default setting) before each start, so no reason owed
        assert all(asked.get(sid) == {"PHQ-9", "GAD-7"} for sid in starts)
        assert set(starts) <= set(escorts)
        for sid, start in starts.items():
            assert plans[sid].planned_at < start.at
            assert escorts[sid].escort_name and escorts[sid].escort_phone  # before the dose
            assert start.reason == ""
    finally:
        demo.close()
