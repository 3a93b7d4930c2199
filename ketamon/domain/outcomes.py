"""Scoring the outcome questionnaires, the course's response, and the suicide-risk stop.

One door for each rule: every path that records a questionnaire (the check-in form, a
follow-up visit, the demo, an import) scores it with `score`; every path to START asks
`item9_stop_among` first. CLINICAL.md: any non-zero answer on PHQ-9 item 9 is flagged and decided
by a clinician before dosing; response is a drop of at least 50 % from the course's baseline
PHQ-9, remission a PHQ-9 below 5 (Osmind's ORKA-1 definitions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ketamon.domain.errors import FieldError, ValidationErrors
from ketamon.domain.instruments import PHQ9_ITEM9, QUESTIONNAIRES, Instrument, Questionnaire
from ketamon.domain.statuses import RecordStatus

RESPONSE_DROP = 0.5  # a fall of at least half the baseline PHQ-9
REMISSION_BELOW = 5  # PHQ-9 below this
MIN_DECISION_NOTE = 3  # characters: a decision says why, in words


@dataclass(frozen=True)
class Score:
    instrument: Instrument
    answers: tuple[int, ...]
    total: int
    band: str

    @property
    def questionnaire(self) -> Questionnaire:
        return QUESTIONNAIRES[self.instrument]

    @property
    def item9(self) -> int | None:
        """PHQ-9 item 9's answer (None for the other instruments)."""
        return self.answers[PHQ9_ITEM9] if self.instrument is Instrument.PHQ9 else None

    @property
    def flags_suicide_risk(self) -> bool:
        return bool(self.item9)

    @property
    def line(self) -> str:
        """'PHQ-9 19 (moderately severe)' — how a tile, a list or a report names it."""
        return f"{self.instrument.value} {self.total} ({self.band})"


def item_field(instrument: Instrument, index: int) -> str:
    return f"{instrument.value} item {index + 1}"


def parse_digits(instrument: Instrument, text: str) -> list[int]:
    """'210110002' → one answer per item: nine keys for a PHQ-9. Spaces and commas allowed;
    the 0–10 pain rating is one number."""
    questionnaire = QUESTIONNAIRES[instrument]
    cleaned = text.replace(",", " ").split()
    if len(questionnaire.items) == 1:
        return [_answer(questionnaire, 0, "".join(cleaned))]
    digits = "".join(cleaned)
    if len(digits) != len(questionnaire.items):
        raise FieldError(
            instrument.value,
            f"{instrument.value}: {len(questionnaire.items)} answers, one digit each "
            f"(0–{questionnaire.max_item}); {len(digits)} typed",
        )
    return [_answer(questionnaire, i, d) for i, d in enumerate(digits)]


def _answer(questionnaire: Questionnaire, index: int, value: object) -> int:
    field = item_field(questionnaire.instrument, index)
    allowed = f"0–{questionnaire.max_item}"
    if isinstance(value, bool):
        raise FieldError(field, f"{field} must be a number ({allowed})")
    if isinstance(value, str):
        if not value.strip().isdigit():
            raise FieldError(field, f"{field} must be a number ({allowed})")
        value = int(value.strip())
    if not isinstance(value, int):
        raise FieldError(field, f"{field} must be a number ({allowed})")
    if not 0 <= value <= questionnaire.max_item:
        raise FieldError(field, f"{field} must be {allowed}; {value} is not an answer")
    return value


