"""The order of a patient search (ketamon.domain.patients.search_order): a name that
starts with what was typed comes before an MRN that does, before a name that only
contains it; ties by surname, then given names."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ketamon.domain.patients import (
    Patient,
    SearchMatch,
    name_parts,
    search_order,
    search_rank,
    search_words,
)


def patient(pid: int, full_name: str, mrn: str) -> Patient:
    return Patient(pid, mrn, full_name, date(1980, 1, 1), 70.0, "", True, False, 1)


CLINIC = [
    patient(1, "Hiroshi Chen", "KM-1001"),
    patient(2, "Maria Rossi", "KM-1002"),
    patient(3, "Luca Rossi", "KM-1003"),
    patient(4, "Rosa Delgado", "KM-1004"),
    patient(5, "Ann Rosenberg-Lee", "KM-1005"),
    patient(6, "Ambrose Fall", "ROS-77"),
    patient(7, "Kim Lee-Rossiter", "KM-1006"),
]


def names(text: str, patients=CLINIC) -> list[str]:
    return [p.full_name for p in search_order(search_words(text), patients)]


def test_ros_puts_the_rossis_first_and_hiroshi_last():
    assert names("ros") == [
        "Rosa Delgado",  # given-name prefix
        "Kim Lee-Rossiter",  # a surname's second part (after the hyphen)
        "Ann Rosenberg-Lee",  # surname prefix
        "Luca Rossi",  # surname prefix; ties by surname then given name
        "Maria Rossi",
        "Ambrose Fall",  # MRN prefix (ROS-77); "ros" is only inside "Ambrose"
        "Hiroshi Chen",  # only inside the name
    ]


def test_ties_are_by_surname_then_given_name_case_insensitively():
    found = names("a", [patient(1, "bob adams", "X1"), patient(2, "Al Adams", "X2")])
    assert found == ["Al Adams", "bob adams"]


def test_every_word_must_match_and_the_weakest_decides():
    assert search_rank(["ma", "ros"], "Maria Rossi", "KM-1") is SearchMatch.NAME_PREFIX
    assert search_rank(["ari", "ros"], "Maria Rossi", "KM-1") is SearchMatch.SUBSTRING
    assert search_rank(["km-1", "ros"], "Maria Rossi", "KM-1") is SearchMatch.MRN_PREFIX
    assert search_rank(["ma", "chen"], "Maria Rossi", "KM-1") is None
    assert search_rank(["1"], "Maria Rossi", "KM-1") is None  # the MRN by prefix only
    assert search_rank([], "Maria Rossi", "KM-1") is None


def test_upper_and_lower_case_match_alike():
    assert search_rank(["ROS"], "maria rossi", "km-1") is SearchMatch.NAME_PREFIX
    assert search_rank(["km"], "Maria Rossi", "KM-1") is SearchMatch.MRN_PREFIX


def test_name_parts_take_the_last_word_as_the_surname():
    assert name_parts("Maria del Carmen Rossi") == ("Rossi", "Maria del Carmen")
    assert name_parts("Cher") == ("Cher", "")
    assert name_parts("  ") == ("", "")


letters = st.text(alphabet="abcdeinorsx", min_size=1, max_size=7)
full_names = st.lists(letters, min_size=1, max_size=3).map(" ".join)
mrns = st.text(alphabet="abkm-0123", min_size=1, max_size=6)


@given(
    st.lists(st.tuples(full_names, mrns), min_size=1, max_size=12),
    st.text(alphabet="abcdeinorsx", min_size=1, max_size=3),
)
def test_any_prefix_match_ranks_above_every_substring_only_match(people, typed):
    patients = [patient(i, name, mrn) for i, (name, mrn) in enumerate(people)]
    ranks = [search_rank([typed], p.full_name, p.mrn) for p in search_order([typed], patients)]
    assert ranks == sorted(ranks)  # name prefixes, then MRN prefixes, then substrings
    substring_seen = False
    for rank in ranks:
        if rank is SearchMatch.SUBSTRING:
            substring_seen = True
        else:
            assert not substring_seen, ranks  # no prefix match after a substring-only one
    expected = {
        p.id
        for p in patients
        if typed in p.full_name.casefold() or p.mrn.casefold().startswith(typed)
    }
    assert {p.id for p in search_order([typed], patients)} == expected  # none lost, none added
