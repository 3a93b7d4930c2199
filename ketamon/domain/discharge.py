"""Discharge: the checklist that decides whether a patient may leave, and the PADSS score.

Pure rules (CLINICAL.md "Discharge criteria"). Hard stops: the minimum observation time,
MOAA/S 5, no SEVERE side effect open without a physician's documented decision, the dose
record completed (given, wasted, witness), an early stop with its reason, a verified escort,
instructions given and acknowledged, and PADSS >= the clinic's minimum. The nurse's answers
feed the adapted PADSS and may not contradict the record (`contradictions`); the vitals
item is computed from the baseline and the last set. `evaluate` lists exactly what is
missing, in words, with the evidence from the record.

A session becomes discharged only with a `DischargeDecision`, and only this module makes one:
`release` when the checklist is ready, `against_advice` for a validated AMA record. The
session's transition (sessions.transition) refuses a discharge without one, so no path
can discharge around the checklist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from ketamon.domain import fields
from ketamon.domain.dose import DoseRecord, fmt
from ketamon.domain.durations import format_duration
from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.side_effects import Severity, SideEffect
from ketamon.domain.users import User

DEFAULT_INSTRUCTIONS = (
    "Do not drive or operate machinery until the next day, after a restful night's sleep.\n"
    "Do not make important decisions, and do not drink alcohol or use cannabis, "
    "for 24 hours.\n"
    "Go home with your escort and rest. Call the clinic if you feel unwell."
)


class Nausea(StrEnum):
    MINIMAL = "minimal"
    MODERATE = "moderate"  # moderate, treated
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return {"minimal": "Minimal", "moderate": "Moderate, treated", "severe": "Severe"}[
            self.value
        ]


class IvSite(StrEnum):
    REMOVED_INTACT = "removed_intact"
    OOZING_DRESSED = "oozing_dressed"
    BLEEDING = "bleeding"

    @property
    def label(self) -> str:
        return {
            "removed_intact": "IV removed, site intact",
            "oozing_dressed": "Oozing, dressed",
            "bleeding": "Bleeding",
        }[self.value]


@dataclass(frozen=True)
class DischargeRules:
    """The clinic's discharge settings (defaults from CLINICAL.md)."""

    min_observation_minutes: int = 30
    vitals_tolerance_percent: int = 20  # PADSS 2 within this, 1 up to the next
    vitals_moderate_percent: int = 40
    padss_minimum: int = 9
    phone_region: str = "US"


@dataclass(frozen=True)
class Escort:
    name: str = ""
    relationship: str = ""
    phone: str = ""
    present_verified: bool = False
    verified_by: str = ""  # the nurse who saw the escort in person


@dataclass(frozen=True)
class DischargeAnswers:
    """What the nurse confirms. None = not answered yet."""

    oriented: bool | None = None  # alert and oriented x3
    steady_gait: bool | None = None
    nausea: Nausea | None = None
    pain: int | None = None  # 0-10
    iv_site: IvSite | None = None
    instructions_acknowledged: bool = False
    escort: Escort = field(default_factory=Escort)


@dataclass(frozen=True)
class VitalsPoint:
    """The values the vitals item compares (a vitals set reduced to BP and HR)."""

    systolic: int
    diastolic: int
    heart_rate: int
    taken_at: datetime

    @property
    def text(self) -> str:
        return f"BP {self.systolic}/{self.diastolic}, HR {self.heart_rate}"


@dataclass(frozen=True)
class InfusionStop:
    """How the infusion ended: when, how long it ran (pauses excluded), against which
    target, and the reason given at the stop."""

    at: datetime
    ran: timedelta
    target_minutes: int
    reason: str = ""

    @property
    def early(self) -> bool:
        return self.ran < timedelta(minutes=self.target_minutes)


@dataclass(frozen=True)
class RecordedPain:
    """A pain score recorded in a vitals set after the infusion ended."""

    score: int
    taken_at: datetime


