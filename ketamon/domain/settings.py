"""Clinic settings: every threshold is a setting with a default, never a constant in code."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from ketamon.domain.errors import FieldError


@dataclass(frozen=True)
class ClinicSettings:
    clinic_name: str = "KetaMon Infusion Clinic"
    default_target_minutes: int = 40
    target_choices: tuple[int, ...] = (40, 45, 50, 55, 60)
    initial_course_length: int = 6
    overrun_alert_minutes: int = 5
    default_chair_count: int = 6
    idle_lock_minutes: int = 5

    @classmethod
    def from_stored(cls, stored: dict[str, object]) -> ClinicSettings:
        """Build settings from stored key/values; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in stored.items() if k in known}
        if "target_choices" in values:
            values["target_choices"] = tuple(int(x) for x in values["target_choices"])  # type: ignore[union-attr]
        settings = replace(cls(), **values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def validate(self) -> None:
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
        if not 1 <= self.default_chair_count <= 50:
            raise FieldError("default_chair_count", "Default chair count must be 1–50")
        if not self.clinic_name.strip():
            raise FieldError("clinic_name", "Clinic name is required")
        if not 1 <= self.idle_lock_minutes <= 30:
            raise FieldError("idle_lock_minutes", "Automatic lock must be after 1–30 minutes")
        if not 0 <= self.overrun_alert_minutes <= 60:
            raise FieldError("overrun_alert_minutes", "Overrun alert must be 0–60 minutes")


MIN_TARGET_MINUTES = 5
MAX_TARGET_MINUTES = 240


def validate_target_minutes(minutes: int) -> int:
    if not MIN_TARGET_MINUTES <= int(minutes) <= MAX_TARGET_MINUTES:
        raise FieldError(
            "target_minutes",
            f"Target infusion duration must be {MIN_TARGET_MINUTES}–{MAX_TARGET_MINUTES} minutes",
        )
    return int(minutes)
