"""Outcome questionnaires through the service on both backends: recorded item by item and
scored in the service, corrected and voided with the old value kept on the audit trail, a
positive PHQ-9 item 9 stopping START until a clinician decides, the stop reaching every
path to START (the demo included), and questionnaires locked with the signed session."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.instruments import Instrument
from ketamon.domain.outcomes import CssrsScreen, Decision
from ketamon.domain.sessions import Phase
from ketamon.domain.statuses import RecordStatus
from ketamon.services.review import ReviewService
from ketamon.services.signatures import not_covered
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    draft,
    plan_dose,
    plan_escort,
    trail_entries,
)
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends

DOC = Actor("dr.patel", "Priya Patel, MD")
ITEM9_TWO = [2, 2, 1, 1, 1, 1, 1, 1, 2]  # total 12, item 9 = 2
NEGATIVE = [3, 3, 2, 2, 2, 2, 2, 2, 0]  # total 18


@pytest.fixture
def doctor(clinic):
    return add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)


@pytest.fixture
def ready(clinic, clock) -> int:
    """Checked in with a baseline, a dose plan and an escort plan: only the clinic's
    questionnaires (PHQ-9, GAD-7) stand before START."""
    patient = clinic.patients.register(NURSE, draft())
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id
    clock.advance(minutes=2)
    baseline(clinic, sid)
    plan_dose(clinic, sid)
    plan_escort(clinic, sid)
    return sid


def test_a_phq9_is_stored_item_by_item_scored_in_the_service_and_audited(clinic, ready) -> None:
    record = clinic.outcomes.record(NURSE, ready, Instrument.PHQ9, NEGATIVE, self_completed=True)
    assert (record.score.total, record.score.band) == (18, "moderately severe")
    assert record.score.answers == tuple(NEGATIVE) and record.self_completed
    assert record.entered_by == "Jo Rivera, RN" and record.course_id is not None
    assert clinic.outcomes.for_session(ready) == [record]
    with clinic.db.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT answers, total FROM outcome_score WHERE id = :i"), {"i": record.id}
        ).one()
    assert tuple(stored) == ("3,3,2,2,2,2,2,2,0", 18)
    fields = {r.field: r.new_value for r in trail_entries(clinic, entity="outcome_score")}
    assert fields["answers"] == "3,3,2,2,2,2,2,2,0" and fields["entered_by"] == "nurse.jo"
    assert clinic.audit.verify() == []


def test_impossible_answers_are_refused_naming_the_item_and_nothing_is_stored(
    clinic, ready
) -> None:
    with pytest.raises(ValidationErrors) as refused:
        clinic.outcomes.record(NURSE, ready, "PHQ-9", [0, 0, 0, 9, 0, 0, 0, 0, 0])
    assert refused.value.errors == {"PHQ-9 item 4": "PHQ-9 item 4 must be 0–3; 9 is not an answer"}
    with pytest.raises(FieldError, match="GAD-7 has 7 items; 9 answers given"):
        clinic.outcomes.record(NURSE, ready, "GAD-7", [0] * 9)
    assert clinic.outcomes.for_session(ready) == []


def test_a_positive_item_9_stops_start_until_a_clinician_decides_to_proceed(clinic, ready) -> None:
    phq = clinic.outcomes.record(NURSE, ready, Instrument.PHQ9, ITEM9_TWO)
    assert phq.needs_review
    check = clinic.sessions.start_check(ready)
    assert not check.clear and check.item9_stop.startswith("PHQ-9 item 9 = 2 — clinician review")
    assert check.item9_awaiting_review  # Q opens the review
    with pytest.raises(DomainError, match="PHQ-9 item 9 = 2 — clinician review"):
        clinic.sessions.start(NURSE, ready, no_baseline_reason="x", high_bp_confirmed=True)
    assert clinic.sessions.get(ready).phase is Phase.CHECKED_IN

    reviewed = clinic.outcomes.review_item9(
        NURSE, phq.id, Decision.PROCEED, "Passive thoughts, safety plan in place",
        screen=CssrsScreen(wish_dead=True, suicidal_thoughts=False),
    )  # fmt: skip
    assert reviewed.review is not None and reviewed.review.decided_by == "Jo Rivera, RN"
    assert reviewed.review.screen == CssrsScreen(True, False) and not reviewed.needs_review
    assert clinic.sessions.start_check(ready).questionnaires_missing == ("GAD-7",)
    ask_questionnaires(clinic, ready)  # the GAD-7 too
    assert clinic.sessions.start_check(ready).clear
    assert clinic.sessions.start(NURSE, ready).phase is Phase.INFUSING


def test_delay_or_escalate_keeps_the_infusion_stopped_in_words(clinic, ready) -> None:
    phq = clinic.outcomes.record(NURSE, ready, Instrument.PHQ9, ITEM9_TWO)
    clinic.outcomes.review_item9(NURSE, phq.id, "delay", "Wants to talk to her therapist first")
    held = clinic.sessions.start_check(ready)
    assert "decided to delay" in held.item9_stop and not held.item9_awaiting_review
    with pytest.raises(DomainError, match="Jo Rivera, RN decided to delay"):
        clinic.sessions.start(NURSE, ready)
    with pytest.raises(DomainError, match="already reviewed by Jo Rivera, RN"):
        clinic.outcomes.review_item9(NURSE, phq.id, "proceed", "Changed my mind")


@pytest.mark.parametrize("decided", [None, "delay", "escalate"])
def test_a_later_negative_phq9_does_not_lift_the_stop_of_a_positive_one(
    clinic, ready, clock, decided
) -> None:
    # Found by an attack battery: START read only the newest PHQ-9, so a second form with
    # item 9 = 0 (no correction, no reason) let the infusion start after a "delay".
    phq = clinic.outcomes.record(NURSE, ready, Instrument.PHQ9, ITEM9_TWO)
    if decided:
        clinic.outcomes.review_item9(NURSE, phq.id, decided, "Wants to talk to her therapist")
    clock.advance(minutes=3)
    clinic.outcomes.record(NURSE, ready, Instrument.PHQ9, NEGATIVE)
    stop = clinic.sessions.start_check(ready).item9_stop
    assert stop.startswith("PHQ-9 item 9 = 2")
    with pytest.raises(DomainError, match="PHQ-9 item 9 = 2"):
        clinic.sessions.start(NURSE, ready, no_baseline_reason="x", high_bp_confirmed=True)
    assert clinic.sessions.get(ready).phase is Phase.CHECKED_IN
    # The positive form leaves only through a reasoned correction (or void) of that form.
    clinic.outcomes.correct(NURSE, phq.id, NEGATIVE, "Item 9 ticked on the wrong line")
    assert clinic.sessions.start_check(ready).item9_stop == ""
    ask_questionnaires(clinic, ready)
    assert clinic.sessions.start(NURSE, ready).phase is Phase.INFUSING


def test_every_positive_phq9_needs_its_own_proceed(clinic, ready, clock) -> None:
    first = clinic.outcomes.record(NURSE, ready, Instrument.PHQ9, ITEM9_TWO)
    clock.advance(minutes=3)
    second = clinic.outcomes.record(NURSE, ready, Instrument.PHQ9, [0] * 8 + [1])
    clinic.outcomes.review_item9(NURSE, second.id, "proceed", "Passive thoughts, plan in place")
    assert clinic.sessions.start_check(ready).item9_stop.startswith("PHQ-9 item 9 = 2")
    clinic.outcomes.review_item9(NURSE, first.id, "proceed", "Seen with the physician, agreed")
    ask_questionnaires(clinic, ready)
    assert clinic.sessions.start(NURSE, ready).phase is Phase.INFUSING


def test_a_high_risk_screen_proceeds_only_on_a_physicians_decision(clinic, ready, doctor) -> None:
    phq = clinic.outcomes.record(NURSE, ready, Instrument.PHQ9, ITEM9_TWO)
    high = CssrsScreen(True, True, plan=True)
    with pytest.raises(DomainError, match="only a physician may decide to proceed"):
        clinic.outcomes.review_item9(NURSE, phq.id, "proceed", "Seems fine", screen=high)
    assert clinic.outcomes.for_session(ready)[0].review is None
    done = clinic.outcomes.review_item9(DOC, phq.id, "proceed", "Seen, plan agreed", screen=high)
    assert done.review is not None and done.review.physician
    ask_questionnaires(clinic, ready)
    assert clinic.sessions.start(NURSE, ready).phase is Phase.INFUSING


def test_a_correction_keeps_the_old_answers_and_a_corrected_item_9_needs_its_own_review(
    clinic, ready
) -> None:
    wrong = clinic.outcomes.record(NURSE, ready, Instrument.PHQ9, NEGATIVE)
    with pytest.raises(FieldError, match="A reason is required"):
        clinic.outcomes.correct(NURSE, wrong.id, ITEM9_TWO, "  ")
    fixed = clinic.outcomes.correct(NURSE, wrong.id, ITEM9_TWO, "Item 9 read out of order")
    assert fixed.corrects_id == wrong.id and fixed.taken_at == wrong.taken_at
    old, new = clinic.outcomes.for_session(ready)
    assert old.status is RecordStatus.CORRECTED and old.score.answers == tuple(NEGATIVE)
    assert old.status_reason == "Item 9 read out of order" and new.score.total == 12
    assert "clinician review" in clinic.sessions.start_check(ready).item9_stop
    with pytest.raises(DomainError, match="already corrected: it cannot be corrected again"):
        clinic.outcomes.correct(NURSE, wrong.id, NEGATIVE, "again")
    clinic.outcomes.void(NURSE, new.id, "Wrong patient's form")
    assert clinic.sessions.start_check(ready).item9_stop == ""  # no current PHQ-9 left
    assert clinic.audit.verify() == []


def test_a_follow_up_visit_without_an_infusion_joins_the_patients_course(clinic, clock) -> None:
    patient = clinic.patients.register(NURSE, draft())
    visit = clinic.outcomes.record_visit(NURSE, patient.id, "GAD-7", [1, 1, 1, 1, 1, 1, 1])
    assert visit.session_id is None and visit.score.line == "GAD-7 7 (mild)"
    clock.advance(minutes=5)
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id
    clinic.outcomes.record(NURSE, sid, "PHQ-9", NEGATIVE)
    assert [r.score.instrument for r in clinic.outcomes.for_patient(patient.id)] == [
        Instrument.GAD7,
        Instrument.PHQ9,
    ]


def test_a_signed_session_covers_its_questionnaires_and_locks_them(clinic, clock, doctor) -> None:
    session = discharged_session(clinic, clock, sets=16, phq9=NEGATIVE)
    with pytest.raises(DomainError, match="a questionnaire is recorded while"):
        clinic.outcomes.record(NURSE, session.id, "PHQ-9", NEGATIVE)
    review = ReviewService(clinic.db, clinic.clock)
    review.sign(
        DOC,
        session.id,
        PASSWORD,
        "Reviewed and approved",
        reviewed=review.record_digest(session.id),
    )
    assert review.signature(session.id).valid
    phq, gad = clinic.outcomes.for_session(session.id)  # both asked before the start
    assert (phq.score.instrument, gad.score.instrument) == (Instrument.PHQ9, Instrument.GAD7)
    with pytest.raises(DomainError, match="signed and locked"):
        clinic.outcomes.void(NURSE, phq.id, "after signing")
    with pytest.raises(Exception, match="signed and locked"), clinic.db.engine.begin() as conn:
        conn.execute(text("UPDATE outcome_score SET total = 3 WHERE id = :i"), {"i": phq.id})
    assert review.signature(session.id).valid


@pytest.mark.sqlite_only(reason="drops the lock triggers with sqlite3, as a file holder can")
def test_a_questionnaire_changed_behind_the_triggers_invalidates_the_signature(
    clinic, clock, doctor
) -> None:
    session = discharged_session(clinic, clock, sets=16, phq9=NEGATIVE)
    review = ReviewService(clinic.db, clinic.clock)
    review.sign(
        DOC,
        session.id,
        PASSWORD,
        "Reviewed and approved",
        reviewed=review.record_digest(session.id),
    )
    raw = sqlite3.connect(str(clinic.db.path))
    raw.execute("DROP TRIGGER outcome_score_signed_lock_update")
    raw.execute("UPDATE outcome_score SET answers = '0,0,0,0,0,0,0,0,0', total = 0")
    raw.commit()
    raw.close()
    assert not review.signature(session.id).valid


def test_sessions_signed_before_questionnaires_existed_still_check(clinic, clock, doctor) -> None:
    """A version-3 signature (before 0012) is checked without the new table."""
    session = discharged_session(clinic, clock, sets=16)
    review = ReviewService(clinic.db, clinic.clock)
    review.sign(
        DOC,
        session.id,
        PASSWORD,
        "Reviewed and approved",
        reviewed=review.record_digest(session.id),
    )
    assert not_covered(3)["outcome_score"] == ("*",) and "outcome_score" not in not_covered(4)
