"""Patient registration rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ketamon.domain import fields
from ketamon.domain.errors import FieldError, ValidationErrors

MIN_WEIGHT_KG = 20.0
MAX_WEIGHT_KG = 350.0
EARLIEST_BIRTH_YEAR = 1900
MAX_MRN_LENGTH = fields.MRN_LENGTH
MAX_NAME_LENGTH = fields.PERSON_NAME_LENGTH


@dataclass(frozen=True)
class PatientDraft:
    """What a nurse types when registering a patient."""

    mrn: str
    full_name: str
    date_of_birth: date | None
    weight_kg: float | None
    allergies: str = ""


@dataclass(frozen=True)
class Patient:
    id: int
    mrn: str
    full_name: str
    date_of_birth: date
    weight_kg: float
    allergies: str


def validate_patient(draft: PatientDraft, today: date) -> PatientDraft:
    """Return a cleaned draft or raise ValidationErrors naming each refused field."""
    errors: dict[str, str] = {}
    mrn = fields.collect(
        errors,
        lambda: fields.one_line_text("mrn", draft.mrn, MAX_MRN_LENGTH, label="MRN", required=True),
    )
    name = fields.collect(
        errors,
        lambda: fields.one_line_text(
            "full_name",
            draft.full_name,
            MAX_NAME_LENGTH,
            label="Full name",
            required=True,
            collapse=True,
        ),
    )
    dob = fields.collect(errors, lambda: _date_of_birth(draft.date_of_birth, today))
    weight = fields.collect(errors, lambda: _weight(draft.weight_kg))
    allergies = fields.collect(
        errors,
        lambda: fields.multiline_text(
            "allergies", draft.allergies, fields.LONG_TEXT_LENGTH, label="Allergies"
        ),
    )
    if errors:
        raise ValidationErrors(errors)
    return PatientDraft(mrn, name, dob, weight, allergies)  # type: ignore[arg-type]


def _date_of_birth(value: object, today: date) -> date:
    if value is None:
        raise FieldError("date_of_birth", "Date of birth is required")
    dob = fields.date_only("date_of_birth", value, label="Date of birth")
    if dob > today:
        raise FieldError("date_of_birth", "Date of birth cannot be in the future")
    if dob.year < EARLIEST_BIRTH_YEAR:
        raise FieldError("date_of_birth", f"Date of birth cannot be before {EARLIEST_BIRTH_YEAR}")
    return dob


def _weight(value: object) -> float:
    if value is None:
        raise FieldError(
            "weight_kg", f"Weight is required ({MIN_WEIGHT_KG:g}–{MAX_WEIGHT_KG:g} kg)"
        )
    return fields.number(
        "weight_kg", value, MIN_WEIGHT_KG, MAX_WEIGHT_KG, label="Weight", unit="kg"
    )


MAX_SEARCH_LENGTH = 200


def search_words(text: object) -> list[str]:
    """The words of a patient search (by name or MRN). Control characters (a NUL, a tab
    pasted in) only separate words: they never match, and never match everything."""
    if not isinstance(text, str):
        raise FieldError("search", "Search must be text (a name or an MRN)")
    if len(text) > MAX_SEARCH_LENGTH:
        raise FieldError("search", f"Search must be at most {MAX_SEARCH_LENGTH} characters")
    return fields.controls_as_spaces(text).split()
