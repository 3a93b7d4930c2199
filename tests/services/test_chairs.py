"""ChairService: the clinic's chairs, their names and order, and retiring one."""

from __future__ import annotations

import pytest

from ketamon.domain.errors import DomainError, FieldError, NotFound
from ketamon.services.clinic import Clinic
from tests.conftest import (
    NURSE,
    ask_questionnaires,
    baseline,
    discharge_ready,
    draft,
    open_clinic,
    plan_dose,
    plan_escort,
)

pytestmark = pytest.mark.both_backends


def names(chairs) -> list[str]:
    return [c.name for c in chairs]


def board_names(clinic: Clinic) -> list[str]:
    return names(clinic.board.get().chairs)


def test_a_new_clinic_gets_the_default_chairs_once(clinic) -> None:
    chairs = clinic.chairs.all()
    assert names(chairs) == [f"Chair {i}" for i in range(1, 7)]
    assert [c.position for c in chairs] == [1, 2, 3, 4, 5, 6]
    assert not any(c.retired for c in chairs)
    assert clinic.chairs.ensure_defaults(NURSE) == chairs  # a second call adds nothing
    assert board_names(clinic) == names(chairs)


def test_the_default_chair_count_is_a_setting(db_url: str, clock) -> None:
    c = open_clinic(db_url, clock)
    try:
        c.settings.update(NURSE, default_chair_count=3)
        assert names(c.chairs.ensure_defaults(NURSE)) == ["Chair 1", "Chair 2", "Chair 3"]
    finally:
        c.close()


def test_add_puts_the_chair_at_the_end(clinic) -> None:
    added = clinic.chairs.add(NURSE, "  Window   recliner ")
    assert added.name == "Window recliner"
    assert added.position == 7
    assert board_names(clinic)[-1] == "Window recliner"


def test_rename_shows_on_the_board(clinic) -> None:
    chair = clinic.chairs.all()[1]
    renamed = clinic.chairs.rename(NURSE, chair.id, "Bay B")
    assert (renamed.id, renamed.name, renamed.position) == (chair.id, "Bay B", chair.position)
    assert board_names(clinic)[1] == "Bay B"


def test_a_chair_may_be_renamed_to_its_own_name_in_another_case(clinic) -> None:
    chair = clinic.chairs.all()[0]
    assert clinic.chairs.rename(NURSE, chair.id, "CHAIR 1").name == "CHAIR 1"


@pytest.mark.parametrize("name", ["Chair 2", "chair 2", "  CHAIR   2 "])
def test_duplicate_names_are_refused(clinic, name: str) -> None:
    with pytest.raises(FieldError) as refused:
        clinic.chairs.add(NURSE, name)
    assert refused.value.field == "name"
    assert "Another chair is already called" in str(refused.value)
    first = clinic.chairs.all()[0]
    with pytest.raises(FieldError, match="Another chair is already called"):
        clinic.chairs.rename(NURSE, first.id, name)
    assert board_names(clinic) == [f"Chair {i}" for i in range(1, 7)]


def test_a_name_with_letters_the_database_does_not_fold_clashes_with_itself(clinic) -> None:
    """The clash is asked with the database's lower() on both sides: with Python's on one
    side, "Sessel Ü" (lowered "sessel ü" by Python, "sessel Ü" by SQLite) missed itself."""
    clinic.chairs.add(NURSE, "Sessel Ü")
    with pytest.raises(FieldError, match="Another chair is already called 'Sessel Ü'"):
        clinic.chairs.add(NURSE, "Sessel Ü")
    with pytest.raises(FieldError, match="Another chair is already called"):
        clinic.chairs.add(NURSE, "SESSEL Ü")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Chair name is required"),
        ("   ", "Chair name is required"),
        ("x" * 65, "at most 64 characters"),
    ],
)
def test_chair_names_must_be_sensible(clinic, name: str, message: str) -> None:
    with pytest.raises(FieldError, match=message) as refused:
        clinic.chairs.add(NURSE, name)
    assert refused.value.field == "name"
    assert len(clinic.chairs.all()) == 6


def test_move_up_and_down(clinic) -> None:
    chairs = clinic.chairs.all()
    third = chairs[2]
    moved = clinic.chairs.move(NURSE, third.id, -1)
    assert names(moved) == ["Chair 1", "Chair 3", "Chair 2", "Chair 4", "Chair 5", "Chair 6"]
    assert [c.position for c in moved] == [1, 2, 3, 4, 5, 6]
    assert board_names(clinic) == names(moved)
    clinic.chairs.move(NURSE, third.id, +1)
    clinic.chairs.move(NURSE, third.id, +1)
    assert board_names(clinic) == ["Chair 1", "Chair 2", "Chair 4", "Chair 3", "Chair 5", "Chair 6"]


def test_moving_past_either_end_changes_nothing(clinic) -> None:
    chairs = clinic.chairs.all()
    clinic.chairs.move(NURSE, chairs[0].id, -1)
    clinic.chairs.move(NURSE, chairs[-1].id, +1)
    assert clinic.chairs.all() == chairs


def test_unknown_chairs_are_not_found(clinic) -> None:
    with pytest.raises(NotFound, match="Chair 999 not found"):
        clinic.chairs.rename(NURSE, 999, "X")
    with pytest.raises(NotFound, match="Chair 999 not found"):
        clinic.chairs.move(NURSE, 999, 1)
    with pytest.raises(NotFound, match="Chair 999 not found"):
        clinic.chairs.retire(NURSE, 999)


def test_a_retired_chair_leaves_the_board_but_keeps_its_history(clinic, clock) -> None:
    chair = clinic.chairs.all()[3]
    ada = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, chair.id, ada.id, 40)
    baseline(clinic, s.id)
    clock.advance(minutes=20)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(minutes=40)
    clinic.sessions.stop(NURSE, s.id)  # at the target
    clock.advance(minutes=30)
    discharge_ready(clinic, s.id)

    retired = clinic.chairs.retire(NURSE, chair.id)
    assert retired.retired
    assert "Chair 4" not in board_names(clinic)
    assert "Chair 4" not in names(clinic.chairs.all())
    everything = clinic.chairs.all(include_retired=True)
    assert [c.retired for c in everything if c.name == "Chair 4"] == [True]
    past = clinic.sessions.get(s.id)
    assert (past.chair_id, past.chair_name, len(past.events)) == (chair.id, "Chair 4", 4)

    with pytest.raises(DomainError, match="That chair is not in use"):
        clinic.sessions.check_in(NURSE, chair.id, ada.id, 40)
    with pytest.raises(DomainError, match="Chair 4 is already retired"):
        clinic.chairs.retire(NURSE, chair.id)
    with pytest.raises(NotFound):
        clinic.chairs.move(NURSE, chair.id, -1)
    # Its name is free again for a new chair.
    assert clinic.chairs.add(NURSE, "Chair 4").name == "Chair 4"


def test_an_occupied_chair_cannot_be_retired(clinic) -> None:
    chair = clinic.chairs.all()[0]
    ada = clinic.patients.register(NURSE, draft())
    clinic.sessions.check_in(NURSE, chair.id, ada.id, 40)
    with pytest.raises(DomainError) as refused:
        clinic.chairs.retire(NURSE, chair.id)
    assert str(refused.value) == "Chair 1 has a patient in it; end that session first"
    assert "Chair 1" in board_names(clinic)
    assert clinic.board.get().sessions[chair.id].patient_name == "Ada Lovelace"