@dataclass(frozen=True)
class ClinicalFacts:
    """What the record says at the moment of the check."""

    now: datetime
    infusion_ended_at: datetime | None
    baseline: VitalsPoint | None
    last: VitalsPoint | None  # the last full set after the infusion ended
    last_moaas: int | None  # the last MOAA/S charted after the infusion ended
    stop: InfusionStop | None = None  # None: not stopped (or no stop in the record)
    side_effects: tuple[SideEffect, ...] = ()  # the session's entries (voided ones ignored)
    dose: DoseRecord | None = None  # None: no dose record at all
    last_pain: RecordedPain | None = None  # the last pain score after the infusion ended
    names: tuple[tuple[str, str], ...] = ()  # (username, display name) for the evidence
    tz: tzinfo | None = None  # how times read in the evidence (None: this computer's zone)
    patient_name: str = ""  # the escort is someone else ("": not known here)

    def who(self, username: str | None) -> str:
        return dict(self.names).get(username or "", username or "")

    def hhmm(self, value: datetime) -> str:
        return value.astimezone(self.tz).strftime("%H:%M")


class ItemState(StrEnum):
    OK = "ok"
    MISSING = "missing"  # blocks discharge
    NOTE = "note"  # shown, counted in PADSS, does not block by itself


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    state: ItemState
    evidence: str = ""


@dataclass(frozen=True)
class Padss:
    vitals: int | None
    orientation_gait: int | None
    nausea: int | None
    pain: int | None
    iv_site: int | None

    @property
    def parts(self) -> tuple[int | None, ...]:
        return (self.vitals, self.orientation_gait, self.nausea, self.pain, self.iv_site)

    @property
    def complete(self) -> bool:
        return all(p is not None for p in self.parts)

    @property
    def total(self) -> int:
        return sum(p for p in self.parts if p is not None)


@dataclass(frozen=True)
class DischargeCheck:
    items: tuple[ChecklistItem, ...]
    padss: Padss
    missing: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.missing


# -- PADSS parts ------------------------------------------------------------------------------
def vitals_deviation_percent(baseline: VitalsPoint, last: VitalsPoint) -> float:
    """The largest change of systolic, diastolic or heart rate from baseline, in percent."""
    pairs = (
        (baseline.systolic, last.systolic),
        (baseline.diastolic, last.diastolic),
        (baseline.heart_rate, last.heart_rate),
    )
    return max(abs(now - base) * 100.0 / base for base, now in pairs)


def padss_vitals(deviation: float, rules: DischargeRules) -> int:
    if deviation <= rules.vitals_tolerance_percent:
        return 2
    if deviation <= rules.vitals_moderate_percent:
        return 1
    return 0


def padss_orientation_gait(oriented: bool | None, steady: bool | None) -> int | None:
    if oriented is None or steady is None:
        return None
    return int(oriented) + int(steady)


def padss_nausea(nausea: Nausea | None) -> int | None:
    return None if nausea is None else {Nausea.MINIMAL: 2, Nausea.MODERATE: 1}.get(nausea, 0)


def padss_pain(pain: int | None) -> int | None:
    if pain is None:
        return None
    return 2 if pain <= 3 else 1 if pain <= 6 else 0


def padss_iv_site(site: IvSite | None) -> int | None:
    return (
        None if site is None else {IvSite.REMOVED_INTACT: 2, IvSite.OOZING_DRESSED: 1}.get(site, 0)
    )