def score(instrument: Instrument | str, answers: Sequence[object]) -> Score:
    """Every item answered, each within its scale; the total and its published band."""
    try:
        questionnaire = QUESTIONNAIRES[Instrument(instrument)]
    except ValueError:
        known = ", ".join(i.value for i in Instrument)
        raise FieldError("instrument", f"Unknown questionnaire {instrument!r}; {known}") from None
    expected = len(questionnaire.items)
    if not isinstance(answers, list | tuple) or len(answers) != expected:
        count = str(len(answers)) if isinstance(answers, list | tuple) else "no list of"
        raise FieldError(
            questionnaire.instrument.value,
            f"{questionnaire.instrument.value} has {expected} items; {count} answers given",
        )
    errors: dict[str, str] = {}
    values: list[int] = []
    for index, value in enumerate(answers):
        try:
            values.append(_answer(questionnaire, index, value))
        except FieldError as error:
            errors[error.field] = error.message
    if errors:
        raise ValidationErrors(errors)
    total = sum(values)
    return Score(questionnaire.instrument, tuple(values), total, questionnaire.band(total).label)


@dataclass(frozen=True)
class CourseResponse:
    """Today's PHQ-9 against the course's baseline (the first PHQ-9 of the course)."""

    baseline: int
    current: int

    @property
    def change(self) -> float | None:
        """The fall as a fraction of the baseline (0.5 = halved); None from a baseline of 0."""
        if self.baseline == 0:
            return None
        return (self.baseline - self.current) / self.baseline

    @property
    def responded(self) -> bool:
        change = self.change
        return change is not None and change >= RESPONSE_DROP

    @property
    def remitted(self) -> bool:
        return self.current < REMISSION_BELOW

    @property
    def words(self) -> str:
        """'PHQ-9 19 → 8 (−58 %): response' for the check-in line, the review and reports."""
        text = f"PHQ-9 {self.baseline} → {self.current}"
        change = self.change
        if change is not None:
            text += f" ({-change:+.0%})".replace("-", "−")
        if self.remitted:
            return f"{text}: remission"
        if self.responded:
            return f"{text}: response"
        return text


class Risk(StrEnum):
    NONE = "no risk identified"
    LOW = "low risk"
    MODERATE = "moderate risk"
    HIGH = "high risk"


@dataclass(frozen=True)
class CssrsScreen:
    """The C-SSRS screener's answers (past month; behaviour ever, and whether in 3 months).

    Questions 3–5 are asked only when question 2 is yes."""

    wish_dead: bool
    suicidal_thoughts: bool
    method: bool = False
    intent: bool = False
    plan: bool = False
    behaviour: bool = False
    behaviour_within_3_months: bool = False

    def __post_init__(self) -> None:
        if not self.suicidal_thoughts and (self.method or self.intent or self.plan):
            raise FieldError(
                "cssrs",
                "C-SSRS questions 3–5 (method, intent, plan) are asked only when question 2 "
                "(suicidal thoughts) is yes",
            )
        if self.behaviour_within_3_months and not self.behaviour:
            raise FieldError(
                "cssrs", "C-SSRS: behaviour within 3 months needs question 6 answered yes"
            )

    @property
    def risk(self) -> Risk:
        if self.intent or self.plan or self.behaviour_within_3_months:
            return Risk.HIGH
        if self.method or self.behaviour:
            return Risk.MODERATE
        if self.wish_dead or self.suicidal_thoughts:
            return Risk.LOW
        return Risk.NONE


class Decision(StrEnum):
    PROCEED = "proceed"
    DELAY = "delay"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class Item9Review:
    """A clinician's decision on a positive PHQ-9 item 9, before the infusion."""

    decision: Decision
    note: str
    decided_by: str  # display name
    physician: bool  # the decider holds the physician role
    screen: CssrsScreen | None = None


def check_item9_review(review: Item9Review) -> None:
    """The decision's own rules: a note in words; proceeding on a high-risk screen is a
    physician's decision."""
    if len(review.note.strip()) < MIN_DECISION_NOTE:
        raise FieldError("note", "Decision note is required: say what was decided and why")
    high = review.screen is not None and review.screen.risk is Risk.HIGH
    if review.decision is Decision.PROCEED and high and not review.physician:
        raise FieldError(
            "decision",
            "The C-SSRS screen shows high risk: only a physician may decide to proceed with "
            "the infusion",
        )


