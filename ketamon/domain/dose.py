"""The ketamine dose record of one session: the plan (weight, mg/kg, concentration, lot),
then what was given and wasted, with a second person witnessing the waste.

Pure arithmetic and bounds; every threshold comes from the clinic settings.

planned mg   = weight (kg) x dose (mg/kg)
planned mL   = planned mg / concentration (mg/mL)
planned rate = planned mL / (target minutes / 60)   (mL/h)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ketamon.domain import fields
from ketamon.domain.errors import FieldError, ValidationErrors
from ketamon.domain.users import User

WEIGHT_RANGE_KG = (20.0, 350.0)
MAX_LOT_LENGTH = fields.LOT_NUMBER_LENGTH


def planned_mg(weight_kg: float, mg_per_kg: float) -> float:
    return round(weight_kg * mg_per_kg, 2)


def planned_ml(total_mg: float, concentration_mg_ml: float) -> float:
    if concentration_mg_ml <= 0:
        raise FieldError("concentration_mg_ml", "Concentration must be above 0 mg/mL")
    return round(total_mg / concentration_mg_ml, 2)


def planned_rate(total_ml: float, target_minutes: int) -> float:
    """mL/h that delivers `total_ml` over the session's target duration."""
    if target_minutes <= 0:
        raise FieldError("target_minutes", "The target duration must be above 0 minutes")
    return round(total_ml / (target_minutes / 60), 2)


def fmt(value: float | None, unit: str) -> str:
    """A figure for display as stored (two decimals at most), no trailing zeros ("36 mg",
    "14.4 mL/h", "0.25 mg"): a controlled-substance amount is never shown rounded."""
    if value is None:
        return "—"
    return f"{round(value, 2):g} {unit}"


@dataclass(frozen=True)
class PlanFigures:
    planned_mg: float
    planned_ml: float
    planned_rate_ml_h: float
    # the plan's inputs as checked, rounded as stored
    weight_kg: float = 0.0
    mg_per_kg: float = 0.0
    concentration_mg_ml: float = 0.0
    lot_number: str = ""


@dataclass(frozen=True)
class Completion:
    """The end of the infusion as checked, rounded as stored."""

    actual_mg: float
    wasted_mg: float
    over_plan_reason: str


class DoseSettings(Protocol):
    """The part of ClinicSettings the dose limits read (settings imports this module)."""

    @property
    def dose_mg_per_kg_range(self) -> tuple[float, float]: ...
    @property
    def dose_concentration_range(self) -> tuple[float, float]: ...
    @property
    def dose_over_plan_percent(self) -> int: ...


@dataclass(frozen=True)
class DoseLimits:
    """The clinic's plausibility bounds (from ClinicSettings)."""

    mg_per_kg_range: tuple[float, float] = (0.05, 2.0)
    concentration_range: tuple[float, float] = (0.1, 100.0)
    over_plan_percent: int = 10

    @classmethod
    def from_settings(cls, settings: DoseSettings) -> DoseLimits:
        low, high = settings.dose_mg_per_kg_range
        weakest, strongest = settings.dose_concentration_range
        return cls(
            (low, high),
            (weakest, strongest),
            int(settings.dose_over_plan_percent),
        )


def check_plan(
    weight_kg: float | None,
    mg_per_kg: float | None,
    concentration_mg_ml: float | None,
    lot_number: str,
    target_minutes: int,
    limits: DoseLimits,
) -> PlanFigures:
    """The computed plan, or ValidationErrors naming each refused field and its range."""
    errors: dict[str, str] = {}
    low_w, high_w = WEIGHT_RANGE_KG
    weight = fields.collect(
        errors,
        lambda: fields.number("weight_kg", weight_kg, low_w, high_w, label="Weight", unit="kg"),
    )
    low, high = limits.mg_per_kg_range
    dose = fields.collect(
        errors,
        lambda: fields.number("mg_per_kg", mg_per_kg, low, high, label="Dose", unit="mg/kg"),
    )
    low_c, high_c = limits.concentration_range
    concentration = fields.collect(
        errors,
        lambda: fields.number(
            "concentration_mg_ml",
            concentration_mg_ml,
            low_c,
            high_c,
            label="Concentration",
            unit="mg/mL",
        ),
    )
    lot = fields.collect(
        errors,
        lambda: fields.one_line_text("lot_number", lot_number, MAX_LOT_LENGTH, label="Lot number"),
    )
    if lot == "":
        errors["lot_number"] = "Lot number is required (as printed on the vial)"
    if errors:
        raise ValidationErrors(errors)
    assert weight is not None and dose is not None and concentration is not None
    weight, dose, concentration = round(weight, 2), round(dose, 3), round(concentration, 3)
    total = planned_mg(weight, dose)
    volume = planned_ml(total, concentration)
    rate = planned_rate(volume, target_minutes)
    return PlanFigures(total, volume, rate, weight, dose, concentration, lot)  # type: ignore[arg-type]


