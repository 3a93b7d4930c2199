"""The tile's vitals lines: due / OVERDUE (amber, then red) and the red-values alert."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ketamon.domain.board import TileLevel, red_alert_text, tile_view
from ketamon.domain.news2 import News2, default_chart, score
from ketamon.domain.sessions import EventKind
from ketamon.domain.vitals import (
    Grade,
    VitalPhase,
    VitalsDraft,
    VitalsSet,
    default_bands,
    grade_set,
)
from tests.domain.test_board import CHAIR, SETTINGS, START, at, snapshot


@dataclass(frozen=True)
class Summary:
    taken: tuple[datetime, ...] = ()
    unacknowledged_red: tuple[VitalsSet, ...] = ()
    latest_news2: News2 | None = None


NORMAL = VitalsDraft(systolic=124, diastolic=78, heart_rate=72, spo2=98, resp_rate=14)


def a_set(set_id: int = 1, minute: float = 0, **values) -> VitalsSet:
    draft = replace(NORMAL, **values)
    return VitalsSet(
        id=set_id,
        session_id=7,
        taken_at=at(minute),
        phase=VitalPhase.INFUSION,
        values=draft,
        entered_by="nurse.jo",
        grades=grade_set(draft, default_bands()),
    )


RUNNING = snapshot(START)
BASELINE_TAKEN = Summary(taken=(at(0),))


def test_without_a_summary_the_tile_has_no_vitals_line() -> None:
    view = tile_view(CHAIR, RUNNING, SETTINGS, at(10))
    assert view.vitals_text == "" and view.alert_text == "" and view.red_set_ids == ()


def test_due_in_counts_down_to_the_next_point() -> None:
    view = tile_view(CHAIR, RUNNING, SETTINGS, at(10, 48), BASELINE_TAKEN)
    assert view.vitals_text == "Vitals due in 04:12 (15 min)"
    assert view.vitals_grade is Grade.NORMAL


def test_overdue_is_amber_then_red_after_the_setting() -> None:
    amber = tile_view(CHAIR, RUNNING, SETTINGS, at(17, 10), BASELINE_TAKEN)
    assert amber.vitals_text == "Vitals OVERDUE 02:10 (15 min)"
    assert amber.vitals_grade is Grade.AMBER
    edge = tile_view(CHAIR, RUNNING, SETTINGS, at(20), BASELINE_TAKEN)
    assert edge.vitals_grade is Grade.AMBER  # exactly 5 minutes: not yet red
    red = tile_view(CHAIR, RUNNING, SETTINGS, at(20, 1), BASELINE_TAKEN)
    assert red.vitals_text == "Vitals OVERDUE 05:01 (15 min)"
    assert red.vitals_grade is Grade.RED
    stricter = replace(SETTINGS, vitals_red_overdue_minutes=2)
    assert tile_view(CHAIR, RUNNING, stricter, at(17, 10), BASELINE_TAKEN).vitals_grade is (
        Grade.RED
    )


def test_a_set_taken_answers_its_point_and_the_next_one_counts() -> None:
    taken = Summary(taken=(at(0), at(14)))
    view = tile_view(CHAIR, RUNNING, SETTINGS, at(20), taken)
    assert view.vitals_text == "Vitals due in 10:00 (30 min)"
    assert view.vitals_grade is Grade.NORMAL


def test_checked_in_shows_the_baseline_due_then_recorded() -> None:
    waiting = snapshot()
    view = tile_view(CHAIR, waiting, SETTINGS, at(4), Summary())
    assert view.level is TileLevel.WAITING
    assert view.vitals_text == "Vitals due in 06:00 (baseline)"
    late = tile_view(CHAIR, waiting, SETTINGS, at(16), Summary())
    assert late.vitals_text == "Vitals OVERDUE 06:00 (baseline)"
    assert late.vitals_grade is Grade.RED
    done = tile_view(CHAIR, waiting, SETTINGS, at(16), Summary(taken=(at(3),)))
    assert done.vitals_text == "Baseline vitals recorded"
    assert done.vitals_grade is Grade.NORMAL


def test_recovery_due_counts_from_infusion_end() -> None:
    recovery = snapshot(START, (EventKind.STOP, 40))
    taken = Summary(taken=(at(0), at(15), at(30), at(40)))
    view = tile_view(CHAIR, recovery, SETTINGS, at(50), taken)
    assert view.vitals_text == "Vitals due in 05:00 (recovery 15 min)"


def test_red_values_named_in_words_with_the_action() -> None:
    red = a_set(3, 12, systolic=185, diastolic=100, spo2=89)
    view = tile_view(
        CHAIR, RUNNING, SETTINGS, at(13), Summary(taken=(at(0), at(12)), unacknowledged_red=(red,))
    )
    assert view.alert_text == "RED VITALS: BP 185/100, SpO2 89% — acknowledge (A)"
    assert view.red_set_ids == (3,)


def test_red_alert_names_every_red_measure_and_newest_set_first() -> None:
    older = a_set(1, 5, heart_rate=135, resp_rate=26, temperature=34.8)
    newer = a_set(2, 10, pain=8, sedation=1, diastolic=112)
    assert red_alert_text([older, newer]) == (
        "RED VITALS: BP 124/112, Pain 8/10, MOAA/S 1; HR 135, RR 26, Temp 34.8 °C — acknowledge (A)"
    )
    assert red_alert_text([]) == ""


def test_many_red_sets_are_counted_not_all_named() -> None:
    sets = [a_set(i, i, spo2=80 + i) for i in range(1, 6)]
    text = red_alert_text(sets)
    assert text.startswith("RED VITALS: SpO2 85%; SpO2 84%; SpO2 83%; +2 earlier sets")


def test_empty_chair_has_no_vitals_even_with_a_summary() -> None:
    view = tile_view(CHAIR, None, SETTINGS, at(0), Summary(taken=(at(0),)))
    assert view.vitals_text == "" and view.alert_text == ""


def test_tile_shows_the_news2_response_in_words_when_medium_or_high() -> None:
    values = dict(resp_rate=22, heart_rate=115, spo2=95, systolic=120, temperature=36.8, sedation=5)
    medium = score(default_chart(), values)  # 2 + 2 + 1 = 5
    view = tile_view(CHAIR, RUNNING, SETTINGS, at(13), Summary((at(0), at(12)), (), medium))
    assert view.vitals_text.startswith("NEWS2 5 (medium: urgent response) · ")
    assert view.vitals_grade is Grade.AMBER
    high = score(default_chart(), values, oxygen=True)  # 7
    view = tile_view(CHAIR, RUNNING, SETTINGS, at(13), Summary((at(0), at(12)), (), high))
    assert view.vitals_text.startswith("NEWS2 7 (high: emergency response)")
    assert view.vitals_grade is Grade.RED
    low = score(default_chart(), dict(values, resp_rate=16))  # 3: low, not on the tile
    view = tile_view(CHAIR, RUNNING, SETTINGS, at(13), Summary((at(0), at(12)), (), low))
    assert "NEWS2" not in view.vitals_text
