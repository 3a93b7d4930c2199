"""SpO2 scale 2 grades by its points (0 normal, 1–2 AMBER, 3 RED), on air and on oxygen;
every other value keeps the clinic's bands."""

from __future__ import annotations

import pytest

from ketamon.domain.news2 import default_chart
from ketamon.domain.vitals import (
    Grade,
    VitalsDraft,
    default_bands,
    grade_set,
    news2_of,
    patient_bands,
    points_grade,
    scale2_band,
)

CHART = default_chart()


def spo2_grade(value: int, *, oxygen: bool = False, scale2: bool = True) -> Grade:
    draft = VitalsDraft(systolic=124, diastolic=78, spo2=value, oxygen=oxygen)
    return grade_set(draft, default_bands(), chart=CHART, scale2=scale2)["spo2"]


@pytest.mark.parametrize(
    ("value", "oxygen", "expected"),
    [
        (83, False, Grade.RED), (84, False, Grade.AMBER), (85, False, Grade.AMBER),
        (86, False, Grade.AMBER), (87, False, Grade.AMBER), (88, False, Grade.NORMAL),
        (89, False, Grade.NORMAL), (92, False, Grade.NORMAL), (97, False, Grade.NORMAL),
        (100, False, Grade.NORMAL),
        (92, True, Grade.NORMAL), (93, True, Grade.AMBER), (94, True, Grade.AMBER),
        (95, True, Grade.AMBER), (96, True, Grade.AMBER), (97, True, Grade.RED),
        (100, True, Grade.RED), (83, True, Grade.RED), (87, True, Grade.AMBER),
    ],
)  # fmt: skip
def test_scale_2_edges_grade_by_points(value, oxygen, expected):
    assert spo2_grade(value, oxygen=oxygen) is expected


def test_scale_1_is_unchanged_without_the_option():
    assert spo2_grade(89, scale2=False) is Grade.RED
    assert spo2_grade(95, scale2=False) is Grade.AMBER
    assert spo2_grade(97, oxygen=True, scale2=False) is Grade.NORMAL


def test_other_values_keep_the_clinics_bands_on_scale_2():
    draft = VitalsDraft(systolic=185, diastolic=100, heart_rate=118, spo2=89)
    grades = grade_set(draft, default_bands(), chart=CHART, scale2=True)
    assert grades == {
        "systolic": Grade.RED, "diastolic": Grade.AMBER, "heart_rate": Grade.AMBER,
        "spo2": Grade.NORMAL,
    }  # fmt: skip


def test_news2_of_scores_on_the_patients_scale():
    draft = VitalsDraft(
        systolic=124, diastolic=78, heart_rate=72, spo2=89, resp_rate=14, temperature=36.8,
        sedation=5,
    )  # fmt: skip
    assert news2_of(draft, CHART).total == 3
    assert news2_of(draft, CHART, scale2=True).total == 0


def test_points_grade_and_the_scale_2_band():
    assert [points_grade(p) for p in range(4)] == [
        Grade.NORMAL, Grade.AMBER, Grade.AMBER, Grade.RED,
    ]  # fmt: skip
    air, oxygen = scale2_band(CHART), scale2_band(CHART, oxygen=True)
    assert (air.red_low, air.amber_low, air.amber_high, air.red_high) == (83, 87, None, None)
    assert (oxygen.amber_high, oxygen.red_high) == (93, 97)
    bands = default_bands()
    assert patient_bands(bands, CHART, scale2=False) is bands
    assert patient_bands(bands, CHART, scale2=True)["spo2"] == air
