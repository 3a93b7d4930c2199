"""Starting an infusion: what the nurse must have done, or decided and said why, first.

CLINICAL.md: the dose plan exists before the infusion starts (or a recorded reason why
not); the escort plan (who takes the patient home, not driving) is confirmed before the
dose, as county policy requires (or a recorded reason why not); the clinic's outcome
questionnaires (setting: PHQ-9 and GAD-7 by default) asked in this session before the
infusion, or a recorded reason why not (without a PHQ-9 its item 9, which can stop the
start, was never asked); a baseline set in the
last 30 minutes (setting) or a reason to start without one; a baseline BP above the
clinic's warning (setting) confirmed. Every path to START (the session service, the demo
seeder) goes through `start_note`, whose text is the start event's reason: who and when
are the event's actor and time.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamon.domain import fields
from ketamon.domain.errors import DomainError
from ketamon.domain.vitals import StartCheck as BaselineCheck

NO_PLAN_FIELD = "no_plan_reason"
NO_PLAN_NOTE = "Started without a dose plan"
NO_BASELINE_NOTE = "Started without recent baseline vitals"
NO_ESCORT_FIELD = "no_escort_reason"
NO_ESCORT_NOTE = "Started without a confirmed escort plan"
NO_QUESTIONNAIRE_FIELD = "no_questionnaire_reason"
NO_QUESTIONNAIRE_NOTE = "Started without"  # + "PHQ-9, GAD-7: <why>"


@dataclass(frozen=True)
class StartCheck:
    """What starting now asks of the nurse: a dose plan, an escort plan, a recent
    baseline, a BP decision."""

    baseline: BaselineCheck
    dose_planned: bool
    # Who takes the patient home is named (name, relationship, phone) before the dose
    escort_planned: bool
    # Why a positive PHQ-9 item 9 stops the start (domain.outcomes.item9_stop; "" if not):
    # no reason or confirmation lifts it, only a clinician's recorded decision to proceed.
    item9_stop: str = ""
    item9_awaiting_review: bool = False  # the stop waits for a decision (not yet decided)
    # The clinic's questionnaires not yet asked in this session (in the clinic's order)
    questionnaires_missing: tuple[str, ...] = ()

    @property
    def missing_dose_plan(self) -> bool:
        return not self.dose_planned

    @property
    def missing_escort_plan(self) -> bool:
        return not self.escort_planned

    @property
    def missing_baseline(self) -> bool:
        return self.baseline.missing_baseline

    @property
    def high_bp(self) -> str | None:
        return self.baseline.high_bp

    @property
    def warning_bp(self) -> tuple[int, int]:
        return self.baseline.warning_bp

    @property
    def max_age_minutes(self) -> int:
        return self.baseline.max_age_minutes

    @property
    def clear(self) -> bool:
        return (
            self.dose_planned
            and self.escort_planned
            and self.baseline.clear
            and not self.item9_stop
            and not self.questionnaires_missing
        )

    @property
    def dose_message(self) -> str:
        if self.dose_planned:
            return ""
        return (
            "No dose plan for this session: plan the dose (weight, mg/kg, total mg, "
            "concentration, rate, lot) before the infusion, or give a reason to start "
            "without one."
        )

    @property
    def escort_message(self) -> str:
        if self.escort_planned:
            return ""
        return (
            "No escort plan for this session: the patient's transport home (a responsible "
            "adult: name, relationship, phone; never driving) is confirmed before the dose, "
            "or give a reason to start without it."
        )

    @property
    def questionnaire_message(self) -> str:
        missing = self.questionnaires_missing
        if not missing:
            return ""
        names = ", ".join(missing)
        them = "it" if len(missing) == 1 else "them"
        return (
            f"Not asked in this session yet: {names} (the clinic asks {them} before each "
            f"infusion): ask {them} now, or give a reason to start without {them}."
        )

    @property
    def message(self) -> str:
        parts = (
            self.item9_stop,
            self.dose_message,
            self.escort_message,
            self.questionnaire_message,
            self.baseline.message,
        )
        return " ".join(p for p in parts if p)


class StartNeedsDecision(DomainError):
    """Starting needs a plan or a reason (no dose plan), a reason (no recent baseline)
    and/or a confirmation (high BP). `missing` names what was not given."""

    def __init__(self, check: StartCheck, missing: tuple[str, ...] = ()) -> None:
        super().__init__(check.message)
        self.check = check
        self.missing = missing


def dose_plan_note(dose_planned: bool, no_plan_reason: object = "") -> str | None:
    """The dose plan part of the rule alone: "" with a plan; without one, the note for the
    start event when a reason is given ("Started without a dose plan: <why>"), else None
    (the start is refused). A reason that is not text, or too long, is a FieldError."""
    why = fields.optional_reason(no_plan_reason, field=NO_PLAN_FIELD).strip()
    if dose_planned:
        return ""
    return f"{NO_PLAN_NOTE}: {why}" if why else None


def start_note(
    check: StartCheck,
    *,
    no_plan_reason: object = "",
    no_escort_reason: object = "",
    no_questionnaire_reason: object = "",
    no_baseline_reason: object = "",
    high_bp_confirmed: bool = False,
) -> str:
    """The start event's reason text recording each decision ("" when nothing needed one),
    or StartNeedsDecision naming what is missing. A reason of only spaces is no reason;
    a reason that is not text, or too long, is a FieldError naming its field. A PHQ-9
    item-9 stop refuses the start whatever was given (DomainError, in its words)."""
    if check.item9_stop:
        raise DomainError(check.item9_stop)
    plan_note = dose_plan_note(check.dose_planned, no_plan_reason)
    no_escort = fields.optional_reason(no_escort_reason, field=NO_ESCORT_FIELD).strip()
    no_questionnaire = fields.optional_reason(
        no_questionnaire_reason, field=NO_QUESTIONNAIRE_FIELD
    ).strip()
    no_baseline = fields.optional_reason(no_baseline_reason, field="no_baseline_reason").strip()
    fields.flag("high_bp_confirmed", high_bp_confirmed, label="High BP confirmed")
    missing = []
    if plan_note is None:
        missing.append(NO_PLAN_FIELD)
    if check.missing_escort_plan and not no_escort:
        missing.append(NO_ESCORT_FIELD)
    if check.questionnaires_missing and not no_questionnaire:
        missing.append(NO_QUESTIONNAIRE_FIELD)
    if check.missing_baseline and not no_baseline:
        missing.append("no_baseline_reason")
    if check.high_bp and not high_bp_confirmed:
        missing.append("high_bp_confirmed")
    if missing:
        raise StartNeedsDecision(check, tuple(missing))
    notes = [plan_note] if plan_note else []
    if check.missing_escort_plan:
        notes.append(f"{NO_ESCORT_NOTE}: {no_escort}")
    if check.questionnaires_missing:
        names = ", ".join(check.questionnaires_missing)
        notes.append(f"{NO_QUESTIONNAIRE_NOTE} {names}: {no_questionnaire}")
    if check.missing_baseline:
        notes.append(f"{NO_BASELINE_NOTE}: {no_baseline}")
    if check.high_bp:
        sys_w, dia_w = check.warning_bp
        notes.append(f"Baseline BP {check.high_bp} above {sys_w}/{dia_w}: proceeded")
    return "; ".join(notes)