# -- escort -----------------------------------------------------------------------------------
def normalize_phone(text: str, region: str = "US") -> str:
    """The number in international form (+1 212-555-0143), or FieldError naming the field."""
    import phonenumbers  # ~50 ms to import: only when a number is checked, not at start-up

    raw = text.strip()
    if not raw:
        raise FieldError("escort_phone", "Escort phone number is required")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise FieldError(
            "escort_phone",
            f"Escort phone: {raw!r} is not a phone number (digits, with spaces, dashes or "
            f"brackets; a + and the country code if not {region})",
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise FieldError(
            "escort_phone",
            f"Escort phone: {raw!r} is not a valid phone number (check the digits; "
            f"numbers without a country code are read as {region})",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# A relationship that says the patient goes home alone or is their own escort
NOT_AN_ESCORT = frozenset(
    {"self", "myself", "me", "patient", "the patient", "none", "no one", "nobody", "alone"}
)


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def escort_problems(escort: Escort, region: str, patient_name: str = "") -> dict[str, str]:
    """Field -> message for everything wrong or missing about the escort. The escort is a
    responsible adult other than the patient (`patient_name`, when known)."""
    problems: dict[str, str] = {}
    # The stored escort is read through the same rules as the typed one: a name of only
    # invisible characters (a zero-width space) is no name, and "." or "-" names nobody.
    name, relationship = fields.trim(escort.name), fields.trim(escort.relationship)
    if not name:
        problems["escort_name"] = "Escort name is required"
    elif not fields.has_letters(name):
        problems["escort_name"] = f"Escort name must contain letters (found {name!r})"
    if name and patient_name and _folded(name) == _folded(patient_name):
        problems["escort_name"] = (
            f"The escort is the patient ({name}): the patient may not take themselves home; "
            "name the responsible adult who does"
        )
    if not relationship:
        problems["escort_relationship"] = "Escort relationship is required"
    elif _folded(relationship) in NOT_AN_ESCORT:
        problems["escort_relationship"] = (
            f"Escort relationship {relationship!r} is not an escort: the patient goes home "
            "with a responsible adult (partner, relative, friend), never alone or driving"
        )
    elif not fields.has_letters(relationship):
        problems["escort_relationship"] = (
            f"Escort relationship must contain letters (found {relationship!r})"
        )
    try:
        normalize_phone(escort.phone, region)
    except FieldError as error:
        problems[error.field] = error.message
    if not escort.present_verified or not fields.trim(escort.verified_by):
        problems["escort_verified"] = "not yet verified in person by the nurse"
    return problems


def same_escort(verified: tuple[str | None, str | None, str | None], now: Escort) -> bool:
    """Whether `now` names the escort a nurse verified in person (name, relationship,
    phone as stored then). A verification is of one person: once the escort named changes,
    it no longer stands, whoever changes it and through whichever form."""

    def key(text: str | None) -> str:
        return " ".join((text or "").split()).casefold()

    def digits(text: str | None) -> str:
        return "".join(ch for ch in (text or "") if ch.isdigit())

    name, relationship, phone = verified
    return (
        key(name) == key(now.name)
        and key(relationship) == key(now.relationship)
        and digits(phone) == digits(now.phone)
    )


def has_escort_plan(escort: Escort | None, region: str, patient_name: str = "") -> bool:
    """Whether `escort` is a whole escort plan (name, relationship, a valid phone, not the
    patient), as the start asks before the dose; verifying the escort in person comes at
    discharge."""
    if escort is None:
        return False
    problems = escort_problems(escort, region, patient_name)
    return not {k for k in problems if k != "escort_verified"}


def validate_escort_plan(escort: Escort, region: str, patient_name: str = "") -> Escort:
    """An escort plan as captured at check-in: name, relationship, valid phone (normalized),
    someone other than the patient."""
    problems = {
        k: v
        for k, v in escort_problems(escort, region, patient_name).items()
        if k != "escort_verified"
    }
    if problems:
        raise ValidationErrors(problems)
    return Escort(
        fields.trim(escort.name),
        fields.trim(escort.relationship),
        normalize_phone(escort.phone, region),
        escort.present_verified,
        fields.trim(escort.verified_by),
    )


# -- what the record says about the nurse's answers -----------------------------------------
NAUSEA_KINDS = ("nausea", "vomiting")  # the PADSS item is "nausea / vomiting"
_NAUSEA_RANK = {Nausea.MINIMAL: 0, Nausea.MODERATE: 1, Nausea.SEVERE: 2}
_NAUSEA_AT_LEAST = {
    Severity.MILD: Nausea.MINIMAL,
    Severity.MODERATE: Nausea.MODERATE,
    Severity.SEVERE: Nausea.SEVERE,
}


def _open(effect: SideEffect, now: datetime) -> bool:
    """Not voided and not resolved at `now` (a summary re-checks at the discharge time)."""
    return effect.current and (effect.resolved_at is None or effect.resolved_at > now)


def _decided(effect: SideEffect, now: datetime) -> bool:
    at = effect.physician_decision_at
    return effect.physician_decided and (at is None or at <= now)


def _effect_text(effect: SideEffect, facts: ClinicalFacts) -> str:
    """ "Nausea SEVERE since 14:02, not resolved" """
    severity = effect.severity.label if effect.severity is Severity.SEVERE else effect.severity
    return f"{effect.display_name} {severity} since {facts.hhmm(effect.onset_at)}, not resolved"


def lowest_nausea_answer(facts: ClinicalFacts) -> tuple[Nausea, SideEffect] | None:
    """The lowest nausea / vomiting answer the record allows, and the open side effect that
    sets it: an open SEVERE nausea or vomiting allows only "Severe", an open moderate one
    "Moderate, treated" or worse; mild (or none open) allows any answer."""
    order = list(Severity)
    worst: SideEffect | None = None
    for effect in facts.side_effects:
        if effect.kind_key not in NAUSEA_KINDS or not _open(effect, facts.now):
            continue
        if worst is None or order.index(effect.severity) > order.index(worst.severity):
            worst = effect
    if worst is None or worst.severity is Severity.MILD:
        return None
    return _NAUSEA_AT_LEAST[worst.severity], worst


def contradictions(answers: DischargeAnswers, facts: ClinicalFacts) -> dict[str, str]:
    """Field -> message for each answer the record contradicts.

    - nausea: better than an open nausea / vomiting side effect allows
      (`lowest_nausea_answer`);
    - pain: a better PADSS band than the last pain score recorded in a vitals set after the
      infusion ended (the answer is not refused when it is as bad or worse)."""
    problems: dict[str, str] = {}
    lowest = lowest_nausea_answer(facts)
    if answers.nausea is not None and lowest is not None:
        allowed, effect = lowest
        if _NAUSEA_RANK[answers.nausea] < _NAUSEA_RANK[allowed]:
            problems["nausea"] = (
                f"Nausea / vomiting: “{answers.nausea.label}” contradicts the record: "
                f"{_effect_text(effect, facts)}. Answer “{allowed.label}”, or resolve the "
                "side effect (or correct its severity) first"
            )
    recorded = facts.last_pain
    if (
        answers.pain is not None
        and recorded is not None
        and (padss_pain(answers.pain) or 0) > (padss_pain(recorded.score) or 0)
    ):
        problems["pain"] = (
            f"Pain score: {answers.pain}/10 contradicts the last recorded pain score, "
            f"{recorded.score}/10 at {facts.hhmm(recorded.taken_at)}. Record a vitals "
            "set with the pain score now, or answer as recorded"
        )
    return problems


def refused_answers(
    new: DischargeAnswers, stored: DischargeAnswers, facts: ClinicalFacts
) -> dict[str, str]:
    """The contradictions among the answers the nurse is giving now (changed from what is
    stored): these are refused, the others are saved. An answer stored before the record
    changed is not refused again; the checklist shows it as contradicted instead."""
    given = {"nausea": new.nausea != stored.nausea, "pain": new.pain != stored.pain}
    return {k: v for k, v in contradictions(new, facts).items() if given.get(k)}


# -- criteria from the record -----------------------------------------------------------------
def _stop_item(facts: ClinicalFacts) -> tuple[bool, str]:
    stop = facts.stop
    if stop is None:
        if facts.infusion_ended_at is None:
            return False, "The infusion has not been stopped"
        return False, "The stop of the infusion is not in the record"
    ran, target = format_duration(stop.ran), f"{stop.target_minutes:d}:00"
    if not stop.early:
        return True, f"Ran {ran} of the {target} target"
    if fields.trim(stop.reason):
        return True, f"Stopped early at {ran} of {target}: {fields.trim(stop.reason)}"
    return False, f"Stopped at {ran} of {target} with no reason recorded"


def _side_effects_item(facts: ClinicalFacts) -> tuple[bool, str]:
    severe = [
        e for e in facts.side_effects if _open(e, facts.now) and e.severity is Severity.SEVERE
    ]
    blocking = [e for e in severe if not _decided(e, facts.now)]
    if blocking:
        return False, "; ".join(
            f"{_effect_text(e, facts)} — resolve it or a physician's decision" for e in blocking
        )
    words = [
        f"{_effect_text(e, facts)}; physician's decision by {facts.who(e.physician_decision_by)}"
        + (
            f" at {facts.hhmm(e.physician_decision_at)}"
            if e.physician_decision_at is not None
            else ""
        )
        + f": “{e.physician_decision}”"
        for e in severe
    ]
    others = [
        f"{e.display_name} ({e.severity.label.lower()})"
        for e in facts.side_effects
        if _open(e, facts.now) and e.severity is not Severity.SEVERE
    ]
    if not words:
        words.append("No SEVERE side effect open")
    if others:
        words.append("still open: " + ", ".join(others))
    return True, "; ".join(words)


def _dose_item(facts: ClinicalFacts) -> tuple[bool, str]:
    dose = facts.dose
    rule = "a Schedule III record may not stay open"
    if dose is None:
        return False, (
            "No dose record: plan the dose, then record what was given, wasted and who "
            f"witnessed the waste ({rule})"
        )
    missing = [
        what
        for what, value in (
            ("amount given", dose.actual_mg),
            ("amount wasted", dose.wasted_mg),
            ("witness", dose.witness),
        )
        if value is None
    ]
    if missing or dose.completed_at is None or dose.completed_at > facts.now:
        parts = ", ".join(missing) or "completion"
        return False, f"Planned {fmt(dose.planned_mg, 'mg')}; {parts} not recorded yet ({rule})"
    return True, (
        f"{fmt(dose.actual_mg, 'mg')} given, {fmt(dose.wasted_mg, 'mg')} wasted, "
        f"waste witnessed by {facts.who(dose.witness)}"
    )


# -- the checklist ----------------------------------------------------------------------------
def evaluate(
    answers: DischargeAnswers, facts: ClinicalFacts, rules: DischargeRules
) -> DischargeCheck:
    items: list[ChecklistItem] = []

    def add(
        key: str, label: str, ok: bool | None, evidence: str = "", *, blocks: bool = True
    ) -> None:
        state = ItemState.OK if ok else ItemState.MISSING if blocks else ItemState.NOTE
        items.append(ChecklistItem(key, label, state, evidence))

    # Computed: observation time
    minimum = timedelta(minutes=rules.min_observation_minutes)
    if facts.infusion_ended_at is None:
        add(
            "observation",
            f"Observed {rules.min_observation_minutes} min after the infusion",
            False,
            "The infusion has not been stopped",
        )
    else:
        since = facts.now - facts.infusion_ended_at
        left = minimum - since
        evidence = (
            f"{format_duration(since)} since the infusion ended"
            if left <= timedelta(0)
            else f"{format_duration(left)} still to go ({format_duration(since)} so far)"
        )
        add(
            "observation",
            f"Observed {rules.min_observation_minutes} min after the infusion",
            left <= timedelta(0),
            evidence,
        )

    # Computed: the stop (an early one carries its reason)
    ok, evidence = _stop_item(facts)
    add("stop", "Infusion ran to its target, or stopped early with a reason", ok, evidence)

    # Computed: vitals against baseline (feeds PADSS)
    vitals_points: int | None = None
    label = f"Last vitals within {rules.vitals_tolerance_percent}% of baseline"
    if facts.baseline is None:
        add("vitals", label, False, "No baseline vitals recorded")
    elif facts.last is None:
        add("vitals", label, False, "No vitals recorded since the infusion ended")
    else:
        deviation = vitals_deviation_percent(facts.baseline, facts.last)
        vitals_points = padss_vitals(deviation, rules)
        add(
            "vitals",
            label,
            vitals_points == 2,
            f"Baseline {facts.baseline.text}; last {facts.last.text} "
            f"(largest change {deviation:.0f}%)",
            blocks=False,
        )

    # Computed: MOAA/S
    moaas = facts.last_moaas
    add(
        "moaas",
        "Last MOAA/S is 5 (responds readily to name)",
        moaas == 5,
        "No MOAA/S recorded since the infusion ended" if moaas is None else f"Last MOAA/S {moaas}",
    )

    # Computed: no SEVERE side effect open (or a physician's documented decision on it)
    ok, evidence = _side_effects_item(facts)
    add("side_effects", "No SEVERE side effect unresolved", ok, evidence)

    # Computed: the controlled-substance record completed
    ok, evidence = _dose_item(facts)
    add("dose", "Dose record completed (given, wasted, witness)", ok, evidence)

    # Confirmed by the nurse, never against the record
    contradicted = contradictions(answers, facts)

    # Confirmed by the nurse (feed PADSS; unanswered blocks)
    def answered(
        key: str, label: str, value: object, good: bool, evidence: str, *, blocks: bool = False
    ) -> None:
        if value is None:
            add(key, label, False, "Not answered")
        elif key in contradicted:
            add(key, label, False, contradicted[key])
        else:
            add(key, label, good, evidence, blocks=blocks)

    # A hard stop besides its PADSS points: the patient is observed until sedation and
    # dissociation have resolved (CLINICAL.md), which a patient not alert and oriented has
    # not shown, whatever the score adds up to.
    answered(
        "oriented",
        "Alert and oriented ×3",
        answers.oriented,
        bool(answers.oriented),
        "Yes"
        if answers.oriented
        else "No: sedation or dissociation has not resolved; observe until it has, or record "
        "leaving against medical advice",
        blocks=True,
    )
    answered(
        "gait",
        "Steady gait",
        answers.steady_gait,
        bool(answers.steady_gait),
        "Yes" if answers.steady_gait else "No",
    )
    lowest = lowest_nausea_answer(facts)
    answered(
        "nausea",
        "Nausea / vomiting controlled",
        answers.nausea,
        answers.nausea is Nausea.MINIMAL,
        (answers.nausea.label if answers.nausea else "")
        + (f" (record: {_effect_text(lowest[1], facts)})" if lowest is not None else ""),
    )
    recorded = facts.last_pain
    answered(
        "pain",
        "Pain acceptable",
        answers.pain,
        answers.pain is not None and answers.pain <= 3,
        (f"Pain score {answers.pain}/10" if answers.pain is not None else "")
        + (
            f" (last recorded {recorded.score}/10 at {facts.hhmm(recorded.taken_at)})"
            if recorded is not None
            else ""
        ),
    )
    answered(
        "iv_site",
        "IV removed and site intact",
        answers.iv_site,
        answers.iv_site is IvSite.REMOVED_INTACT,
        answers.iv_site.label if answers.iv_site else "",
    )
    add(
        "instructions",
        "Discharge instructions given and acknowledged",
        answers.instructions_acknowledged,
        "Acknowledged by the patient" if answers.instructions_acknowledged else "Not yet",
    )

    # Escort: a hard stop
    problems = escort_problems(answers.escort, rules.phone_region, facts.patient_name)
    escort = answers.escort
    add(
        "escort",
        "Escort present and verified in person",
        not problems,
        "; ".join(problems.values())
        if problems
        else f"{escort.name} ({escort.relationship}), {escort.phone}, "
        f"verified by {facts.who(escort.verified_by)}",
    )

    padss = Padss(
        vitals=vitals_points,
        orientation_gait=padss_orientation_gait(answers.oriented, answers.steady_gait),
        nausea=padss_nausea(answers.nausea),
        pain=padss_pain(answers.pain),
        iv_site=padss_iv_site(answers.iv_site),
    )
    if padss.complete:
        add(
            "padss",
            f"PADSS at least {rules.padss_minimum} of 10",
            padss.total >= rules.padss_minimum,
            f"PADSS {padss.total}/10",
        )
    else:
        add(
            "padss",
            f"PADSS at least {rules.padss_minimum} of 10",
            False,
            f"Incomplete: {padss.total} so far",
        )

    missing = tuple(
        f"{item.label}: {item.evidence}" if item.evidence else item.label
        for item in items
        if item.state is ItemState.MISSING
    )
    return DischargeCheck(tuple(items), padss, missing)


# -- leaving against medical advice -----------------------------------------------------------
@dataclass(frozen=True)
class AgainstAdvice:
    reason: str
    witness: str  # username of the staff member who witnessed it
    escort_present: bool


def validate_against_advice(ama: AgainstAdvice, nurse: str) -> AgainstAdvice:
    problems: dict[str, str] = {}
    if not fields.trim(ama.reason):
        problems["ama_reason"] = "A reason is required when a patient leaves against advice"
    if not fields.trim(ama.witness):
        problems["ama_witness"] = "Name the staff member who witnessed it"
    elif fields.trim(ama.witness) == nurse:
        problems["ama_witness"] = "The witness must be someone other than the discharging nurse"
    if problems:
        raise ValidationErrors(problems)
    return AgainstAdvice(fields.trim(ama.reason), fields.trim(ama.witness), ama.escort_present)


def validate_witness(ama: AgainstAdvice, witness: User | None) -> None:
    """The witness named must be an active KetaMon user (None: no such username)."""
    if witness is None or not witness.active:
        raise FieldError("ama_witness", f"{ama.witness!r} is not an active KetaMon user")


# -- the decision that lets a session become discharged ---------------------------------------
_ISSUER = object()  # held by this module only: release() and against_advice() below


class Outcome(StrEnum):
    """How a session ended with the patient leaving (the stored discharge outcome)."""

    DISCHARGED = "discharged"
    AMA = "ama"  # left against medical advice

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.DISCHARGED: "Discharged",
    Outcome.AMA: "Left against medical advice",
}
OUTCOME_DISCHARGED = Outcome.DISCHARGED
OUTCOME_AMA = Outcome.AMA


@dataclass(frozen=True)
class DischargeDecision:
    """Leave for a session to become discharged: every criterion met, or a validated record
    of the patient leaving against medical advice. Made only by `release` and
    `against_advice`; constructing one any other way raises."""

    outcome: Outcome
    check: DischargeCheck  # the checklist as evaluated when the decision was made
    ama: AgainstAdvice | None
    issuer: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.issuer is not _ISSUER:
            raise DomainError(
                "A discharge is decided by the discharge checklist or by leaving against "
                "medical advice, nothing else"
            )

    @property
    def reason(self) -> str:
        """The discharge event's reason: empty, or why the patient left against advice."""
        return "" if self.ama is None else f"Left against medical advice: {self.ama.reason}"

    @property
    def padss_total(self) -> int | None:
        return self.check.padss.total if self.check.padss.complete else None


def release(check: DischargeCheck) -> DischargeDecision:
    """Leave to discharge if, and only if, every criterion of `check` is met."""
    if not check.ready:
        raise DomainError("Cannot discharge yet:\n• " + "\n• ".join(check.missing))
    return DischargeDecision(OUTCOME_DISCHARGED, check, None, _ISSUER)


def against_advice(
    ama: AgainstAdvice, nurse: str, witness: User | None, check: DischargeCheck
) -> DischargeDecision:
    """Leave to end the session as 'left against medical advice': a reason, and a witness
    who is an active user other than the nurse (`witness`: that user, None if unknown)."""
    clean = validate_against_advice(ama, nurse)
    validate_witness(clean, witness)
    return DischargeDecision(OUTCOME_AMA, check, clean, _ISSUER)
