"""Vital signs: parsing what the nurse types, refusing the impossible, grading the worrying.

Plausibility limits (what cannot be a real reading) are fixed here; the amber/red bands
are clinic settings (VitalBands), defaults from CLINICAL.md (NEWS2 and infusion-room BP).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import partial

from ketamon.domain import fields
from ketamon.domain.errors import FieldError, ValidationErrors
from ketamon.domain.grades import Grade as Grade  # here since the first round; its own module
from ketamon.domain.news2 import Chart, News2, default_chart, score, spo2_points
from ketamon.domain.statuses import RecordStatus


class VitalPhase(StrEnum):
    BASELINE = "baseline"
    INFUSION = "infusion"
    RECOVERY = "recovery"
    PRE_DISCHARGE = "pre_discharge"

    @property
    def label(self) -> str:
        return _VITAL_PHASE_LABELS[self]


_VITAL_PHASE_LABELS = {
    VitalPhase.BASELINE: "Baseline",
    VitalPhase.INFUSION: "Infusion",
    VitalPhase.RECOVERY: "Recovery",
    VitalPhase.PRE_DISCHARGE: "Pre-discharge",
}


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str
    low: float  # impossible below
    high: float  # impossible above
    integer: bool = True
    required: bool = True


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("systolic", "Systolic BP", "mmHg", 40, 300),
        Measure("diastolic", "Diastolic BP", "mmHg", 20, 200),
        Measure("heart_rate", "Heart rate", "/min", 20, 300),
        Measure("spo2", "SpO2", "%", 50, 100),
        Measure("resp_rate", "Respiratory rate", "/min", 0, 60),
        Measure("temperature", "Temperature", "°C", 30, 45, integer=False, required=False),
        Measure("pain", "Pain", "0–10", 0, 10, required=False),
        Measure("sedation", "MOAA/S", "0–5", 0, 5, required=False),
        Measure("dissociation", "Dissociation", "0–3", 0, 3, required=False),
        Measure("cadss", "CADSS total", "0–92", 0, 92, required=False),
    )
}
# The vital signs proper (a "vitals set" for reminders and the start check) ...
CORE_KEYS = tuple(k for k, m in MEASURES.items() if m.required)
# ... and the scores that may be recorded on their own, without them.
SCORE_KEYS = ("sedation", "dissociation", "cadss")

# MOAA/S (Modified Observer's Assessment of Alertness/Sedation, Chernik 1990), CLINICAL.md.
MOAAS_LEVELS: tuple[tuple[int, str], ...] = (
    (5, "responds readily to name in normal tone"),
    (4, "lethargic response to name in normal tone"),
    (3, "responds only after name is called loudly or repeatedly"),
    (2, "responds only after mild prodding or shaking"),
    (1, "responds only after a painful trapezius squeeze"),
    (0, "no response to trapezius squeeze"),
)
# Clinician-rated dissociation (CLINICAL.md).
DISSOCIATION_LEVELS: tuple[tuple[int, str], ...] = (
    (0, "none"),
    (1, "mild"),
    (2, "moderate"),
    (3, "severe"),
)


def moaas_words(level: int | None) -> str:
    return dict(MOAAS_LEVELS).get(level, "") if level is not None else ""


def dissociation_words(level: int | None) -> str:
    return dict(DISSOCIATION_LEVELS).get(level, "") if level is not None else ""


@dataclass(frozen=True)
class Band:
    """Grade edges: value <= red_low or >= red_high is red; <= amber_low or >= amber_high amber."""

    red_low: float | None = None
    amber_low: float | None = None
    amber_high: float | None = None
    red_high: float | None = None

    def grade(self, value: float) -> Grade:
        if (self.red_low is not None and value <= self.red_low) or (
            self.red_high is not None and value >= self.red_high
        ):
            return Grade.RED
        if (self.amber_low is not None and value <= self.amber_low) or (
            self.amber_high is not None and value >= self.amber_high
        ):
            return Grade.AMBER
        return Grade.NORMAL


def clinic_bands() -> dict[str, Band]:
    """This product's own bands, not NEWS2 (CLINICAL.md): the infusion room's hypertension
    bands (ketamine raises BP), pain, and MOAA/S sedation depth."""
    return {
        "systolic": Band(amber_high=160, red_high=180),
        "diastolic": Band(amber_high=100, red_high=110),
        "pain": Band(amber_high=4, red_high=7),
        "sedation": Band(red_low=1, amber_low=3),
    }


def news2_band(chart: Chart, key: str) -> Band:
    """The NEWS2 chart of one parameter as grade edges: 0 points normal, 1–2 AMBER, 3 RED
    (points rise away from normal, so the innermost 1–2 edge and the 3 edge are enough)."""
    sides = chart.get(key, {})
    low, high = sides.get("low", []), sides.get("high", [])

    def pick(pairs: list[list[float]], red: bool, lowest: bool) -> float | None:
        edges = [e for e, p in pairs if (p == 3) == red and p > 0]
        return (max if lowest else min)(edges, default=None)

    return Band(
        red_low=pick(low, True, True),
        amber_low=pick(low, False, True),
        amber_high=pick(high, False, False),
        red_high=pick(high, True, False),
    )


def merge_bands(a: Band, b: Band) -> Band:
    """The more alarming edge of each: a value is graded the worse of the two bands."""

    def worst(x: float | None, y: float | None, low: bool) -> float | None:
        if x is None or y is None:
            return y if x is None else x
        return max(x, y) if low else min(x, y)

    return Band(
        worst(a.red_low, b.red_low, True),
        worst(a.amber_low, b.amber_low, True),
        worst(a.amber_high, b.amber_high, False),
        worst(a.red_high, b.red_high, False),
    )


NEWS2_GRADED = ("resp_rate", "spo2", "systolic", "heart_rate", "temperature")


def grading_bands(chart: Chart, clinic: dict[str, Band]) -> dict[str, Band]:
    """Grade = the worse of the NEWS2 grade (by points) and the clinic's own band."""
    out = dict(clinic)
    for key in NEWS2_GRADED:
        band = news2_band(chart, key)
        out[key] = merge_bands(band, clinic[key]) if key in clinic else band
    return out


