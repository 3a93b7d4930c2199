"""Medications given (validation), rate changes and early stops (session rules)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.interventions import (
    MedicationDraft,
    parse_dose,
    require_void_reason,
    validate_medication,
)
from ketamon.domain.sessions import (
    EventKind,
    Phase,
    SessionState,
    check_stop,
    is_early_stop,
    transition,
    validate_rate,
)
from ketamon.domain.settings import ClinicSettings
from tests.conftest import T0

CHOICES = ClinicSettings().medication_choices
NOW = T0 + timedelta(minutes=30)


def _validate(allergies: str = "", **kw):
    values = dict(drug="ondansetron", dose=4.0, unit="mg", route="IV") | kw
    return validate_medication(
        MedicationDraft(**values), CHOICES, now=NOW, checked_in_at=T0, allergies=allergies
    )


def test_a_valid_entry_defaults_to_now() -> None:
    clean = _validate(note="  for nausea ")
    assert (clean.drug, clean.dose, clean.unit, clean.route) == ("ondansetron", 4.0, "mg", "IV")
    assert clean.given_at == NOW and clean.note == "for nausea"


def test_other_takes_the_typed_name() -> None:
    assert _validate(drug="other", other_drug=" diphenhydramine ").drug == "diphenhydramine"
    with pytest.raises(ValidationErrors) as refused:
        _validate(drug="other", other_drug="")
    assert refused.value.errors == {"other_drug": "Name the drug given (Other)"}


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"dose": 0.0}, "dose", "Dose must be a number above 0 and up to 1000 mg"),
        ({"dose": None}, "dose", "Dose must be a number above 0 and up to 1000 mg"),
        ({"dose": 5001, "unit": "mcg"}, "dose", "Dose must be a number above 0 and up to 5000 mcg"),
        ({"unit": "tabs"}, "unit", "Unit must be one of mg, mcg, mL, g, units"),
        ({"route": "XX"}, "route", "Route must be one of IV, IM, PO, SL, ODT, SC, IN"),
        ({"drug": "aspirin"}, "drug", "Choose the drug from the list (or Other and type its name)"),
        (
            {"given_at": NOW + timedelta(seconds=1)},
            "given_at",
            "Time given cannot be in the future",
        ),
        (
            {"given_at": T0 - timedelta(minutes=1)},
            "given_at",
            "Time given cannot be before the patient checked in",
        ),
    ],
)
def test_each_bad_field_is_named(kw, field, message) -> None:
    with pytest.raises(ValidationErrors) as refused:
        _validate(**kw)
    assert refused.value.errors == {field: message}


def test_parse_dose_and_void_reason() -> None:
    assert parse_dose("4") == 4.0 and parse_dose("0,5") == 0.5 and parse_dose("four") is None
    with pytest.raises(FieldError, match="A reason is required to void"):
        require_void_reason("  ")


INFUSING = SessionState(Phase.INFUSING)
PAUSED = SessionState(Phase.INFUSING, paused=True)


def test_rate_change_keeps_the_phase_and_needs_a_reason() -> None:
    assert transition(INFUSING, EventKind.RATE_CHANGE, "Nausea") == INFUSING
    assert transition(PAUSED, EventKind.RATE_CHANGE, "Nausea") == PAUSED
    with pytest.raises(DomainError, match="A reason is required to change the infusion rate"):
        transition(INFUSING, EventKind.RATE_CHANGE, " ")


@pytest.mark.parametrize(
    ("phase", "message"),
    [
        (Phase.CHECKED_IN, "Cannot change the rate: the infusion has not been started"),
        (Phase.RECOVERY, "The infusion has already been stopped"),
    ],
)
def test_rate_change_only_while_infusing(phase, message) -> None:
    with pytest.raises(DomainError) as refused:
        transition(SessionState(phase), EventKind.RATE_CHANGE, "reason")
    assert str(refused.value) == message


def test_rate_bounds() -> None:
    assert validate_rate(12.345) == 12.35
    for bad in (0, -1, 1000, None):
        with pytest.raises(FieldError, match="New rate must be 0.1–999 mL/h"):
            validate_rate(bad)


def test_early_stop_needs_a_reason_at_or_after_target_none() -> None:
    assert is_early_stop(timedelta(minutes=39, seconds=59), 40)
    assert not is_early_stop(timedelta(minutes=40), 40)
    with pytest.raises(FieldError, match="before the target of 40 minutes"):
        check_stop(timedelta(minutes=20), 40, "")
    check_stop(timedelta(minutes=20), 40, "Patient request")
    check_stop(timedelta(minutes=40), 40, "")
    check_stop(timedelta(minutes=55), 40, "")
