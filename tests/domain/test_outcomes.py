"""PHQ-9, GAD-7, PCL-5 and pain scoring against the instruments' published scoring, the
course's response and remission, the C-SSRS screener's risk, and the item-9 stop."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.instruments import GAD7, PAIN, PCL5, PHQ9, QUESTIONNAIRES, Instrument
from ketamon.domain.outcomes import (
    CourseResponse,
    CssrsScreen,
    Decision,
    Item9Review,
    Risk,
    check_item9_review,
    item9_alert,
    item9_stop,
    parse_digits,
    score,
)


def answers_totalling(total: int, items: int, max_item: int) -> list[int]:
    """Answers that add up to `total`, filled from the first item."""
    values = []
    for _ in range(items):
        values.append(min(max_item, total - sum(values)))
    assert sum(values) == total, "total out of reach"
    return values


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_totals_fall_in_the_published_bands(total: int, band: str) -> None:
    result = score(Instrument.PHQ9, answers_totalling(total, 9, 3))
    assert (result.total, result.band) == (total, band)
    assert result.line == f"PHQ-9 {total} ({band})"


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate")]
    + [(14, "moderate"), (15, "severe"), (21, "severe")],
)
def test_gad7_totals_fall_in_the_published_bands(total: int, band: str) -> None:
    result = score("GAD-7", answers_totalling(total, 7, 3))
    assert (result.total, result.band) == (total, band)
    assert result.item9 is None


def test_pcl5_is_twenty_items_scored_0_to_4_with_33_a_positive_screen() -> None:
    assert len(PCL5.items) == 20 and PCL5.max_total == 80
    assert (
        score(Instrument.PCL5, answers_totalling(32, 20, 4)).band == "below the screening cut-off"
    )
    assert score(Instrument.PCL5, answers_totalling(33, 20, 4)).band == "positive screen"
    assert score(Instrument.PCL5, [4] * 20).total == 80


def test_the_instruments_wording_and_codes() -> None:
    assert len(PHQ9.items) == 9 and PHQ9.max_total == 27 and PHQ9.loinc == "44261-6"
    assert len(GAD7.items) == 7 and GAD7.max_total == 21 and GAD7.loinc == "70274-6"
    assert (
        PHQ9.answers
        == GAD7.answers
        == (
            "Not at all",
            "Several days",
            "More than half the days",
            "Nearly every day",
        )
    )
    assert PHQ9.items[8].startswith("Thoughts that you would be better off dead")
    assert PAIN.max_total == 10 and score(Instrument.PAIN, [7]).band == "severe"


@given(st.sampled_from(list(Instrument)), st.data())
def test_any_complete_answers_score_their_sum_in_exactly_one_band(instrument, data) -> None:
    questionnaire = QUESTIONNAIRES[instrument]
    answers = data.draw(
        st.lists(
            st.integers(0, questionnaire.max_item),
            min_size=len(questionnaire.items),
            max_size=len(questionnaire.items),
        )
    )
    result = score(instrument, answers)
    assert result.total == sum(answers)
    holding = [b for b in questionnaire.bands if b.low <= result.total <= b.high]
    assert [b.label for b in holding] == [result.band]


@pytest.mark.parametrize("instrument", list(Instrument))
def test_the_bands_cover_every_possible_total_once(instrument: Instrument) -> None:
    questionnaire = QUESTIONNAIRES[instrument]
    covered = [t for b in questionnaire.bands for t in range(b.low, b.high + 1)]
    assert covered == list(range(questionnaire.max_total + 1))


def test_an_incomplete_questionnaire_is_refused_naming_the_count() -> None:
    with pytest.raises(FieldError, match="PHQ-9 has 9 items; 8 answers given"):
        score(Instrument.PHQ9, [0] * 8)


def test_each_impossible_answer_is_refused_naming_its_item_and_the_scale() -> None:
    with pytest.raises(ValidationErrors) as refused:
        score(Instrument.PHQ9, [0, 4, "x", 0, -1, 0, True, 0, 0])
    assert refused.value.errors == {
        "PHQ-9 item 2": "PHQ-9 item 2 must be 0–3; 4 is not an answer",
        "PHQ-9 item 3": "PHQ-9 item 3 must be a number (0–3)",
        "PHQ-9 item 5": "PHQ-9 item 5 must be 0–3; -1 is not an answer",
        "PHQ-9 item 7": "PHQ-9 item 7 must be a number (0–3)",
    }


def test_nine_keys_enter_a_phq9_and_item_9_is_flagged() -> None:
    result = score(Instrument.PHQ9, parse_digits(Instrument.PHQ9, "2101 1000 2"))
    assert result.total == 7 and result.item9 == 2 and result.flags_suicide_risk
    assert item9_alert(result) == "PHQ-9 item 9 = 2 — clinician review"
    assert score(Instrument.PAIN, parse_digits(Instrument.PAIN, "10")).total == 10


def test_a_wrong_number_of_keys_says_how_many_were_typed() -> None:
    with pytest.raises(FieldError, match=r"PHQ-9: 9 answers, one digit each \(0–3\); 8 typed"):
        parse_digits(Instrument.PHQ9, "21011000")
    with pytest.raises(FieldError, match="PHQ-9 item 4 must be 0–3; 7 is not an answer"):
        parse_digits(Instrument.PHQ9, "210710002")


@pytest.mark.parametrize(
    ("baseline", "current", "responded", "remitted", "words"),
    [
        (20, 10, True, False, "PHQ-9 20 → 10 (−50%): response"),
        (20, 11, False, False, "PHQ-9 20 → 11 (−45%)"),
        (19, 4, True, True, "PHQ-9 19 → 4 (−79%): remission"),
        (10, 12, False, False, "PHQ-9 10 → 12 (+20%)"),
        (0, 0, False, True, "PHQ-9 0 → 0: remission"),
    ],
)
def test_response_is_a_fall_of_half_the_baseline_and_remission_below_5(
    baseline: int, current: int, responded: bool, remitted: bool, words: str
) -> None:
    response = CourseResponse(baseline, current)
    assert (response.responded, response.remitted, response.words) == (responded, remitted, words)


@pytest.mark.parametrize(
    ("screen", "risk"),
    [
        (CssrsScreen(False, False), Risk.NONE),
        (CssrsScreen(True, False), Risk.LOW),
        (CssrsScreen(True, True), Risk.LOW),
        (CssrsScreen(True, True, method=True), Risk.MODERATE),
        (CssrsScreen(False, False, behaviour=True), Risk.MODERATE),
        (CssrsScreen(True, True, method=True, intent=True), Risk.HIGH),
        (CssrsScreen(True, True, plan=True), Risk.HIGH),
        (CssrsScreen(False, False, behaviour=True, behaviour_within_3_months=True), Risk.HIGH),
    ],
)
def test_the_cssrs_screener_triage(screen: CssrsScreen, risk: Risk) -> None:
    assert screen.risk is risk


def test_cssrs_questions_3_to_5_need_question_2_and_recency_needs_behaviour() -> None:
    with pytest.raises(FieldError, match="asked only when question 2"):
        CssrsScreen(True, False, plan=True)
    with pytest.raises(FieldError, match="needs question 6"):
        CssrsScreen(False, False, behaviour_within_3_months=True)


POSITIVE = score(Instrument.PHQ9, [2, 2, 1, 1, 1, 1, 1, 1, 1])
NEGATIVE = score(Instrument.PHQ9, [2, 2, 1, 1, 1, 1, 1, 1, 0])


def review(decision: Decision, *, physician: bool = False, screen=None) -> Item9Review:
    name = "Dr Ana Patel" if physician else "Kim Osei, RN"
    return Item9Review(decision, "Discussed with the patient", name, physician, screen)


def test_item_9_stops_the_start_until_a_clinician_decides() -> None:
    assert item9_stop(None, None) == "" and item9_stop(NEGATIVE, None) == ""
    assert item9_stop(POSITIVE, None) == (
        "PHQ-9 item 9 = 1 — clinician review: a clinician must review it and record a decision "
        "(proceed, delay, escalate) before the infusion starts"
    )
    assert item9_stop(POSITIVE, review(Decision.PROCEED)) == ""
    assert item9_stop(POSITIVE, review(Decision.DELAY)) == (
        "PHQ-9 item 9 = 1: Kim Osei, RN decided to delay (Discussed with the patient); the "
        "infusion does not start today"
    )
    assert "escalate" in item9_stop(POSITIVE, review(Decision.ESCALATE, physician=True))


def test_a_decision_says_why_and_a_high_risk_screen_proceeds_only_by_a_physician() -> None:
    with pytest.raises(FieldError, match="Decision note is required"):
        check_item9_review(Item9Review(Decision.PROCEED, "  ", "Kim Osei, RN", False))
    high = CssrsScreen(True, True, plan=True)
    with pytest.raises(DomainError, match="only a physician may decide to proceed"):
        check_item9_review(review(Decision.PROCEED, screen=high))
    check_item9_review(review(Decision.PROCEED, physician=True, screen=high))
    check_item9_review(review(Decision.ESCALATE, screen=high))
    check_item9_review(review(Decision.PROCEED, screen=CssrsScreen(True, False)))


@pytest.mark.parametrize("answers", ["210110002", None, 7, {"a": 1}])
def test_answers_that_are_not_a_list_are_refused_in_words(answers) -> None:
    with pytest.raises(FieldError, match="PHQ-9 has 9 items; no list of answers given"):
        score(Instrument.PHQ9, answers)