def default_bands() -> dict[str, Band]:
    return grading_bands(default_chart(), clinic_bands())


@dataclass(frozen=True)
class VitalsDraft:
    """A set as typed, parsed to numbers (None = not given)."""

    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    resp_rate: int | None = None
    temperature: float | None = None
    pain: int | None = None
    sedation: int | None = None
    dissociation: int | None = None
    cadss: int | None = None
    note: str = ""
    oxygen: bool = False  # on supplemental oxygen when taken (NEWS2: 2 points)

    def values(self) -> dict[str, float | None]:
        return {k: getattr(self, k) for k in MEASURES}

    @property
    def scores_only(self) -> bool:
        """Sedation/dissociation scores recorded on their own: no BP, HR, SpO2 or RR.

        Such a set is not a vitals set for the reminders or the start check."""
        return all(getattr(self, k) is None for k in CORE_KEYS) and any(
            getattr(self, k) is not None for k in SCORE_KEYS
        )


@dataclass(frozen=True)
class VitalsSet:
    id: int
    session_id: int
    taken_at: datetime
    phase: VitalPhase
    values: VitalsDraft
    entered_by: str
    status: RecordStatus = RecordStatus.CURRENT
    corrects_id: int | None = None
    grades: dict[str, Grade] = field(default_factory=dict)
    status_reason: str = ""
    acknowledged_by: str | None = None
    entered_by_name: str = ""  # "Jo Rivera, RN": who entered it, as people read it
    news2: News2 | None = None
    scale2: bool = False  # SpO2 graded and scored on NEWS2 scale 2 (the patient's option)

    @property
    def entered_by_label(self) -> str:
        """The name to show for who entered the set (the username if it is not known)."""
        return self.entered_by_name or self.entered_by

    @property
    def worst(self) -> Grade:
        return max(self.grades.values(), default=Grade.NORMAL)

    @property
    def scores_only(self) -> bool:
        return self.values.scores_only


def _number(measure: Measure, text: str) -> float:
    cleaned = text.strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise FieldError(measure.key, _not_a_number_message(measure)) from None
    if not math.isfinite(value):
        raise FieldError(measure.key, _not_a_number_message(measure))
    if measure.integer and value != int(value):
        raise FieldError(measure.key, f"{measure.label} must be a whole number")
    if not measure.low <= value <= measure.high:
        raise FieldError(measure.key, _range_message(measure))
    return int(value) if measure.integer else round(value, 1)


def _allowed(measure: Measure) -> str:
    """The range in words: "20–300 /min", "50–100%", "0–10" (a score has no unit)."""
    low, high = f"{measure.low:g}", f"{measure.high:g}"
    unit = "" if measure.unit.startswith(("0", "%")) else f" {measure.unit}"
    if measure.unit == "%":
        unit = "%"
    return f"{low}–{high}{unit}"


