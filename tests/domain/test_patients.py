"""Patient registration rules: each refused field is named, with a message that says why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ketamon.domain.errors import DomainError, ValidationErrors
from ketamon.domain.patients import (
    MAX_MRN_LENGTH,
    PatientDraft,
    validate_new_patient,
    validate_patient,
)
from tests.conftest import draft

TODAY = date(2026, 3, 2)


def refused(d: PatientDraft) -> dict[str, str]:
    with pytest.raises(ValidationErrors) as error:
        validate_patient(d, TODAY)
    assert isinstance(error.value, DomainError)
    return error.value.errors


def test_a_valid_draft_comes_back_cleaned() -> None:
    d = PatientDraft(
        mrn="  MRN7 ",
        full_name="  Ada   King\tLovelace ",
        date_of_birth=date(1980, 5, 17),
        weight_kg=72,
        allergies=" penicillin  ",
    )
    clean = validate_patient(d, TODAY)
    assert clean == PatientDraft("MRN7", "Ada King Lovelace", date(1980, 5, 17), 72.0, "penicillin")
    assert isinstance(clean.weight_kg, float)


@pytest.mark.parametrize("mrn", ["", "   "])
def test_mrn_is_required(mrn: str) -> None:
    assert refused(draft(mrn=mrn)) == {"mrn": "MRN is required"}


def test_mrn_has_a_maximum_length() -> None:
    assert validate_patient(draft(mrn="M" * MAX_MRN_LENGTH), TODAY).mrn == "M" * MAX_MRN_LENGTH
    errors = refused(draft(mrn="M" * (MAX_MRN_LENGTH + 1)))
    assert errors == {"mrn": f"MRN must be at most {MAX_MRN_LENGTH} characters"}


def test_full_name_is_required() -> None:
    assert refused(draft(name="  ")) == {"full_name": "Full name is required"}


def test_date_of_birth_is_required() -> None:
    errors = refused(draft(date_of_birth=None))
    assert errors == {"date_of_birth": "Date of birth is required"}


def test_date_of_birth_cannot_be_in_the_future() -> None:
    errors = refused(draft(date_of_birth=TODAY + timedelta(days=1)))
    assert errors == {"date_of_birth": "Date of birth cannot be in the future"}
    assert validate_patient(draft(date_of_birth=TODAY), TODAY).date_of_birth == TODAY


def test_date_of_birth_cannot_be_before_1900() -> None:
    errors = refused(draft(date_of_birth=date(1899, 12, 31)))
    assert errors == {"date_of_birth": "Date of birth cannot be before 1900"}
    ok = validate_patient(draft(date_of_birth=date(1900, 1, 1)), TODAY)
    assert ok.date_of_birth == date(1900, 1, 1)


@pytest.mark.parametrize("weight", [20, 20.0, 72.5, 350, 350.0])
def test_weights_in_range_are_accepted(weight: float) -> None:
    assert validate_patient(draft(weight_kg=weight), TODAY).weight_kg == float(weight)


@pytest.mark.parametrize(
    "weight", [0, 19.9, 350.1, 1000, -70, pytest.param(10**5000, id="10**5000")]
)
def test_weights_out_of_range_are_refused(weight: float) -> None:
    errors = refused(draft(weight_kg=weight))
    assert errors == {"weight_kg": "Weight must be 20–350 kg"}


@pytest.mark.parametrize("weight", [float("nan"), float("inf"), "72", b"72", True])
def test_a_weight_that_is_not_a_finite_number_is_refused(weight: object) -> None:
    errors = refused(draft(weight_kg=weight))
    assert errors == {"weight_kg": "Weight must be a number, 20–350 kg"}


def test_weight_is_required() -> None:
    errors = refused(draft(weight_kg=None))
    assert list(errors) == ["weight_kg"]
    assert "Weight is required" in errors["weight_kg"]


def test_every_bad_field_is_reported_at_once_and_named_in_the_message() -> None:
    bad = PatientDraft(mrn="", full_name="", date_of_birth=date(2030, 1, 1), weight_kg=5)
    with pytest.raises(ValidationErrors) as error:
        validate_patient(bad, TODAY)
    assert set(error.value.errors) == {"mrn", "full_name", "date_of_birth", "weight_kg"}
    message = str(error.value)
    for words in ("MRN", "Full name", "Date of birth", "Weight"):
        assert words in message


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("MRN\u200b1001", "U+200B"),  # a zero-width space: prints as MRN1001
        ("MRN\u00a01001", "U+0020"),  # a no-break space, read as a space
        ("MRN 1001", "U+0020"),
        ("MRN\u20601001", "U+2060"),  # word joiner
        ("MRN1\u0430", "'\u0430'"),  # Cyrillic a, a look-alike of the Latin one
    ],
)
def test_a_new_mrn_that_could_pass_for_another_is_refused_at_its_field(typed, found) -> None:
    with pytest.raises(ValidationErrors) as refused:
        validate_new_patient(draft(mrn=typed), TODAY)
    assert set(refused.value.errors) == {"mrn"}
    assert refused.value.errors["mrn"] == (
        f"MRN: letters A–Z, digits, dashes, dots, slashes or underscores, no spaces (found {found})"
    )


def test_a_fullwidth_mrn_is_read_as_the_plain_one_and_plain_ones_pass() -> None:
    assert validate_new_patient(draft(mrn="ＭＲＮ１００１"), TODAY).mrn == "MRN1001"
    assert validate_new_patient(draft(mrn=" KM-2024/07_a.1 "), TODAY).mrn == "KM-2024/07_a.1"


def test_a_bad_new_mrn_is_reported_with_the_other_fields() -> None:
    with pytest.raises(ValidationErrors) as refused:
        validate_new_patient(draft(mrn="MRN\u200b1", name=""), TODAY)
    assert set(refused.value.errors) == {"mrn", "full_name"}
