"""PatientService.search ranks what it finds (the rule: ketamon.domain.patients): "ros"
finds the Rossis before Hiroshi Chen, on both backends, and a limit keeps the best."""

from __future__ import annotations

import pytest

from ketamon.storage.reads.patients import SEARCH_CANDIDATES
from tests.conftest import NURSE, draft

pytestmark = pytest.mark.both_backends

PEOPLE = [
    ("KM-1001", "Hiroshi Chen"),
    ("KM-1002", "Maria Rossi"),
    ("KM-1003", "Luca Rossi"),
    ("KM-1004", "Rosa Delgado"),
    ("ROS-77", "Ambrose Fall"),
    ("KM-1005", "Ann Rosenberg-Lee"),
]


@pytest.fixture
def people(clinic):
    for mrn, name in PEOPLE:
        clinic.patients.register(NURSE, draft(mrn, name))
    return clinic


def names(found) -> list[str]:
    return [p.full_name for p in found]


def test_ros_finds_name_prefixes_then_the_mrn_then_the_substring(people):
    assert names(people.patients.search("ros")) == [
        "Rosa Delgado",
        "Ann Rosenberg-Lee",
        "Luca Rossi",
        "Maria Rossi",
        "Ambrose Fall",  # MRN ROS-77
        "Hiroshi Chen",  # only inside "Hiroshi"
    ]
    assert names(people.patients.search("ROS", limit=2)) == ["Rosa Delgado", "Ann Rosenberg-Lee"]


def test_several_words_rank_by_the_weakest(people):
    assert names(people.patients.search("rossi ma")) == ["Maria Rossi"]
    assert names(people.patients.search("ros hi")) == ["Hiroshi Chen"]  # substring only
    assert names(people.patients.search("lee ros")) == ["Ann Rosenberg-Lee"]  # after a hyphen


def test_a_limit_keeps_the_prefix_matches_even_when_many_names_contain_the_text(clinic):
    # Registered first and sorted first by name: forty "Aros…" that only contain "ros".
    for i in range(40):
        clinic.patients.register(NURSE, draft(f"A-{i:03}", f"Aaron Aros{i:03}"))
    clinic.patients.register(NURSE, draft("Z-1", "Zoe Ross"))
    found = clinic.patients.search("ros", limit=5)
    assert names(found)[0] == "Zoe Ross"
    assert len(found) == 5
    assert SEARCH_CANDIDATES >= 25  # the default limit is always filled from candidates