def range_hint(key: str) -> str:
    """The possible values of measure `key` as a hint for an empty field: "20–300"."""
    measure = MEASURES[key]
    return f"{measure.low:g}–{measure.high:g}"


def _range_message(measure: Measure) -> str:
    """A number out of range: "Heart rate must be 20–300 /min"."""
    return f"{measure.label} must be {_allowed(measure)}"


def _not_a_number_message(measure: Measure) -> str:
    """Not a number at all ("abc", "inf"): "Heart rate must be a number (20–300 /min)"."""
    return f"{measure.label} must be a number ({_allowed(measure)})"


def parse_vitals(fields: dict[str, str], *, require_core: bool = True) -> VitalsDraft:
    """Parse typed text ("bp" may hold "128/84"); ValidationErrors names every bad field.

    BP, HR, SpO2 and RR are required, unless none of them is typed and a sedation or
    dissociation score is: such a set holds the scores on their own."""
    errors: dict[str, str] = {}
    values: dict[str, float | None] = {}
    typed = {k: (v or "").strip() for k, v in fields.items()}
    no_vitals = not typed.get("bp") and not any(typed.get(k) for k in CORE_KEYS)
    if no_vitals and any(typed.get(k) for k in SCORE_KEYS):
        require_core = False  # the scores on their own
    bp = typed.pop("bp", "")
    if bp:
        if "/" in bp:
            sys_text, _, dia_text = bp.partition("/")
            typed.setdefault("systolic", sys_text)
            typed["systolic"] = typed["systolic"] or sys_text
            typed["diastolic"] = typed.get("diastolic") or dia_text
        else:
            errors["bp"] = "Blood pressure: type systolic/diastolic, e.g. 128/84"
    for key, measure in MEASURES.items():
        text = typed.get(key, "")
        if not text:
            values[key] = None
            if measure.required and require_core:
                errors.setdefault(_field_for(key, fields), f"{measure.label} is required")
            continue
        try:
            values[key] = _number(measure, text)
        except FieldError as error:
            errors.setdefault(_field_for(key, fields), error.message)
    sys_v, dia_v = values.get("systolic"), values.get("diastolic")
    if sys_v is not None and dia_v is not None and dia_v >= sys_v:
        errors.setdefault(_field_for("diastolic", fields), "Diastolic BP must be below systolic")
    if errors:
        raise ValidationErrors(errors)
    return VitalsDraft(**values, note=(fields.get("note") or "").strip())  # type: ignore[arg-type]


def _field_for(key: str, fields: dict[str, str]) -> str:
    """Report BP errors at the combined BP field when that is what the nurse typed in."""
    return "bp" if key in ("systolic", "diastolic") and "bp" in fields else key


def validate_draft(draft: VitalsDraft, *, require_core: bool = True) -> VitalsDraft:
    """Check a draft built in code (services re-check everything the UI parsed): each value
    None or a finite number in range (whole where the column is), the note text."""
    if not isinstance(draft, VitalsDraft):
        raise FieldError("vitals", "A vitals set is required")
    errors: dict[str, str] = {}
    values: dict[str, float | None] = {}
    for key, measure in MEASURES.items():
        value = getattr(draft, key)
        values[key] = (
            None if value is None else fields.collect(errors, partial(_value, measure, value))
        )
    given = {k for k, v in draft.values().items() if v is not None}
    if not given & set(CORE_KEYS) and given & set(SCORE_KEYS):
        require_core = False  # the scores on their own
    if require_core:
        for key in CORE_KEYS:
            if key not in given:
                errors.setdefault(key, f"{MEASURES[key].label} is required")
    sys_v, dia_v = values.get("systolic"), values.get("diastolic")
    if sys_v is not None and dia_v is not None and dia_v >= sys_v:
        errors.setdefault("diastolic", "Diastolic BP must be below systolic")
    note = fields.collect(
        errors, lambda: fields.multiline_text("note", draft.note, fields.NOTE_LENGTH, label="Note")
    )
    oxygen = fields.collect(
        errors, lambda: fields.flag("oxygen", draft.oxygen, label="On supplemental oxygen")
    )
    if errors:
        raise ValidationErrors(errors)
    return VitalsDraft(**values, note=note, oxygen=oxygen)  # type: ignore[arg-type]


def _value(measure: Measure, value: object) -> float:
    unit = "" if measure.unit.startswith("0") else measure.unit
    if measure.integer:
        return fields.integer(
            measure.key, value, int(measure.low), int(measure.high), label=measure.label, unit=unit
        )
    number = fields.number(
        measure.key, value, measure.low, measure.high, label=measure.label, unit=unit
    )
    return round(number, 1)


