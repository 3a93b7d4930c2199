"""Patient registration rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ketamon.domain.errors import ValidationErrors

MIN_WEIGHT_KG = 20.0
MAX_WEIGHT_KG = 350.0
EARLIEST_BIRTH_YEAR = 1900
MAX_MRN_LENGTH = 32
MAX_NAME_LENGTH = 200


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
    mrn = draft.mrn.strip()
    name = " ".join(draft.full_name.split())
    if not mrn:
        errors["mrn"] = "MRN is required"
    elif len(mrn) > MAX_MRN_LENGTH:
        errors["mrn"] = f"MRN must be at most {MAX_MRN_LENGTH} characters"
    if not name:
        errors["full_name"] = "Full name is required"
    elif len(name) > MAX_NAME_LENGTH:
        errors["full_name"] = f"Full name must be at most {MAX_NAME_LENGTH} characters"
    dob = draft.date_of_birth
    if dob is None:
        errors["date_of_birth"] = "Date of birth is required"
    elif dob > today:
        errors["date_of_birth"] = "Date of birth cannot be in the future"
    elif dob.year < EARLIEST_BIRTH_YEAR:
        errors["date_of_birth"] = f"Date of birth cannot be before {EARLIEST_BIRTH_YEAR}"
    weight = draft.weight_kg
    if weight is None:
        errors["weight_kg"] = f"Weight is required ({MIN_WEIGHT_KG:g}–{MAX_WEIGHT_KG:g} kg)"
    elif not MIN_WEIGHT_KG <= weight <= MAX_WEIGHT_KG:
        errors["weight_kg"] = f"Weight must be {MIN_WEIGHT_KG:g}–{MAX_WEIGHT_KG:g} kg"
    if errors:
        raise ValidationErrors(errors)
    return PatientDraft(mrn, name, dob, float(weight), draft.allergies.strip())  # type: ignore[arg-type]
