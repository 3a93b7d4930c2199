"""What the nurse types in the discharge checklist, the escort plan and the against-advice
form, checked field by field before any rule looks at it (types, lengths within the
columns, no control characters): the one door every discharge service call goes through.

And, when another workstation saved the checklist first (StaleRecord), which of this
nurse's answers go back on top of the reloaded one (kept_entries).
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum
from typing import TypeVar

from ketamon.domain import fields
from ketamon.domain.discharge import (
    AgainstAdvice,
    DischargeAnswers,
    Escort,
    IvSite,
    Nausea,
    validate_against_advice,
    validate_escort_plan,
)
from ketamon.domain.errors import FieldError, ValidationErrors

PAIN_RANGE = (0, 10)


def clean_escort(escort: object) -> Escort:
    """The escort as typed, trimmed (the phone as typed: it may not be valid yet)."""
    if not isinstance(escort, Escort):
        raise FieldError("escort_name", "The escort's details are required")
    errors: dict[str, str] = {}
    name = fields.collect(
        errors,
        lambda: fields.one_line_text(
            "escort_name",
            escort.name,
            fields.PERSON_NAME_LENGTH,
            label="Escort name",
            collapse=True,
            letters=True,
        ),
    )
    relationship = fields.collect(
        errors,
        lambda: fields.one_line_text(
            "escort_relationship",
            escort.relationship,
            fields.RELATIONSHIP_LENGTH,
            label="Escort relationship",
            collapse=True,
            letters=True,
        ),
    )
    phone = fields.collect(
        errors,
        lambda: fields.one_line_text(
            "escort_phone", escort.phone, fields.PHONE_LENGTH, label="Escort phone"
        ),
    )
    verified = fields.collect(
        errors,
        lambda: fields.flag(
            "escort_verified", escort.present_verified, label="Escort present and verified"
        ),
    )
    by = fields.collect(
        errors,
        lambda: fields.one_line_text(
            "escort_verified", escort.verified_by, fields.USERNAME_LENGTH, label="Verified by"
        ),
    )
    if errors:
        raise ValidationErrors(errors)
    return Escort(name, relationship, phone, verified, by)  # type: ignore[arg-type]


def escort_plan(escort: object, region: str, patient_name: str = "") -> Escort:
    """The escort plan of check-in: clean, then name, relationship and a valid phone, of
    someone other than the patient (`patient_name`, when known)."""
    return validate_escort_plan(clean_escort(escort), region, patient_name)


E = TypeVar("E", bound=Enum)


def _choice(field: str, value: object, kind: type[E], label: str) -> E | None:
    if value is None:
        return None
    try:
        return kind(value)
    except (ValueError, TypeError):
        allowed = ", ".join(member.value for member in kind)
        raise FieldError(field, f"{label} must be one of: {allowed}") from None


def clean_answers(answers: object) -> DischargeAnswers:
    """The checklist answers, each of its type (None = not answered yet)."""
    if not isinstance(answers, DischargeAnswers):
        raise FieldError("discharge", "The discharge checklist answers are required")
    errors: dict[str, str] = {}
    low, high = PAIN_RANGE
    values = {
        "oriented": fields.collect(
            errors,
            lambda: fields.flag("oriented", answers.oriented, label="Oriented", optional=True),
        ),
        "steady_gait": fields.collect(
            errors,
            lambda: fields.flag(
                "steady_gait", answers.steady_gait, label="Steady gait", optional=True
            ),
        ),
        "nausea": fields.collect(
            errors, lambda: _choice("nausea", answers.nausea, Nausea, "Nausea")
        ),
        "pain": fields.collect(
            errors,
            lambda: (
                None
                if answers.pain is None
                else fields.integer("pain", answers.pain, low, high, label="Pain score")
            ),
        ),
        "iv_site": fields.collect(
            errors, lambda: _choice("iv_site", answers.iv_site, IvSite, "IV site")
        ),
        "instructions_acknowledged": fields.collect(
            errors,
            lambda: fields.flag(
                "instructions_acknowledged",
                answers.instructions_acknowledged,
                label="Instructions acknowledged",
            ),
        ),
    }
    try:
        escort = clean_escort(answers.escort)
    except ValidationErrors as several:  # each escort field named, not only the first
        errors.update(several.errors)
    except FieldError as error:
        errors[error.field] = error.message
    if errors:
        raise ValidationErrors(errors)
    return DischargeAnswers(**values, escort=escort)  # type: ignore[arg-type]


def clean_against_advice(ama: object, nurse: str) -> AgainstAdvice:
    """Leaving against medical advice: a reason, a witness (username), escort yes/no."""
    if not isinstance(ama, AgainstAdvice):
        raise FieldError("ama_reason", "The against-advice details are required")
    errors: dict[str, str] = {}
    reason = fields.collect(errors, lambda: fields.optional_reason(ama.reason, field="ama_reason"))
    witness = fields.collect(
        errors,
        lambda: fields.one_line_text(
            "ama_witness", ama.witness, fields.USERNAME_LENGTH, label="Witness"
        ),
    )
    present = fields.collect(
        errors,
        lambda: fields.flag("ama_escort_present", ama.escort_present, label="Escort present"),
    )
    if errors:
        raise ValidationErrors(errors)
    return validate_against_advice(AgainstAdvice(reason, witness, present), nurse)  # type: ignore[arg-type]


# The nurse's answers by field, as kept_entries names them (and the message says them).
KEPT_LABELS = {
    "oriented": "Alert and oriented",
    "steady_gait": "Steady gait",
    "nausea": "Nausea / vomiting",
    "pain": "Pain score",
    "iv_site": "IV site",
    "instructions_acknowledged": "Instructions acknowledged",
    "escort.name": "Escort name",
    "escort.relationship": "Escort relationship",
    "escort.phone": "Escort phone",
    "escort.present_verified": "Escort verified",
}
_ANSWERS = ("oriented", "steady_gait", "nausea", "pain", "iv_site", "instructions_acknowledged")
_ESCORT = ("name", "relationship", "phone")


def kept_entries(
    mine: DischargeAnswers, loaded: DischargeAnswers, stored: DischargeAnswers
) -> tuple[DischargeAnswers, tuple[str, ...]]:
    """`stored` (saved on another workstation) with, on top, each answer this nurse changed
    from what was `loaded`; and the names of those answers (KEPT_LABELS)."""
    kept: list[str] = []
    answers: dict[str, object] = {}
    for key in _ANSWERS:
        if getattr(mine, key) != getattr(loaded, key):
            answers[key] = getattr(mine, key)
            if getattr(mine, key) != getattr(stored, key):
                kept.append(key)
    escort: dict[str, object] = {}
    for key in _ESCORT:
        if getattr(mine.escort, key) != getattr(loaded.escort, key):
            escort[key] = getattr(mine.escort, key)
            if getattr(mine.escort, key) != getattr(stored.escort, key):
                kept.append(f"escort.{key}")
    if mine.escort.present_verified != loaded.escort.present_verified:
        escort["present_verified"] = mine.escort.present_verified
        escort["verified_by"] = mine.escort.verified_by
        if mine.escort.present_verified != stored.escort.present_verified:
            kept.append("escort.present_verified")
    merged = replace(stored, **answers, escort=replace(stored.escort, **escort))  # type: ignore[arg-type]
    return merged, tuple(kept)