def over_plan_limit(planned: float, limits: DoseLimits) -> float:
    """The most that may be given without a reason."""
    return round(planned * (1 + limits.over_plan_percent / 100), 2)


MAX_WASTED_MG = 10_000


def check_completion(
    planned: float,
    actual_mg: float | None,
    wasted_mg: float | None,
    over_plan_reason: str,
    limits: DoseLimits,
) -> Completion:
    """Actual and wasted amounts; given above the plan by more than the allowance needs a
    reason. ValidationErrors names each refused field (a NaN or infinity is no amount)."""
    errors: dict[str, str] = {}
    ceiling = round(planned * 3, 2)  # beyond three times the plan is a typing error
    actual = fields.collect(
        errors,
        lambda: fields.number(
            "actual_mg", actual_mg, 0, ceiling, label="Actual dose given", unit="mg"
        ),
    )
    wasted = fields.collect(
        errors,
        lambda: fields.number(
            "wasted_mg", wasted_mg, 0, MAX_WASTED_MG, label="Wasted amount", unit="mg"
        ),
    )
    why = fields.collect(
        errors, lambda: fields.optional_reason(over_plan_reason, field="over_plan_reason")
    )
    if not errors and actual is not None:
        limit = over_plan_limit(planned, limits)
        if actual > limit and not why:
            errors["over_plan_reason"] = (
                f"{actual:g} mg is more than {limits.over_plan_percent}% above the planned "
                f"{planned:g} mg (up to {limit:g} mg without a reason): a reason is required"
            )
    if errors:
        raise ValidationErrors(errors)
    return Completion(round(actual, 2), round(wasted, 2), why)  # type: ignore[arg-type]


def check_replan(
    record: DoseRecord | None,
    new_planned_mg: float,
    over_plan_reason: str | None,
    limits: DoseLimits,
) -> str:
    """The over-plan reason to keep when the plan changes. Once the dose is completed, what
    was given is checked again against the new plan, as `check_completion` checked it
    against the old one: a plan lowered under the amount given needs its over-plan reason
    (ValidationErrors naming the field). `over_plan_reason` None keeps the stored one."""
    if record is None or not record.completed or record.actual_mg is None:
        return record.over_plan_reason if record is not None else ""
    why = record.over_plan_reason if over_plan_reason is None else over_plan_reason
    done = check_completion(new_planned_mg, record.actual_mg, record.wasted_mg or 0.0, why, limits)
    return done.over_plan_reason


def check_witness(witness: User | None, recorder: str) -> User:
    """The waste is witnessed by another active user, never the nurse who records it."""
    if witness is None or not witness.active:
        raise FieldError("witness", "The witness must be an active user of this clinic")
    if witness.username == recorder:
        raise FieldError("witness", "The witness must be someone other than you")
    return witness


@dataclass(frozen=True)
class DoseRecord:
    session_id: int
    weight_kg: float
    mg_per_kg: float
    planned_mg: float
    concentration_mg_ml: float
    planned_rate_ml_h: float
    lot_number: str
    planned_by: str
    planned_at: datetime
    actual_mg: float | None = None
    wasted_mg: float | None = None
    over_plan_reason: str = ""
    witness: str | None = None
    completed_by: str | None = None
    completed_at: datetime | None = None
    version: int = 0  # the stored row's (storage/versions.py): passed back with a change

    @property
    def planned_ml(self) -> float:
        return planned_ml(self.planned_mg, self.concentration_mg_ml)

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


def require_change_reason(record: DoseRecord | None, reason: object) -> str:
    """Once completed, the record changes only with a reason (returned clean)."""
    why = fields.optional_reason(reason)
    if record is not None and record.completed and not why:
        raise FieldError(
            "reason", "The dose record is completed: a reason is required to change it"
        )
    return why


def plan_text(record: DoseRecord) -> str:
    """The plan in a few words for the tile and the header: "0.5 mg/kg · 36.25 mg"."""
    return f"{record.mg_per_kg:g} mg/kg · {round(record.planned_mg, 2):g} mg"


def has_plan(record: DoseRecord | None) -> bool:
    """A dose plan as the dose service records it: weight, mg/kg, total mg, concentration,
    rate and lot, each present (the service checked their ranges)."""
    if record is None:
        return False
    figures = (
        record.weight_kg,
        record.mg_per_kg,
        record.planned_mg,
        record.concentration_mg_ml,
        record.planned_rate_ml_h,
    )
    return all(v is not None and v > 0 for v in figures) and bool(record.lot_number.strip())
