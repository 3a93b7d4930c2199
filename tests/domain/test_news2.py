"""NEWS2 (RCP 2017 chart 1): every band edge of every parameter, the aggregate, the response."""

from __future__ import annotations

import pytest

from ketamon.domain.news2 import Response, default_chart, points, score, spo2_points
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.vitals import Grade, VitalsDraft, default_bands, grade_set, news2_of

CHART = default_chart()

# (parameter, value, NEWS2 points): both sides of every edge of the RCP chart.
EDGES = [
    ("resp_rate", 8, 3), ("resp_rate", 9, 1), ("resp_rate", 11, 1), ("resp_rate", 12, 0),
    ("resp_rate", 20, 0), ("resp_rate", 21, 2), ("resp_rate", 24, 2), ("resp_rate", 25, 3),
    ("spo2", 91, 3), ("spo2", 92, 2), ("spo2", 93, 2), ("spo2", 94, 1), ("spo2", 95, 1),
    ("spo2", 96, 0), ("spo2", 100, 0),
    ("systolic", 90, 3), ("systolic", 91, 2), ("systolic", 100, 2), ("systolic", 101, 1),
    ("systolic", 110, 1), ("systolic", 111, 0), ("systolic", 219, 0), ("systolic", 220, 3),
    ("heart_rate", 40, 3), ("heart_rate", 41, 1), ("heart_rate", 50, 1), ("heart_rate", 51, 0),
    ("heart_rate", 90, 0), ("heart_rate", 91, 1), ("heart_rate", 110, 1),
    ("heart_rate", 111, 2), ("heart_rate", 130, 2), ("heart_rate", 131, 3),
    ("temperature", 35.0, 3), ("temperature", 35.1, 1), ("temperature", 36.0, 1),
    ("temperature", 36.1, 0), ("temperature", 38.0, 0), ("temperature", 38.1, 1),
    ("temperature", 39.0, 1), ("temperature", 39.1, 2), ("temperature", 42.0, 2),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value", "expected"), EDGES)
def test_points_at_every_rcp_band_edge(key, value, expected):
    assert points(CHART, key, value) == expected


@pytest.mark.parametrize(("key", "value", "expected"), EDGES)
def test_grade_follows_the_points_0_normal_1_2_amber_3_red(key, value, expected):
    grade = default_bands()[key].grade(value)
    by_points = (Grade.NORMAL, Grade.AMBER, Grade.AMBER, Grade.RED)[expected]
    if key == "systolic" and value >= 160:  # the infusion room's own hypertension bands
        by_points = max(by_points, Grade.AMBER if value < 180 else Grade.RED)
    assert grade is by_points


# SpO2 scale 2: (value, on oxygen, points)
SCALE2 = [
    (83, False, 3), (84, False, 2), (85, False, 2), (86, False, 1), (87, False, 1),
    (88, False, 0), (92, False, 0), (93, False, 0), (100, False, 0),
    (92, True, 0), (93, True, 1), (94, True, 1), (95, True, 2), (96, True, 2), (97, True, 3),
    (83, True, 3),
]  # fmt: skip


@pytest.mark.parametrize(("value", "oxygen", "expected"), SCALE2)
def test_spo2_scale_2_edges_on_air_and_on_oxygen(value, oxygen, expected):
    assert spo2_points(CHART, value, scale2=True, oxygen=oxygen) == expected


def full(**kw):
    values = dict(resp_rate=16, spo2=98, systolic=120, heart_rate=70, temperature=36.8, sedation=5)
    return values | kw


def test_aggregate_needs_every_parameter():
    values = full()
    values["temperature"] = None
    assert score(CHART, values).total is None
    assert score(CHART, values).words == "NEWS2 incomplete"


def test_consciousness_moaas_5_alert_below_5_three_points():
    assert score(CHART, full(sedation=5)).total == 0
    assert score(CHART, full(sedation=4)).parameter_points["consciousness"] == 3


def test_oxygen_adds_2():
    assert score(CHART, full(), oxygen=True).total == 2
    assert score(CHART, full(), oxygen=False).total == 0


@pytest.mark.parametrize(
    ("values", "oxygen", "total", "response"),
    [
        (full(), False, 0, Response.LOW),
        (full(heart_rate=95, spo2=95), True, 4, Response.LOW),
        (full(resp_rate=8), False, 3, Response.LOW_MEDIUM),  # any single 3
        (full(resp_rate=22, heart_rate=115, spo2=95), False, 5, Response.MEDIUM),
        (full(resp_rate=22, heart_rate=115, spo2=94), True, 7, Response.HIGH),
        (full(sedation=4, heart_rate=111, systolic=105), False, 6, Response.MEDIUM),
    ],
)
def test_rcp_response_thresholds(values, oxygen, total, response):
    news = score(CHART, values, oxygen=oxygen)
    assert news.total == total
    assert news.response is response
    assert news.response.words in news.words


def test_response_in_words():
    assert Response.HIGH.words == "high: emergency response"
    assert Response.LOW_MEDIUM.words == "single 3: urgent ward-based response"


def test_a_set_on_oxygen_scores_through_the_draft():
    draft = VitalsDraft(
        systolic=120, diastolic=80, heart_rate=70, spo2=98, resp_rate=16, temperature=36.8,
        sedation=5, oxygen=True,
    )  # fmt: skip
    assert news2_of(draft).total == 2


def test_the_chart_is_a_clinic_setting():
    chart = default_chart()
    chart["heart_rate"]["high"] = [[100, 1], [111, 2], [131, 3]]
    settings = ClinicSettings.from_stored({"news2_chart": chart})
    assert grade_set(VitalsDraft(heart_rate=95), settings.bands)["heart_rate"] is Grade.NORMAL
    assert grade_set(VitalsDraft(heart_rate=100), settings.bands)["heart_rate"] is Grade.AMBER
    assert news2_of(VitalsDraft(heart_rate=100), settings.news2_chart).parameter_points == {
        "heart_rate": 1,
        "oxygen": 0,
    }
