"""Clinic settings: every threshold is a setting with a default, never a constant in code."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from ketamon.domain import fields as rules
from ketamon.domain.discharge import DEFAULT_INSTRUCTIONS, DischargeRules
from ketamon.domain.errors import FieldError
from ketamon.domain.instruments import Instrument
from ketamon.domain.news2 import Chart, default_chart, validate_chart
from ketamon.domain.side_effects import (
    DEFAULT_SIDE_EFFECTS,
    SideEffectKind,
    catalog_from_stored,
    validate_catalog,
)
from ketamon.domain.vitals import MEASURES, Band, clinic_bands, grading_bands
from ketamon.domain.vitals_due import VitalsSchedule


def _default_band_table() -> dict[str, list[float | None]]:
    return {
        key: [band.red_low, band.amber_low, band.amber_high, band.red_high]
        for key, band in clinic_bands().items()
    }


# VitalsSchedule's fields, as the clinic settings name them
_SCHEDULE_SETTINGS = {
    "infusion_every_minutes": "vitals_every_minutes",
    "recovery_every_minutes": "vitals_recovery_every_minutes",
    "early_minutes": "vitals_early_minutes",
    "red_recheck_minutes": "vitals_red_recheck_minutes",
}


@dataclass(frozen=True)
class ClinicSettings:
    clinic_name: str = "KetaMon Infusion Clinic"
    default_target_minutes: int = 40
    target_choices: tuple[int, ...] = (40, 45, 50, 55, 60)
    initial_course_length: int = 6
    # The course's shape (issue 17): an unfinished series with a longer gap is on the Due
    # list; boosters fall in the maintenance window after the last infusion.
    series_max_gap_days: int = 7
    maintenance_interval_days: tuple[int, int] = (14, 28)
    # The questionnaires asked before each infusion (PCL-5 and pain are optional).
    outcome_instruments: tuple[str, ...] = ("PHQ-9", "GAD-7")
    overrun_alert_minutes: int = 5
    default_chair_count: int = 6
    idle_lock_minutes: int = 5
    # Vitals: NEWS2 points per parameter (RCP 2017 chart 1; see domain/news2.py) ...
    news2_chart: Chart = field(default_factory=default_chart)
    # ... and this clinic's own amber/red bands on top (infusion-room hypertension, pain,
    # MOAA/S), per measure [red_low, amber_low, amber_high, red_high]
    vital_bands: dict[str, list[float | None]] = field(default_factory=_default_band_table)
    vitals_baseline_within_minutes: int = 10
    vitals_every_minutes: int = 15
    vitals_recovery_every_minutes: int = 15
    vitals_marks_minutes: tuple[int, ...] = (40,)
    vitals_early_minutes: int = 5
    vitals_red_overdue_minutes: int = 5
    vitals_red_recheck_minutes: int = 5  # after a set with red values, the next within
    baseline_bp_warning: tuple[int, int] = (140, 90)
    baseline_max_age_minutes: int = 30
    # Side effects, interventions and the dose record (issue 5)
    side_effect_catalog: tuple[SideEffectKind, ...] = DEFAULT_SIDE_EFFECTS
    medication_choices: tuple[str, ...] = (
        "ondansetron",
        "midazolam",
        "lorazepam",
        "clonidine",
        "labetalol",
        "other",
    )
    dose_default_mg_per_kg: float = 0.5
    dose_mg_per_kg_range: tuple[float, float] = (0.05, 2.0)
    dose_concentration_range: tuple[float, float] = (0.1, 100.0)
    dose_over_plan_percent: int = 10
    # Discharge (issue 6): the checklist's thresholds, the printed summary's header
    clinic_address: str = ""
    clinic_phone: str = ""
    discharge_min_observation_minutes: int = 30
    discharge_vitals_tolerance_percent: int = 20
    discharge_vitals_moderate_percent: int = 40
    discharge_padss_minimum: int = 9
    phone_region: str = "US"
    # The emergency number the summary prints; empty: the region's (EMERGENCY_NUMBERS)
    emergency_number: str = ""
    discharge_instructions: str = DEFAULT_INSTRUCTIONS
    # Physician review (issue 7): what a signature may mean (21 CFR 11.50(a)(3))
    signature_meanings: tuple[str, ...] = ("Reviewed", "Reviewed and approved")

    @property
    def discharge_rules(self) -> DischargeRules:
        return DischargeRules(
            min_observation_minutes=self.discharge_min_observation_minutes,
            vitals_tolerance_percent=self.discharge_vitals_tolerance_percent,
            vitals_moderate_percent=self.discharge_vitals_moderate_percent,
            padss_minimum=self.discharge_padss_minimum,
            phone_region=self.phone_region,
        )

    @property
    def emergency_phone(self) -> str:
        """The emergency number for the patient to call: the setting, else the region's."""
        return self.emergency_number.strip() or emergency_number_for(self.phone_region)

    @property
    def bands(self) -> dict[str, Band]:
        """Grading bands: the worse of the NEWS2 chart's grade and the clinic's own band."""
        return grading_bands(self.news2_chart, {k: Band(*v) for k, v in self.vital_bands.items()})

    @property
    def vitals_schedule(self) -> VitalsSchedule:
        return VitalsSchedule(
            baseline_within_minutes=self.vitals_baseline_within_minutes,
            infusion_every_minutes=self.vitals_every_minutes,
            infusion_marks_minutes=self.vitals_marks_minutes,
            recovery_every_minutes=self.vitals_recovery_every_minutes,
            early_minutes=self.vitals_early_minutes,
            red_after_overdue_minutes=self.vitals_red_overdue_minutes,
            red_recheck_minutes=self.vitals_red_recheck_minutes,
            before_discharge_minutes=self.discharge_min_observation_minutes,
        )

    @classmethod
    def from_stored(cls, stored: dict[str, object]) -> ClinicSettings:
        """Build settings from stored key/values; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        # the stored JSON values: each is converted to its field's type below or by replace()
        values: dict[str, Any] = {k: v for k, v in stored.items() if k in known}
        for key in (
            "target_choices",
            "vitals_marks_minutes",
            "baseline_bp_warning",
            "maintenance_interval_days",
        ):
            if key in values:
                values[key] = tuple(int(x) for x in values[key])
        for key in ("dose_mg_per_kg_range", "dose_concentration_range"):
            if key in values:
                values[key] = tuple(float(x) for x in values[key])
        if "medication_choices" in values:
            values["medication_choices"] = tuple(str(x) for x in values["medication_choices"])
        if "outcome_instruments" in values:
            values["outcome_instruments"] = tuple(str(x) for x in values["outcome_instruments"])
        if "signature_meanings" in values:
            values["signature_meanings"] = tuple(str(x) for x in values["signature_meanings"])
        if "side_effect_catalog" in values:
            values["side_effect_catalog"] = catalog_from_stored(values["side_effect_catalog"])
        if "vital_bands" in values:  # a stored table may predate a measure: keep defaults
            values["vital_bands"] = _default_band_table() | dict(values["vital_bands"])
        settings = replace(cls(), **values)
        settings.validate()
        return settings

    def validate(self) -> None:
        self._validate_types()
        validate_target_minutes(self.default_target_minutes)
        # Every duration offered at check-in must be one that check-in accepts.
        if not self.target_choices or not all(
            MIN_TARGET_MINUTES <= int(m) <= MAX_TARGET_MINUTES for m in self.target_choices
        ):
            raise FieldError(
                "target_choices",
                f"Target choices must be {MIN_TARGET_MINUTES}–{MAX_TARGET_MINUTES} minutes each",
            )
        if not 1 <= self.initial_course_length <= 30:
            raise FieldError(
                "initial_course_length", "Initial course length must be 1–30 infusions"
            )
        self._validate_course()
        if not 1 <= self.default_chair_count <= 50:
            raise FieldError("default_chair_count", "Default chair count must be 1–50")
        if not self.clinic_name.strip():
            raise FieldError("clinic_name", "Clinic name is required")
        try:
            self.vitals_schedule.validate()
        except FieldError as error:  # named as the setting is, for the field that holds it
            raise FieldError(_SCHEDULE_SETTINGS.get(error.field, error.field), str(error)) from None
        validate_catalog(self.side_effect_catalog)
        for key, edges in self.vital_bands.items():
            if key not in MEASURES or len(edges) != 4:
                raise FieldError("vital_bands", f"Unknown vital or malformed band: {key}")
        try:
            validate_chart(self.news2_chart)
        except ValueError as error:
            raise FieldError("news2_chart", str(error)) from None
        if len(self.baseline_bp_warning) != 2:
            raise FieldError("baseline_bp_warning", "Baseline BP warning is systolic/diastolic")
        if not 5 <= self.baseline_max_age_minutes <= 240:
            raise FieldError("baseline_max_age_minutes", "Baseline age must be 5–240 minutes")
        if not 1 <= self.idle_lock_minutes <= 30:
            raise FieldError("idle_lock_minutes", "Automatic lock must be after 1–30 minutes")
        if not 0 <= self.overrun_alert_minutes <= 60:
            raise FieldError("overrun_alert_minutes", "Overrun alert must be 0–60 minutes")
        self._validate_dose()
        self._validate_discharge()
        if not self.signature_meanings or not all(str(m).strip() for m in self.signature_meanings):
            raise FieldError("signature_meanings", "Signature meanings cannot be empty")

    def _validate_types(self) -> None:
        """Every value of its type, finite, text within its column and on one line (the
        ranges of each setting are checked after)."""
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if isinstance(value, int):
                rules.integer(item.name, value, -(10**6), 10**6, label=item.name)
            else:
                rules.number(item.name, value, -(10**6), 10**6, label=item.name)
        rules.one_line_text(
            "clinic_name", self.clinic_name, rules.PERSON_NAME_LENGTH, label="Clinic name"
        )
        rules.multiline_text(
            "clinic_address", self.clinic_address, rules.NOTE_LENGTH, label="Clinic address"
        )
        rules.one_line_text("clinic_phone", self.clinic_phone, rules.PHONE_LENGTH, label="Phone")
        rules.one_line_text("phone_region", self.phone_region, 2, label="Phone region")
        rules.one_line_text(
            "emergency_number", self.emergency_number, rules.PHONE_LENGTH, label="Emergency number"
        )
        rules.multiline_text(
            "discharge_instructions",
            self.discharge_instructions,
            rules.LONG_TEXT_LENGTH,
            label="Discharge instructions",
        )
        for key, low, high in (
            ("target_choices", MIN_TARGET_MINUTES, MAX_TARGET_MINUTES),
            ("vitals_marks_minutes", 1, MAX_TARGET_MINUTES),
        ):
            for minutes in _sequence(key, getattr(self, key)):
                rules.integer(key, minutes, low, high, label=key, unit="minutes")
        bp = _sequence("baseline_bp_warning", self.baseline_bp_warning)
        if len(bp) == 2:
            rules.integer("baseline_bp_warning", bp[0], 40, 300, label="Systolic warning")
            rules.integer("baseline_bp_warning", bp[1], 20, 200, label="Diastolic warning")
        for key in ("dose_mg_per_kg_range", "dose_concentration_range"):
            for value in _sequence(key, getattr(self, key)):
                rules.number(key, value, 0, 10**6, label=key)
        for key, length in (
            ("medication_choices", rules.DRUG_NAME_LENGTH),
            ("signature_meanings", rules.MEANING_LENGTH),
        ):
            for text in _sequence(key, getattr(self, key)):
                rules.one_line_text(key, text, length, label=key)
        for kind in _sequence("side_effect_catalog", self.side_effect_catalog):
            if not isinstance(kind, SideEffectKind):
                raise FieldError("side_effect_catalog", "The side effects list is malformed")
        if not isinstance(self.vital_bands, dict):
            raise FieldError("vital_bands", "Vital bands are a table per measure")
        for key, edges in self.vital_bands.items():
            for edge in _sequence("vital_bands", edges):
                if edge is not None:
                    rules.number("vital_bands", edge, 0, 1000, label=f"Band edge of {key}")

    def _validate_course(self) -> None:
        if not 1 <= self.series_max_gap_days <= 60:
            raise FieldError("series_max_gap_days", "Longest gap in a series must be 1–60 days")
        interval = _sequence("maintenance_interval_days", self.maintenance_interval_days)
        if len(interval) != 2 or not 1 <= interval[0] <= interval[1] <= 365:
            raise FieldError(
                "maintenance_interval_days",
                "Maintenance interval is from–to days, 1–365 (e.g. 14–28)",
            )
        known = {i.value for i in Instrument}
        for name in _sequence("outcome_instruments", self.outcome_instruments):
            if name not in known:
                raise FieldError(
                    "outcome_instruments",
                    f"Unknown questionnaire {name!r}; choose from {', '.join(sorted(known))}",
                )

    def _validate_dose(self) -> None:
        if not self.medication_choices or not all(str(m).strip() for m in self.medication_choices):
            raise FieldError("medication_choices", "Medication choices cannot be empty")
        for key, (floor, ceiling), unit in (
            ("dose_mg_per_kg_range", (0.01, 5.0), "mg/kg"),
            ("dose_concentration_range", (0.01, 500.0), "mg/mL"),
        ):
            pair = getattr(self, key)
            if len(pair) != 2 or not floor <= pair[0] < pair[1] <= ceiling:
                raise FieldError(
                    key, f"The range must be low–high within {floor:g}–{ceiling:g} {unit}"
                )
        low, high = self.dose_mg_per_kg_range
        if not low <= self.dose_default_mg_per_kg <= high:
            raise FieldError(
                "dose_default_mg_per_kg",
                f"Default dose must be within the allowed {low:g}–{high:g} mg/kg",
            )
        if not 0 <= self.dose_over_plan_percent <= 100:
            raise FieldError("dose_over_plan_percent", "Over-plan allowance must be 0–100%")

    def _validate_discharge(self) -> None:
        if not 0 <= self.discharge_min_observation_minutes <= 480:
            raise FieldError(
                "discharge_min_observation_minutes", "Minimum observation must be 0–480 minutes"
            )
        if not (
            1
            <= self.discharge_vitals_tolerance_percent
            < self.discharge_vitals_moderate_percent
            <= 100
        ):
            raise FieldError(
                "discharge_vitals_tolerance_percent",
                "Vitals tolerance must be 1–99% and below the moderate band (up to 100%)",
            )
        if not 0 <= self.discharge_padss_minimum <= 10:
            raise FieldError("discharge_padss_minimum", "PADSS minimum must be 0–10")
        if len(self.phone_region) != 2 or not self.phone_region.isalpha():
            raise FieldError("phone_region", "Phone region is a two-letter country code (US)")
        if self.emergency_number.strip() and not any(c.isdigit() for c in self.emergency_number):
            raise FieldError("emergency_number", "Emergency number must contain digits (911)")
        if not self.discharge_instructions.strip():
            raise FieldError("discharge_instructions", "Discharge instructions cannot be empty")


def _sequence(key: str, value: object) -> tuple | list:
    if not isinstance(value, tuple | list):
        raise FieldError(key, f"{key} must be a list")
    return value


# The general emergency number by phone region (ITU lists; 112 across the EU and as the
# GSM fallback): the summary prints the clinic's `emergency_number` setting, else this.
EMERGENCY_NUMBERS = {
    "US": "911", "CA": "911", "MX": "911", "PR": "911", "GB": "999", "IE": "112",
    "AU": "000", "NZ": "111", "IN": "112", "JP": "119", "KR": "119", "CN": "120",
    "ZA": "10111", "BR": "192", "AR": "911", "CH": "112", "NO": "112", "IL": "101",
}  # fmt: skip
EU_REGIONS = frozenset((
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS",
))  # fmt: skip
GENERAL_EMERGENCY = "112"  # EU and GSM phones everywhere


def emergency_number_for(region: str) -> str:
    """The emergency number of a two-letter phone region (112 where it is not listed)."""
    code = region.strip().upper()
    if code in EU_REGIONS:
        return "112"
    return EMERGENCY_NUMBERS.get(code, GENERAL_EMERGENCY)


MIN_TARGET_MINUTES = 5
MAX_TARGET_MINUTES = 240


def validate_target_minutes(minutes: object) -> int:
    return rules.integer(
        "target_minutes",
        minutes,
        MIN_TARGET_MINUTES,
        MAX_TARGET_MINUTES,
        label="Target infusion duration",
        unit="minutes",
    )