def points_grade(points: int) -> Grade:
    """NEWS2 points as a grade: 0 normal, 1–2 AMBER, 3 RED (CLINICAL.md)."""
    return Grade.RED if points >= 3 else Grade.AMBER if points > 0 else Grade.NORMAL


def grade_set(
    draft: VitalsDraft,
    bands: dict[str, Band],
    *,
    chart: Chart | None = None,
    scale2: bool = False,
) -> dict[str, Grade]:
    """Each value's grade by the clinic's bands. On SpO2 scale 2 (a per-patient option for
    hypercapnic respiratory failure) SpO2 is graded by its scale 2 points instead: on air
    88% and above scores 0; on oxygen 93% and above scores again (RCP 2017)."""
    grades = {
        k: bands[k].grade(v) for k, v in draft.values().items() if v is not None and k in bands
    }
    if scale2 and draft.spo2 is not None:
        used = chart if chart is not None else default_chart()
        grades["spo2"] = points_grade(
            spo2_points(used, draft.spo2, scale2=True, oxygen=draft.oxygen)
        )
    return grades


def news2_of(draft: VitalsDraft, chart: Chart | None = None, *, scale2: bool = False) -> News2:
    return score(
        chart if chart is not None else default_chart(),
        draft.values(),
        oxygen=draft.oxygen,
        scale2=scale2,
    )


def scale2_band(chart: Chart, *, oxygen: bool = False) -> Band:
    """SpO2 scale 2 as grade edges (for shading a chart): on air the low side only."""
    high = chart.get("spo2_scale2_oxygen", {}).get("high", []) if oxygen else []
    merged = {"spo2": {"low": chart.get("spo2_scale2", {}).get("low", []), "high": high}}
    return news2_band(merged, "spo2")


def patient_bands(bands: dict[str, Band], chart: Chart, *, scale2: bool) -> dict[str, Band]:
    """The bands a patient's values are shown against: SpO2 on scale 2 (air) if chosen."""
    if not scale2:
        return bands
    return {**bands, "spo2": scale2_band(chart)}


def vital_phase(
    started_at: datetime | None,
    ended_at: datetime | None,
    taken_at: datetime,
    *,
    pre_discharge: bool = False,
) -> VitalPhase:
    """The phase a set belongs to, from when it was taken."""
    if started_at is None or taken_at < started_at:
        return VitalPhase.BASELINE
    if ended_at is None or taken_at <= ended_at:
        return VitalPhase.INFUSION
    return VitalPhase.PRE_DISCHARGE if pre_discharge else VitalPhase.RECOVERY


@dataclass(frozen=True)
class StartCheck:
    """What the nurse must decide before starting: no recent baseline, or a high one."""

    missing_baseline: bool
    high_bp: str | None  # "152/94" when the latest baseline is above the clinic's warning
    warning_bp: tuple[int, int]
    max_age_minutes: int

    @property
    def clear(self) -> bool:
        return not self.missing_baseline and self.high_bp is None

    @property
    def message(self) -> str:
        parts = []
        if self.missing_baseline:
            parts.append(
                f"No baseline vitals in the last {self.max_age_minutes} minutes: record a "
                "baseline set, or give a reason to start without one."
            )
        if self.high_bp:
            sys_w, dia_w = self.warning_bp
            parts.append(
                f"Baseline BP {self.high_bp} is above {sys_w}/{dia_w}: weigh the risks before "
                "starting."
            )
        return " ".join(parts)


def check_start(
    baseline: list[VitalsSet],
    now: datetime,
    *,
    warning_bp: tuple[int, int],
    max_age_minutes: int,
) -> StartCheck:
    """`baseline`: the session's current baseline sets."""
    recent = [
        s
        for s in baseline
        if s.status == RecordStatus.CURRENT
        and not s.scores_only  # sedation scores alone are not a baseline set
        and (now - s.taken_at).total_seconds() <= max_age_minutes * 60
    ]
    latest = max(recent, key=lambda s: s.taken_at, default=None)
    high = None
    v = latest.values if latest is not None else None
    if (
        v is not None
        and v.systolic is not None
        and (
            v.systolic > warning_bp[0] or (v.diastolic is not None and v.diastolic > warning_bp[1])
        )
    ):
        high = f"{v.systolic}/{v.diastolic}"
    return StartCheck(latest is None, high, (warning_bp[0], warning_bp[1]), max_age_minutes)
