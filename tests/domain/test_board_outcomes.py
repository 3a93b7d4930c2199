"""The tile and the questionnaires (domain.board.with_outcomes): a positive PHQ-9 item 9
waiting for a decision is an alert in words and stops the tile's "Ready to start"; once
decided it is gone; before the start the tile names the questionnaires still to ask."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from ketamon.domain.board import TileLevel, TileView, with_outcomes
from ketamon.domain.instruments import Instrument
from ketamon.domain.outcomes import Decision, Item9Review, OutcomeRecord, score
from ketamon.domain.statuses import RecordStatus

AT = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
WAITING = TileView("Chair 1", TileLevel.WAITING, "Checked in", status_text="Ready to start")
SESSION = object()  # with_outcomes only asks whether there is one


def record(instrument: Instrument, answers: list[int], rid: int = 1, review=None):
    return OutcomeRecord(
        rid, 1, 1, 1, score(instrument, answers), False, AT, "Jo", RecordStatus.CURRENT,
        review=review,
    )  # fmt: skip


def test_a_positive_item_9_is_an_alert_in_words_until_decided() -> None:
    phq = record(Instrument.PHQ9, [1] * 8 + [2], rid=7)
    view = with_outcomes(WAITING, SESSION, [phq], ("PHQ-9",))  # type: ignore[arg-type]
    assert view.alert_text == "PHQ-9 item 9 = 2 — clinician review — review it (Q)"
    assert view.item9_outcome_id == 7
    assert view.status_text == "Not to start: PHQ-9 item 9 (Q)"
    decided = replace(phq, review=Item9Review(Decision.PROCEED, "Safety plan", "Dr A", True))
    view = with_outcomes(WAITING, SESSION, [decided], ("PHQ-9",))  # type: ignore[arg-type]
    assert view.alert_text == "" and view.item9_outcome_id is None
    assert view.status_text == "Ready to start"


def test_an_item_9_alert_joins_a_red_vitals_alert_and_stays_while_infusing() -> None:
    running = replace(WAITING, level=TileLevel.RUNNING, alert_text="RED VITALS: BP 190/100")
    phq = record(Instrument.PHQ9, [0] * 8 + [1])
    view = with_outcomes(running, SESSION, [phq], ())  # type: ignore[arg-type]
    assert view.alert_text == (
        "PHQ-9 item 9 = 1 — clinician review — review it (Q); RED VITALS: BP 190/100"
    )


def test_before_the_start_the_tile_names_the_questionnaires_still_to_ask() -> None:
    asked = ("PHQ-9", "GAD-7")
    view = with_outcomes(WAITING, SESSION, [], asked)  # type: ignore[arg-type]
    assert view.status_text == "To ask first: PHQ-9, GAD-7 (Q)"
    gad = record(Instrument.GAD7, [1] * 7)
    view = with_outcomes(WAITING, SESSION, [gad], asked)  # type: ignore[arg-type]
    assert view.status_text == "To ask first: PHQ-9 (Q)"
    phq = record(Instrument.PHQ9, [1] * 8 + [0], rid=2)
    view = with_outcomes(WAITING, SESSION, [gad, phq], asked)  # type: ignore[arg-type]
    assert view.status_text == "Ready to start"
    assert with_outcomes(WAITING, None, [], asked) == WAITING


def test_a_later_negative_phq9_leaves_the_alert_on_the_positive_one() -> None:
    positive = record(Instrument.PHQ9, [1] * 8 + [2], rid=7)
    later = replace(record(Instrument.PHQ9, [1] * 8 + [0], rid=8), taken_at=AT.replace(hour=15))
    view = with_outcomes(WAITING, SESSION, [positive, later], ("PHQ-9",))  # type: ignore[arg-type]
    assert view.item9_outcome_id == 7
    assert view.alert_text == "PHQ-9 item 9 = 2 — clinician review — review it (Q)"
    assert view.status_text == "Not to start: PHQ-9 item 9 (Q)"


def test_a_decision_to_delay_or_escalate_says_not_to_start_on_the_tile() -> None:
    """START is refused after a decision other than proceed (domain.outcomes): the tile
    says so, with who decided what, instead of "Ready to start"; a later negative PHQ-9
    does not change that."""
    phq = record(Instrument.PHQ9, [1] * 8 + [2], rid=7)
    later = replace(record(Instrument.PHQ9, [0] * 9, rid=8), taken_at=AT.replace(hour=15))
    for decision in (Decision.DELAY, Decision.ESCALATE):
        decided = replace(phq, review=Item9Review(decision, "Safety plan", "Dr A", True))
        view = with_outcomes(WAITING, SESSION, [decided, later], ("PHQ-9",))  # type: ignore[arg-type]
        assert (
            view.status_text
            == f"Not to start today: PHQ-9 item 9: Dr A decided to {decision.value}"
        )
        assert view.alert_text == "" and view.item9_outcome_id is None
    running = replace(WAITING, level=TileLevel.RUNNING, status_text="Infusing")
    decided = replace(phq, review=Item9Review(Decision.DELAY, "Safety plan", "Dr A", True))
    assert with_outcomes(running, SESSION, [decided], ()).status_text == "Infusing"  # type: ignore[arg-type]
