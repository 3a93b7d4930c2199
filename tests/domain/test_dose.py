"""Dose record arithmetic and its bounds (pure)."""

from __future__ import annotations

import pytest

from ketamon.domain.dose import (
    DoseLimits,
    DoseRecord,
    check_completion,
    check_plan,
    check_witness,
    fmt,
    over_plan_limit,
    planned_mg,
    planned_ml,
    planned_rate,
    require_change_reason,
)
from ketamon.domain.errors import FieldError, ValidationErrors
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.users import Role, User
from tests.conftest import T0

LIMITS = DoseLimits.from_settings(ClinicSettings())


def test_arithmetic_weight_times_dose_over_concentration_over_hours() -> None:
    assert planned_mg(72.5, 0.5) == 36.25
    assert planned_ml(36.25, 10) == 3.62  # 3.625 rounded to 2 decimals (banker's)
    assert planned_rate(4.0, 40) == 6.0  # 4 mL over 40 min = 6 mL/h
    figures = check_plan(80, 0.5, 10, "LOT-1", 40, LIMITS)
    assert (figures.planned_mg, figures.planned_ml, figures.planned_rate_ml_h) == (40, 4, 6)
    assert fmt(36.25, "mg") == "36.25 mg" and fmt(6.0, "mL/h") == "6 mL/h"
    assert fmt(None, "mg") == "—"


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ((19.9, 0.5, 10, "L1"), "weight_kg", "Weight must be 20–350 kg"),
        ((350.1, 0.5, 10, "L1"), "weight_kg", "Weight must be 20–350 kg"),
        ((None, 0.5, 10, "L1"), "weight_kg", "Weight must be a number, 20–350 kg"),
        ((float("nan"), 0.5, 10, "L1"), "weight_kg", "Weight must be a number, 20–350 kg"),
        ((70, float("inf"), 10, "L1"), "mg_per_kg", "Dose must be a number, 0.05–2 mg/kg"),
        ((70, 0.04, 10, "L1"), "mg_per_kg", "Dose must be 0.05–2 mg/kg"),
        ((70, 2.01, 10, "L1"), "mg_per_kg", "Dose must be 0.05–2 mg/kg"),
        ((70, 0.5, 0.09, "L1"), "concentration_mg_ml", "Concentration must be 0.1–100 mg/mL"),
        ((70, 0.5, 101, "L1"), "concentration_mg_ml", "Concentration must be 0.1–100 mg/mL"),
        ((70, 0.5, 10, "  "), "lot_number", "Lot number is required (as printed on the vial)"),
    ],
)
def test_each_plan_bound_names_its_field_and_range(args, field, message) -> None:
    with pytest.raises(ValidationErrors) as refused:
        check_plan(*args, 40, LIMITS)
    assert refused.value.errors == {field: message}


def test_plan_bounds_are_inclusive_and_follow_the_settings() -> None:
    check_plan(20, 0.05, 0.1, "L", 40, LIMITS)
    check_plan(350, 2.0, 100, "L", 40, LIMITS)
    strict = DoseLimits((0.1, 1.0), (1.0, 50.0), 5)
    with pytest.raises(ValidationErrors) as refused:
        check_plan(70, 1.5, 60, "L", 40, strict)
    assert refused.value.errors == {
        "mg_per_kg": "Dose must be 0.1–1 mg/kg",
        "concentration_mg_ml": "Concentration must be 1–50 mg/mL",
    }


def test_over_plan_needs_a_reason_beyond_the_allowance() -> None:
    assert over_plan_limit(40, LIMITS) == 44
    check_completion(40, 44, 0, "", LIMITS)  # at the allowance: fine
    with pytest.raises(ValidationErrors) as refused:
        check_completion(40, 44.5, 0, "", LIMITS)
    assert "over_plan_reason" in refused.value.errors
    assert "more than 10% above the planned 40 mg" in refused.value.errors["over_plan_reason"]
    check_completion(40, 44.5, 0, "Pump primed twice", LIMITS)


@pytest.mark.parametrize(
    ("actual", "wasted", "field"),
    [
        (-1, 0, "actual_mg"),
        (None, 0, "actual_mg"),
        (121, 0, "actual_mg"),
        (30, -0.1, "wasted_mg"),
        (30, float("nan"), "wasted_mg"),  # once stored as NULL, 'nan' on the trail
        (30, float("inf"), "wasted_mg"),
        (float("nan"), 0, "actual_mg"),
        pytest.param(30, 10**5000, "wasted_mg", id="huge-int"),
    ],
)
def test_implausible_amounts_are_refused(actual, wasted, field) -> None:
    with pytest.raises(ValidationErrors) as refused:
        check_completion(40, actual, wasted, "reason", LIMITS)
    assert list(refused.value.errors) == [field]


def _user(name: str, *, active: bool = True) -> User:
    return User(1, name, name.title(), "RN", frozenset({Role.NURSE}), active)


def test_witness_must_be_another_active_user() -> None:
    assert check_witness(_user("nurse.kim"), "nurse.jo").username == "nurse.kim"
    with pytest.raises(FieldError, match="someone other than you"):
        check_witness(_user("nurse.jo"), "nurse.jo")
    with pytest.raises(FieldError, match="active user"):
        check_witness(_user("nurse.kim", active=False), "nurse.jo")
    with pytest.raises(FieldError, match="active user"):
        check_witness(None, "nurse.jo")


def test_changes_after_completion_need_a_reason() -> None:
    plan = DoseRecord(1, 70, 0.5, 35, 10, 5.25, "L", "nurse.jo", T0)
    assert plan.planned_ml == 3.5 and not plan.completed
    require_change_reason(plan, "")  # not completed: no reason needed
    require_change_reason(None, "")
    done = DoseRecord(1, 70, 0.5, 35, 10, 5.25, "L", "nurse.jo", T0, 35, 0, "", "b", "a", T0)
    with pytest.raises(FieldError, match="a reason is required"):
        require_change_reason(done, " ")
    require_change_reason(done, "Weight typed wrong")


def test_a_figure_is_shown_as_stored_never_rounded_to_one_decimal():
    """0.25 mg wasted is printed 0.25 mg (it once read "0.2 mg" beside "Wasted 0.25 mg")."""
    assert fmt(0.25, "mg") == "0.25 mg"
    assert fmt(36.0, "mg") == "36 mg"
    assert fmt(14.4, "mL/h") == "14.4 mL/h"
    assert fmt(None, "mg") == "—"
