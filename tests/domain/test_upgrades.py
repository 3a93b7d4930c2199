"""How an upgrade step is named on the start-up window."""

from __future__ import annotations

from ketamon.domain.upgrades import UpgradeStep, step_title


def test_a_step_is_named_by_the_first_clause_of_its_migration() -> None:
    assert step_title("users and audit trail\n\nRevision ID: 0002") == "users and audit trail"
    assert step_title("record versions: a `version` counter on every record") == "record versions"
    assert (
        step_title("vitals: supplemental oxygen when the set was taken (NEWS2: 2 points)")
        == "vitals: supplemental oxygen when the set was taken"
    )
    assert step_title("patient safety: allergy status; more") == "patient safety"
    assert step_title(None) == "" and step_title("  ") == ""


def test_a_long_title_is_cut_at_a_word_with_an_ellipsis() -> None:
    title = step_title("a " * 40)
    assert len(title) <= 61 and title.endswith("…") and not title.endswith(" …")


def test_the_words_say_upgrading_or_creating_and_which_step_of_how_many() -> None:
    step = UpgradeStep(2, 3, "0011", "record versions")
    assert step.words == "Upgrading the clinic's database, step 2 of 3: record versions"
    new = UpgradeStep(1, 12, "0001", "chairs", creating=True)
    assert new.words == "Creating the clinic's database, step 1 of 12: chairs"
