"""Medications given during a session (ondansetron for nausea, midazolam for emergence...):
what, how much, by which route, when, by whom, and which side effect it treated.

Entries are voided with a reason, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketamon.domain.errors import FieldError, ValidationErrors

OTHER = "other"
UNITS = ("mg", "mcg", "mL", "g", "units")
ROUTES = ("IV", "IM", "PO", "SL", "ODT", "SC", "IN")
# The largest single dose that is plausible per unit; above it is a typing error.
MAX_DOSE = {"mg": 1000.0, "mcg": 5000.0, "mL": 500.0, "g": 10.0, "units": 10000.0}
MAX_DRUG_LENGTH = 80
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
    status: str = "current"
    status_reason: str = ""

    @property
    def dose_text(self) -> str:
        return f"{self.dose:g} {self.unit}"

    @property
    def summary(self) -> str:
        return f"{self.drug} {self.dose_text} {self.route}"


def parse_dose(text: str) -> float | None:
    """A typed dose ("4", "0.5", "4,0"), or None when it is not a number."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def validate_medication(
    draft: MedicationDraft,
    choices: tuple[str, ...],
    *,
    now: datetime,
    checked_in_at: datetime,
) -> MedicationDraft:
    """The cleaned draft (drug name resolved, time set) or ValidationErrors per field."""
    errors: dict[str, str] = {}
    drug = draft.drug.strip()
    if drug.lower() == OTHER:
        drug = " ".join(draft.other_drug.split())
        if not drug:
            errors["other_drug"] = "Name the drug given (Other)"
    elif drug not in choices:
        errors["drug"] = "Choose the drug from the list (or Other and type its name)"
    if len(drug) > MAX_DRUG_LENGTH:
        errors["other_drug"] = f"Drug name: up to {MAX_DRUG_LENGTH} characters"
    unit = draft.unit.strip()
    if unit not in MAX_DOSE:
        errors["unit"] = f"Unit must be one of {', '.join(UNITS)}"
    else:
        ceiling = MAX_DOSE[unit]
        if draft.dose is None or not 0 < draft.dose <= ceiling:
            errors["dose"] = f"Dose must be a number above 0 and up to {ceiling:g} {unit}"
    route = draft.route.strip()
    if route not in ROUTES:
        errors["route"] = f"Route must be one of {', '.join(ROUTES)}"
    when = draft.given_at or now
    if when > now:
        errors["given_at"] = "Time given cannot be in the future"
    elif when < checked_in_at:
        errors["given_at"] = "Time given cannot be before the patient checked in"
    if errors:
        raise ValidationErrors(errors)
    return MedicationDraft(
        drug=drug,
        dose=float(draft.dose),  # type: ignore[arg-type]
        unit=unit,
        route=route,
        given_at=when,
        given_by=draft.given_by.strip(),
        side_effect_id=draft.side_effect_id,
        note=draft.note.strip(),
    )


def require_void_reason(reason: str) -> str:
    if not reason.strip():
        raise FieldError("reason", "A reason is required to void a medication entry")
    return reason.strip()
