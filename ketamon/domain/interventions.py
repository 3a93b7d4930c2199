"""Medications given during a session (ondansetron for nausea, midazolam for emergence...):
what, how much, by which route, when, by whom, and which side effect it treated.

Entries are voided with a reason, never deleted. A drug whose name appears in the
patient's allergy list is recorded only with a reason for giving it anyway (the override),
kept with the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketamon.domain import fields
from ketamon.domain.errors import FieldError, ValidationErrors
from ketamon.domain.patients import allergy_match
from ketamon.domain.statuses import RecordStatus

OTHER = "other"
UNITS = ("mg", "mcg", "mL", "g", "units")
ROUTES = ("IV", "IM", "PO", "SL", "ODT", "SC", "IN")
# The largest single dose that is plausible per unit; above it is a typing error.
MAX_DOSE = {"mg": 1000.0, "mcg": 5000.0, "mL": 500.0, "g": 10.0, "units": 10000.0}
MAX_DRUG_LENGTH = fields.DRUG_NAME_LENGTH
VOID_REASONS = (
    "Entered for the wrong patient",
    "Entered twice",
    "Not given (entered by mistake)",
)


@dataclass(frozen=True)
class MedicationDraft:
    """What the nurse typed. `drug` is a choice from the clinic's list; with "other" the
    name is in `other_drug`. `given_at` None means now; `given_by` "" means the nurse."""

    drug: str
    dose: float | None
    unit: str
    route: str
    given_at: datetime | None = None
    given_by: str = ""
    side_effect_id: int | None = None
    note: str = ""
    other_drug: str = ""
    # Why it is given although its name appears in the patient's allergies (asked only then).
    allergy_override_reason: str = ""


class AllergyConflict(FieldError):
    """The drug's name appears in the patient's allergy list: recording it needs a reason
    (`matched` is the entry of the list that names it)."""

    def __init__(self, drug: str, matched: str) -> None:
        super().__init__(
            "allergy_override_reason",
            f"{drug} appears in the patient's allergies (“{matched}”): give the reason "
            "for giving it anyway, or go back",
        )
        self.drug = drug
        self.matched = matched


def allergy_override(drug: str, allergies: str, reason: object) -> str:
    """The override reason to store with the entry: "" when the drug is not in the allergy
    list; the cleaned reason when it is; AllergyConflict when it is and no reason is given."""
    matched = allergy_match(drug, allergies)
    if matched is None:
        return ""
    text = fields.optional_reason(reason, field="allergy_override_reason")
    if not text:
        raise AllergyConflict(drug, matched)
    return text


@dataclass(frozen=True)
class Medication:
    id: int
    session_id: int
    drug: str
    dose: float
    unit: str
    route: str
    given_at: datetime
    given_by: str
    side_effect_id: int | None
    note: str
    entered_by: str
    status: RecordStatus = RecordStatus.CURRENT
    status_reason: str = ""
    allergy_override_reason: str = ""

    @property
    def dose_text(self) -> str:
        return f"{self.dose:g} {self.unit}"

    @property
    def summary(self) -> str:
        return f"{self.drug} {self.dose_text} {self.route}"


def parse_dose(text: str) -> float | None:
    """A typed dose ("4", "0.5", "4,0"), or None when it is not a finite number."""
    return fields.parse_number(text)


def validate_medication(
    draft: MedicationDraft,
    choices: tuple[str, ...],
    *,
    now: datetime,
    checked_in_at: datetime,
    allergies: str,
) -> MedicationDraft:
    """The cleaned draft (drug name resolved, time set) or ValidationErrors per field;
    then, the fields being valid, AllergyConflict when the drug is in the patient's
    `allergies` and no override reason is given."""
    if not isinstance(draft, MedicationDraft):
        raise FieldError("medication", "A medication entry is required")
    errors: dict[str, str] = {}
    drug = fields.collect(errors, lambda: _drug(draft, choices))
    unit = fields.collect(
        errors,
        lambda: fields.one_line_text("unit", draft.unit, fields.CODE_LENGTH, label="Unit"),
    )
    dose = None
    if unit is not None and unit not in MAX_DOSE:
        errors["unit"] = f"Unit must be one of {', '.join(UNITS)}"
    elif unit is not None:
        ceiling = MAX_DOSE[unit]
        dose = fields.collect(
            errors,
            lambda: fields.number(
                "dose", draft.dose, 0, ceiling, label="Dose", unit=unit, low_inclusive=False
            ),
        )
    route = fields.collect(
        errors,
        lambda: fields.one_line_text("route", draft.route, fields.CODE_LENGTH, label="Route"),
    )
    if route is not None and route not in ROUTES:
        errors["route"] = f"Route must be one of {', '.join(ROUTES)}"
    when = fields.collect(
        errors, lambda: fields.optional_datetime("given_at", draft.given_at, label="Time given")
    )
    when = when or now
    if "given_at" in errors:
        pass
    elif when > now:
        errors["given_at"] = "Time given cannot be in the future"
    elif when < checked_in_at:
        errors["given_at"] = "Time given cannot be before the patient checked in"
    given_by = fields.collect(
        errors,
        lambda: fields.one_line_text(
            "given_by", draft.given_by, fields.USERNAME_LENGTH, label="Given by"
        ),
    )
    effect = fields.collect(
        errors,
        lambda: fields.optional_record_id(
            "side_effect_id", draft.side_effect_id, label="Side effect"
        ),
    )
    note = fields.collect(
        errors,
        lambda: fields.multiline_text("note", draft.note, fields.NOTE_LENGTH, label="Note"),
    )
    if errors:
        raise ValidationErrors(errors)
    override = allergy_override(drug, allergies, draft.allergy_override_reason)  # type: ignore[arg-type]
    return MedicationDraft(
        drug=drug,  # type: ignore[arg-type]
        dose=dose,
        unit=unit,  # type: ignore[arg-type]
        route=route,  # type: ignore[arg-type]
        given_at=when,
        given_by=given_by,  # type: ignore[arg-type]
        side_effect_id=effect,
        note=note,  # type: ignore[arg-type]
        allergy_override_reason=override,
    )


def _drug(draft: MedicationDraft, choices: tuple[str, ...]) -> str:
    drug = fields.one_line_text("drug", draft.drug, MAX_DRUG_LENGTH, label="Drug")
    if drug.lower() != OTHER:
        if drug not in choices:
            raise FieldError("drug", "Choose the drug from the list (or Other and type its name)")
        return drug
    named = fields.one_line_text(
        "other_drug", draft.other_drug, MAX_DRUG_LENGTH, label="Drug name", collapse=True
    )
    if not named:
        raise FieldError("other_drug", "Name the drug given (Other)")
    return named


def require_void_reason(reason: object) -> str:
    return fields.reason(reason, missing="A reason is required to void a medication entry")
