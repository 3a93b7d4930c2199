"""Allergy status is explicit (listed, "No known drug allergies", or not recorded: a
warning), and a drug named in the allergy list needs a reason to be recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ketamon.domain.errors import DomainError, ValidationErrors
from ketamon.domain.interventions import (
    AllergyConflict,
    MedicationDraft,
    allergy_override,
    validate_medication,
)
from ketamon.domain.patients import (
    NKDA_TEXT,
    NOT_RECORDED_TEXT,
    AllergyStatus,
    Patient,
    allergy_match,
    allergy_status,
    allergy_text,
    correction,
    require_correction_reason,
    validate_patient,
)
from ketamon.domain.settings import ClinicSettings
from tests.conftest import T0, draft

TODAY = date(2026, 3, 2)


# -- the three states ------------------------------------------------------------------------
def test_three_states_and_their_words() -> None:
    assert allergy_status("Penicillin (rash)", False) is AllergyStatus.RECORDED
    assert allergy_status("", True) is AllergyStatus.NONE_KNOWN
    assert allergy_status("", False) is AllergyStatus.NOT_RECORDED
    assert allergy_status("  \n ", False) is AllergyStatus.NOT_RECORDED
    assert allergy_text("Penicillin (rash)\nLatex", False) == "ALLERGIES: Penicillin (rash); Latex"
    assert allergy_text("", True) == NKDA_TEXT == "No known drug allergies"
    assert allergy_text("", False) == NOT_RECORDED_TEXT
    assert NOT_RECORDED_TEXT.startswith("ALLERGIES NOT RECORDED")  # words, not a colour
    # what stands out: allergies to heed, or nothing recorded; never the deliberate NKDA
    assert AllergyStatus.RECORDED.warning and AllergyStatus.NOT_RECORDED.warning
    assert not AllergyStatus.NONE_KNOWN.warning


def test_patient_gives_its_status() -> None:
    p = Patient(1, "M1", "Ada", date(1980, 1, 1), 70.0, "", no_known_allergies=True)
    assert p.allergy_status is AllergyStatus.NONE_KNOWN and p.allergy_text == NKDA_TEXT
    assert Patient(1, "M1", "Ada", date(1980, 1, 1), 70.0, "").allergy_text == NOT_RECORDED_TEXT


def test_nkda_is_kept_and_a_list_with_nkda_is_refused() -> None:
    clean = validate_patient(draft(no_known_allergies=True, spo2_scale2=True), TODAY)
    assert (clean.allergies, clean.no_known_allergies, clean.spo2_scale2) == ("", True, True)
    with pytest.raises(ValidationErrors) as refused:
        validate_patient(draft(allergies="Latex", no_known_allergies=True), TODAY)
    assert refused.value.errors == {
        "no_known_allergies": "Allergies are listed and “No known drug allergies” is ticked: "
        "clear one of the two"
    }


@pytest.mark.parametrize("typed", ["None", "NKDA", "n/a", " no known allergies. ", "nil"])
def test_none_typed_as_an_allergy_is_refused_pointing_to_the_checkbox(typed: str) -> None:
    with pytest.raises(ValidationErrors) as refused:
        validate_patient(draft(allergies=typed), TODAY)
    message = refused.value.errors["allergies"]
    assert "is not an allergy" in message and "tick “No known drug allergies”" in message


def test_flags_must_be_yes_or_no() -> None:
    with pytest.raises(ValidationErrors) as refused:
        validate_patient(draft(no_known_allergies="yes", spo2_scale2=None), TODAY)
    assert refused.value.errors == {
        "no_known_allergies": "No known drug allergies must be yes or no",
        "spo2_scale2": "SpO2 scale 2 must be yes or no",
    }


# -- correcting ------------------------------------------------------------------------------
ADA = Patient(7, "MRN7", "Ada Lovelace", date(1980, 5, 17), 72.5, "", False, False)


def test_a_correction_names_only_what_changed_validated_as_at_registration() -> None:
    typed = draft("MRN7", "Ada  King Lovelace", weight_kg=70, no_known_allergies=True)
    assert correction(ADA, typed, TODAY) == {
        "full_name": "Ada King Lovelace",
        "weight_kg": 70.0,
        "no_known_allergies": True,
    }
    with pytest.raises(ValidationErrors) as refused:
        correction(ADA, draft("MRN7", weight_kg=10), TODAY)
    assert refused.value.errors == {"weight_kg": "Weight must be 20–350 kg"}
    with pytest.raises(ValidationErrors) as refused:
        correction(ADA, draft("MRN7", date_of_birth=TODAY + timedelta(days=1)), TODAY)
    assert refused.value.errors == {"date_of_birth": "Date of birth cannot be in the future"}


def test_a_correction_cannot_change_the_mrn_or_change_nothing() -> None:
    with pytest.raises(ValidationErrors) as refused:
        correction(ADA, draft("MRN8", "Ada Lovelace"), TODAY)
    assert refused.value.errors == {"mrn": "The MRN cannot be corrected here"}
    with pytest.raises(DomainError, match="Nothing was changed"):
        correction(ADA, ADA.as_draft(), TODAY)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_correction_needs_a_reason(reason) -> None:
    with pytest.raises(DomainError):
        require_correction_reason(reason)
    assert require_correction_reason(" Typo at registration ") == "Typo at registration"


# -- the drug in the allergy list ------------------------------------------------------------
@pytest.mark.parametrize(
    ("drug", "allergies", "matched"),
    [
        ("ondansetron", "Ondansetron (rash)", "Ondansetron (rash)"),
        ("Ondansetron", "penicillin; ONDANSETRON - hives", "ONDANSETRON - hives"),
        ("ondansetron ODT", "Latex\nondansetron", "ondansetron"),
        ("midazolam", "Midazolam, latex", "Midazolam"),
        ("labetalol", "labetalol", "labetalol"),
        ("penicillin", "Penicillins", "Penicillins"),
        ("Sulfamethoxazole", "Sulfa drugs", "Sulfa drugs"),
        ("Ketorolac tromethamine", "ketorolac (anaphylaxis)", "ketorolac (anaphylaxis)"),
    ],
)
def test_a_drug_named_in_the_allergies_matches(drug: str, allergies: str, matched: str) -> None:
    assert allergy_match(drug, allergies) == matched


@pytest.mark.parametrize(
    ("drug", "allergies"),
    [
        ("ondansetron", ""),
        ("ondansetron", "Penicillin (rash)"),
        ("midazolam", "Benzodiazepines"),  # classes are not known: the list is shown instead
        ("ondansetron", "Zofran"),  # nor brand names
        ("lorazepam", "Latex"),
        ("clonidine", "clon"),  # a short fragment is not a drug's name
        ("ondansetron", "ondansetronic"),  # a longer word is not the drug
        ("other", "other"),  # "other" is not a drug name
        ("ondansetron HCl", "HCl"),  # a salt alone names no drug
    ],
)
def test_what_does_not_match(drug: str, allergies: str) -> None:
    assert allergy_match(drug, allergies) is None


def test_the_override_reason_is_required_only_when_the_drug_matches() -> None:
    assert allergy_override("midazolam", "Ondansetron (rash)", "") == ""
    assert allergy_override("midazolam", "Ondansetron (rash)", "a stray reason") == ""
    with pytest.raises(AllergyConflict) as refused:
        allergy_override("ondansetron", "Ondansetron (rash)", "  ")
    assert refused.value.field == "allergy_override_reason"
    assert refused.value.matched == "Ondansetron (rash)"
    assert str(refused.value) == (
        "ondansetron appears in the patient's allergies (“Ondansetron (rash)”): give the "
        "reason for giving it anyway, or go back"
    )
    reason = " Rash only; physician ordered, benefit outweighs "
    assert allergy_override("ondansetron", "Ondansetron (rash)", reason) == reason.strip()


def test_validation_asks_for_the_override_after_the_fields_are_valid() -> None:
    choices = ClinicSettings().medication_choices
    kw = dict(now=T0 + timedelta(minutes=5), checked_in_at=T0, allergies="ondansetron (rash)")
    with pytest.raises(ValidationErrors) as refused:  # the dose first, then the allergy
        validate_medication(MedicationDraft("ondansetron", 0, "mg", "IV"), choices, **kw)
    assert list(refused.value.errors) == ["dose"]
    with pytest.raises(AllergyConflict):
        validate_medication(MedicationDraft("ondansetron", 4, "mg", "IV"), choices, **kw)
    typed = MedicationDraft("other", 4, "mg", "IV", other_drug="Ondansetron")
    with pytest.raises(AllergyConflict):  # a name typed under Other is checked too
        validate_medication(typed, choices, **kw)
    ok = MedicationDraft("ondansetron", 4, "mg", "IV", allergy_override_reason="MD ordered")
    assert validate_medication(ok, choices, **kw).allergy_override_reason == "MD ordered"
