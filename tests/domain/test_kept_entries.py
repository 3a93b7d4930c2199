"""After another workstation saved the checklist first, only what this nurse changed goes
back on top of the reloaded answers: theirs (an escort verified, another answer) stay."""

from __future__ import annotations

from ketamon.domain.discharge import DischargeAnswers, Escort, Nausea
from ketamon.domain.discharge_entry import kept_entries

LOADED = DischargeAnswers(oriented=True, escort=Escort("Maria Lopez", "Sister", "555-0100"))


def test_only_the_answers_changed_here_are_put_back_and_named() -> None:
    mine = DischargeAnswers(
        oriented=True, pain=2, escort=Escort("Maria Lopez", "Sister", "555-0199")
    )
    stored = DischargeAnswers(
        oriented=False,
        nausea=Nausea.MINIMAL,
        escort=Escort("Maria Lopez", "Sister", "555-0100", True, "nurse.kim"),
    )
    merged, kept = kept_entries(mine, LOADED, stored)
    assert (merged.oriented, merged.nausea, merged.pain) == (False, Nausea.MINIMAL, 2)
    assert merged.escort == Escort("Maria Lopez", "Sister", "555-0199", True, "nurse.kim")
    assert kept == ("pain", "escort.phone")


def test_an_answer_changed_here_to_what_the_other_saved_is_not_named() -> None:
    mine = DischargeAnswers(oriented=False, escort=LOADED.escort)
    stored = DischargeAnswers(oriented=False, escort=LOADED.escort)
    merged, kept = kept_entries(mine, LOADED, stored)
    assert merged == stored and kept == ()


def test_unticking_the_escort_here_is_put_back() -> None:
    loaded = DischargeAnswers(escort=Escort("Maria Lopez", "Sister", "555-0100", True, "jo"))
    mine = DischargeAnswers(escort=Escort("Maria Lopez", "Sister", "555-0100", False, ""))
    stored = DischargeAnswers(
        oriented=True, escort=Escort("Maria Lopez", "Sister", "555-0100", True, "jo")
    )
    merged, kept = kept_entries(mine, loaded, stored)
    assert merged.oriented is True and not merged.escort.present_verified
    assert kept == ("escort.present_verified",)