def item9_alert(score: Score) -> str:
    """The tile's alert for a positive item 9 ('' when there is none)."""
    if not score.flags_suicide_risk:
        return ""
    return f"PHQ-9 item 9 = {score.item9} — clinician review"


def item9_stop(latest_phq9: Score | None, review: Item9Review | None) -> str:
    """Why the infusion may not start because of PHQ-9 item 9 ('' when it may)."""
    if latest_phq9 is None or not latest_phq9.flags_suicide_risk:
        return ""
    if review is None:
        return (
            f"{item9_alert(latest_phq9)}: a clinician must review it and record a decision "
            "(proceed, delay, escalate) before the infusion starts"
        )
    if review.decision is Decision.PROCEED:
        return ""
    return (
        f"PHQ-9 item 9 = {latest_phq9.item9}: {review.decided_by} decided to "
        f"{review.decision.value} ({review.note.strip()}); the infusion does not start today"
    )


@dataclass(frozen=True)
class OutcomeRecord:
    """A stored questionnaire: its score, who entered it and when, and its review."""

    id: int
    patient_id: int
    course_id: int | None
    session_id: int | None  # None: a follow-up visit without an infusion
    score: Score
    self_completed: bool
    taken_at: datetime
    entered_by: str  # display name
    status: RecordStatus
    corrects_id: int | None = None
    status_reason: str = ""
    review: Item9Review | None = None
    reviewed_at: datetime | None = None

    @property
    def current(self) -> bool:
        return self.status is RecordStatus.CURRENT

    @property
    def needs_review(self) -> bool:
        return self.current and self.score.flags_suicide_risk and self.review is None


def item9_stop_among(records: Sequence[OutcomeRecord]) -> str:
    """Why START is refused because of any current PHQ-9 among `records` ('' if it is not).

    Every positive item 9 still current holds the stop until a clinician decides to
    proceed on it: a later PHQ-9 with item 9 = 0 does not lift it (only a correction or a
    void of the positive one, each with its reason, does)."""
    held = item9_holding(records)
    return item9_stop(held.score, held.review) if held is not None else ""


def item9_holding(records: Sequence[OutcomeRecord]) -> OutcomeRecord | None:
    """The oldest current positive PHQ-9 among `records` that holds the start: not yet
    decided, or decided other than proceed (item9_stop_among says why in words)."""
    positive = sorted(
        (
            r
            for r in records
            if r.current and r.score.instrument is Instrument.PHQ9 and r.score.flags_suicide_risk
        ),
        key=lambda r: (r.taken_at, r.id),
    )
    return next((r for r in positive if item9_stop(r.score, r.review)), None)


def awaiting_item9_review(records: Sequence[OutcomeRecord]) -> OutcomeRecord | None:
    """The newest current PHQ-9 whose positive item 9 still waits for a clinician."""
    waiting = [r for r in records if r.needs_review]
    return max(waiting, key=lambda r: (r.taken_at, r.id), default=None)


def latest_current(
    records: Sequence[OutcomeRecord], instrument: Instrument
) -> OutcomeRecord | None:
    """The newest current record of one instrument (by time taken, then entry order)."""
    mine = [r for r in records if r.current and r.score.instrument is instrument]
    return max(mine, key=lambda r: (r.taken_at, r.id), default=None)


def encode_answers(answers: Sequence[int]) -> str:
    return ",".join(str(a) for a in answers)


def decode_answers(text: str) -> list[int]:
    return [int(a) for a in text.split(",")] if text else []


def questionnaires_missing(
    records: Sequence[OutcomeRecord], asked: Sequence[str]
) -> tuple[str, ...]:
    """Which of the clinic's questionnaires (`asked`, in its order) this session has no
    current record of: the board's "To ask first" and START's question (CLINICAL.md:
    outcome measures are taken per session, before the infusion)."""
    done = {r.score.instrument.value for r in records if r.current}
    return tuple(name for name in asked if name not in done)
