"""Discharge criteria KetaMon checks from the record, with the evidence in words: no SEVERE
side effect open (or a physician's documented decision), the dose record completed, an
early stop with its reason; and the nurse's answers may not contradict the record."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

import pytest

from ketamon.domain.discharge import (
    InfusionStop,
    ItemState,
    Nausea,
    RecordedPain,
    contradictions,
    evaluate,
    lowest_nausea_answer,
    refused_answers,
    release,
)
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.side_effects import Severity, SideEffect, check_physician_decision
from tests.domain.test_discharge import DOSE, FACTS, NOW, READY, RULES

FACTS = replace(FACTS, tz=UTC, names=(("nurse.kim", "Kim Osei"), ("dr.patel", "Dr Patel")))
ONSET = NOW.replace(hour=14, minute=2)


def effect(kind: str = "nausea", severity: Severity = Severity.SEVERE, **kw) -> SideEffect:
    values = dict(
        id=kw.pop("id", 1), session_id=1, kind_key=kind, label=kind.capitalize(),
        other_text="", onset_at=ONSET, severity=severity, resolved_at=None, note="",
        entered_by="nurse.jo", status="current",
    ) | kw  # fmt: skip
    return SideEffect(**values)


def item(check, key: str):
    return next(i for i in check.items if i.key == key)


def blocking(check) -> list[str]:
    return [m for m in check.missing if not m.startswith("PADSS")]


# -- no SEVERE side effect open -----------------------------------------------------------------
def test_a_severe_open_side_effect_blocks_with_its_onset_in_words() -> None:
    check = evaluate(READY, replace(FACTS, side_effects=(effect("headache"),)), RULES)
    assert item(check, "side_effects").state is ItemState.MISSING
    assert blocking(check) == [
        "No SEVERE side effect unresolved: Headache SEVERE since 14:02, not resolved — "
        "resolve it or a physician's decision"
    ]
    with pytest.raises(DomainError, match="Headache SEVERE since 14:02"):
        release(check)


@pytest.mark.parametrize(
    "done",
    [
        {"resolved_at": ONSET + timedelta(minutes=20)},
        {"status": "voided", "status_reason": "Ticked by mistake"},
        {"severity": Severity.MODERATE},
    ],
    ids=["resolved", "voided", "moderate"],
)
def test_a_resolved_voided_or_milder_side_effect_does_not_block(done) -> None:
    check = evaluate(READY, replace(FACTS, side_effects=(effect("headache", **done),)), RULES)
    assert check.ready, check.missing
    evidence = item(check, "side_effects").evidence
    assert evidence.startswith("No SEVERE side effect open")
    if done.get("severity") is Severity.MODERATE:
        assert evidence.endswith("still open: Headache (moderate)")  # shown, not hidden


def test_a_physicians_documented_decision_lets_a_severe_open_effect_through() -> None:
    decided = effect(
        "headache",
        physician_decision="Migraine history, usual pattern; home with escort",
        physician_decision_by="dr.patel",
        physician_decision_at=NOW.replace(hour=14, minute=40),
    )
    check = evaluate(READY, replace(FACTS, side_effects=(decided,)), RULES)
    assert check.ready, check.missing
    assert item(check, "side_effects").evidence == (
        "Headache SEVERE since 14:02, not resolved; physician's decision by Dr Patel at 14:40: "
        "“Migraine history, usual pattern; home with escort”"
    )


def test_the_record_is_read_as_it_was_at_the_time_of_the_check() -> None:
    """A summary re-checks at the discharge time: what was resolved, decided or completed
    later does not make a criterion Met then."""
    later = NOW + timedelta(minutes=30)
    facts = replace(
        FACTS,
        side_effects=(
            effect("headache", resolved_at=later),
            effect("dizziness", id=2, physician_decision="Home", physician_decision_by="dr.patel",
                   physician_decision_at=later),
        ),
        dose=replace(DOSE, completed_at=later),
    )  # fmt: skip
    check = evaluate(READY, facts, RULES)
    assert {i.key for i in check.items if i.state is ItemState.MISSING} == {"side_effects", "dose"}
    assert "Dizziness SEVERE since 14:02" in item(check, "side_effects").evidence
    assert evaluate(READY, replace(facts, now=later), RULES).ready


def test_every_blocking_severe_effect_is_named() -> None:
    two = (effect("headache"), effect("dizziness", id=2, onset_at=ONSET + timedelta(minutes=5)))
    evidence = item(evaluate(READY, replace(FACTS, side_effects=two), RULES), "side_effects")
    assert "Headache SEVERE since 14:02" in evidence.evidence
    assert "Dizziness SEVERE since 14:07" in evidence.evidence


# -- the dose record ----------------------------------------------------------------------------
def test_no_dose_record_blocks_in_words() -> None:
    check = evaluate(READY, replace(FACTS, dose=None), RULES)
    assert blocking(check) == [
        "Dose record completed (given, wasted, witness): No dose record: plan the dose, then "
        "record what was given, wasted and who witnessed the waste (a Schedule III record may "
        "not stay open)"
    ]


def test_a_dose_record_left_open_blocks() -> None:
    planned = replace(
        DOSE, actual_mg=None, wasted_mg=None, witness=None, completed_by=None, completed_at=None
    )
    check = evaluate(READY, replace(FACTS, dose=planned), RULES)
    assert item(check, "dose").state is ItemState.MISSING
    assert item(check, "dose").evidence == (
        "Planned 36.25 mg; amount given, amount wasted, witness not recorded yet "
        "(a Schedule III record may not stay open)"
    )


def test_a_completed_dose_record_is_shown_as_evidence() -> None:
    check = evaluate(READY, FACTS, RULES)
    assert item(check, "dose").state is ItemState.OK
    assert (
        item(check, "dose").evidence == "36 mg given, 0.25 mg wasted, waste witnessed by Kim Osei"
    )


# -- the stop -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stop", "state", "evidence"),
    [
        (InfusionStop(NOW, timedelta(minutes=40), 40), ItemState.OK,
         "Ran 40:00 of the 40:00 target"),
        (InfusionStop(NOW, timedelta(minutes=2, seconds=38), 40, "Patient asked to stop"),
         ItemState.OK, "Stopped early at 02:38 of 40:00: Patient asked to stop"),
        (InfusionStop(NOW, timedelta(minutes=2, seconds=38), 40, " "), ItemState.MISSING,
         "Stopped at 02:38 of 40:00 with no reason recorded"),
        (InfusionStop(NOW, timedelta(minutes=39, seconds=59), 40), ItemState.MISSING,
         "Stopped at 39:59 of 40:00 with no reason recorded"),
        (None, ItemState.MISSING, "The stop of the infusion is not in the record"),
    ],
)  # fmt: skip
def test_an_early_stop_carries_its_reason(stop, state, evidence) -> None:
    check = evaluate(READY, replace(FACTS, stop=stop), RULES)
    assert (item(check, "stop").state, item(check, "stop").evidence) == (state, evidence)
    assert check.ready is (state is ItemState.OK)


# -- the nurse's answers cannot contradict the record ----------------------------------------
@pytest.mark.parametrize(
    ("kind", "severity", "answer", "contradicted"),
    [
        ("nausea", Severity.SEVERE, Nausea.MINIMAL, True),
        ("nausea", Severity.SEVERE, Nausea.MODERATE, True),
        ("nausea", Severity.SEVERE, Nausea.SEVERE, False),
        ("vomiting", Severity.SEVERE, Nausea.MINIMAL, True),
        ("nausea", Severity.MODERATE, Nausea.MINIMAL, True),
        ("vomiting", Severity.MODERATE, Nausea.MODERATE, False),
        ("nausea", Severity.MILD, Nausea.MINIMAL, False),
        ("headache", Severity.SEVERE, Nausea.MINIMAL, False),  # not nausea: its own item
    ],
)
def test_the_nausea_answer_cannot_be_better_than_an_open_nausea_or_vomiting(
    kind, severity, answer, contradicted
) -> None:
    facts = replace(FACTS, side_effects=(effect(kind, severity),))
    problems = contradictions(replace(READY, nausea=answer), facts)
    assert ("nausea" in problems) is contradicted
    nausea = item(evaluate(replace(READY, nausea=answer), facts, RULES), "nausea")
    assert (nausea.state is ItemState.MISSING) is contradicted


def test_the_contradiction_is_said_in_words_and_never_met() -> None:
    facts = replace(FACTS, side_effects=(effect(),))
    check = evaluate(READY, facts, RULES)  # READY answers nausea "Minimal"
    assert item(check, "nausea").state is ItemState.MISSING
    assert item(check, "nausea").evidence == (
        "Nausea / vomiting: “Minimal” contradicts the record: Nausea SEVERE since 14:02, not "
        "resolved. Answer “Severe”, or resolve the side effect (or correct its severity) first"
    )
    assert lowest_nausea_answer(facts) == (Nausea.SEVERE, effect())
    # The honest answer is not contradicted, and PADSS counts it: 0 points, 8/10.
    honest = evaluate(replace(READY, nausea=Nausea.SEVERE), facts, RULES)
    assert item(honest, "nausea").state is ItemState.NOTE
    assert item(honest, "nausea").evidence == (
        "Severe (record: Nausea SEVERE since 14:02, not resolved)"
    )
    assert honest.padss.total == 8 and not honest.ready


def test_a_resolved_nausea_allows_minimal() -> None:
    resolved = effect(resolved_at=ONSET + timedelta(minutes=15))
    assert contradictions(READY, replace(FACTS, side_effects=(resolved,))) == {}


def test_a_physicians_decision_does_not_make_severe_nausea_minimal() -> None:
    decided = effect(physician_decision="Home with antiemetic", physician_decision_by="dr.patel")
    facts = replace(FACTS, side_effects=(decided,))
    assert "nausea" in contradictions(READY, facts)  # the answer still follows the record
    check = evaluate(replace(READY, nausea=Nausea.SEVERE), facts, RULES)
    assert item(check, "side_effects").state is ItemState.OK


@pytest.mark.parametrize(
    ("recorded", "answer", "contradicted"),
    [(7, 2, True), (7, 7, False), (7, 9, False), (4, 3, True), (5, 4, False), (2, 0, False),
     (3, 0, False), (6, 3, True)],
)  # fmt: skip
def test_the_pain_answer_cannot_be_better_than_the_last_recorded_pain_band(
    recorded, answer, contradicted
) -> None:
    facts = replace(FACTS, last_pain=RecordedPain(recorded, NOW.replace(hour=14, minute=50)))
    problems = contradictions(replace(READY, pain=answer), facts)
    assert ("pain" in problems) is contradicted
    if contradicted:
        assert problems["pain"] == (
            f"Pain score: {answer}/10 contradicts the last recorded pain score, {recorded}/10 "
            "at 14:50. Record a vitals set with the pain score now, or answer as recorded"
        )


def test_the_pain_evidence_shows_the_last_recorded_score() -> None:
    facts = replace(FACTS, last_pain=RecordedPain(2, NOW.replace(hour=14, minute=50)))
    pain = item(evaluate(READY, facts, RULES), "pain")
    assert pain.evidence == "Pain score 2/10 (last recorded 2/10 at 14:50)"


def test_only_answers_being_given_now_are_refused() -> None:
    facts = replace(FACTS, side_effects=(effect(),))
    stored = replace(READY, nausea=Nausea.MINIMAL)  # saved before the nausea was ticked
    assert refused_answers(replace(stored, oriented=False), stored, facts) == {}
    changed = replace(stored, nausea=Nausea.MODERATE)
    assert set(refused_answers(changed, stored, facts)) == {"nausea"}
    assert refused_answers(replace(stored, nausea=Nausea.SEVERE), stored, facts) == {}


# -- the issue's walk-through -------------------------------------------------------------------
def test_the_session_of_the_issue_is_not_discharged_and_every_reason_is_named() -> None:
    """Nausea SEVERE open, no amount given, no waste, no witness, stopped at 2:38 of 40:00
    (here with no reason in the record), and nausea answered "minimal"."""
    facts = replace(
        FACTS,
        side_effects=(effect(),),
        dose=replace(DOSE, actual_mg=None, wasted_mg=None, witness=None, completed_at=None),
        stop=InfusionStop(NOW, timedelta(minutes=2, seconds=38), 40),
    )
    check = evaluate(READY, facts, RULES)
    assert not check.ready
    assert {i.key for i in check.items if i.state is ItemState.MISSING} == {
        "stop", "side_effects", "dose", "nausea",
    }  # fmt: skip
    assert all(i.state is not ItemState.OK for i in check.items if i.key == "nausea")


# -- recording a physician's decision ---------------------------------------------------------
def test_a_physicians_decision_needs_text_and_a_severe_open_effect() -> None:
    assert check_physician_decision(effect(), "  Home with escort \n") == "Home with escort"
    with pytest.raises(FieldError) as empty:
        check_physician_decision(effect(), "  ")
    assert empty.value.field == "physician_decision"
    with pytest.raises(DomainError, match="only a SEVERE side effect"):
        check_physician_decision(effect(severity=Severity.MODERATE), "ok")
    with pytest.raises(DomainError, match="is resolved"):
        check_physician_decision(effect(resolved_at=NOW), "ok")
    with pytest.raises(DomainError, match="voided"):
        check_physician_decision(effect(status="voided"), "ok")
    decided = effect(physician_decision="Home", physician_decision_by="dr.patel")
    with pytest.raises(DomainError, match="already has a physician's decision"):
        check_physician_decision(decided, "again")
    with pytest.raises(FieldError, match="control characters"):
        check_physician_decision(effect(), "bad\x00text")
