"""The tile's vitals lines: due / OVERDUE (amber, then red) and the red-values alert."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ketamon.domain.board import TileLevel, ago_text, latest_vitals_text, red_alert_text, tile_view
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
    latest: VitalsSet | None = None


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
    assert view.vitals_text == "Vitals due in 04:12 · every 15 min"
    assert view.vitals_grade is Grade.NORMAL


def test_overdue_is_amber_then_red_after_the_setting() -> None:
    amber = tile_view(CHAIR, RUNNING, SETTINGS, at(17, 10), BASELINE_TAKEN)
    assert amber.vitals_text == "Vitals late 02:10 · every 15 min"
    assert amber.vitals_grade is Grade.AMBER
    edge = tile_view(CHAIR, RUNNING, SETTINGS, at(20), BASELINE_TAKEN)
    assert edge.vitals_grade is Grade.AMBER  # exactly 5 minutes: not yet red
    red = tile_view(CHAIR, RUNNING, SETTINGS, at(20, 1), BASELINE_TAKEN)
    assert red.vitals_text == "VITALS OVERDUE 05:01 · every 15 min"
    assert red.vitals_grade is Grade.RED
    stricter = replace(SETTINGS, vitals_red_overdue_minutes=2)
    assert tile_view(CHAIR, RUNNING, stricter, at(17, 10), BASELINE_TAKEN).vitals_grade is (
        Grade.RED
    )


def test_a_set_taken_answers_its_point_and_the_next_one_counts() -> None:
    taken = Summary(taken=(at(0), at(14)))
    view = tile_view(CHAIR, RUNNING, SETTINGS, at(20), taken)
    assert view.vitals_text == "Vitals due in 10:00 · every 15 min"
    assert view.vitals_grade is Grade.NORMAL


def test_checked_in_shows_the_baseline_due_then_recorded() -> None:
    waiting = snapshot()
    view = tile_view(CHAIR, waiting, SETTINGS, at(4), Summary())
    assert view.level is TileLevel.WAITING
    assert view.vitals_text == "Vitals due in 06:00 · baseline"
    late = tile_view(CHAIR, waiting, SETTINGS, at(16), Summary())
    assert late.vitals_text == "VITALS OVERDUE 06:00 · baseline"
    assert late.vitals_grade is Grade.RED
    done = tile_view(CHAIR, waiting, SETTINGS, at(16), Summary(taken=(at(3),)))
    assert done.vitals_text == "Baseline vitals recorded"
    assert done.vitals_grade is Grade.NORMAL


def test_recovery_due_counts_from_infusion_end() -> None:
    recovery = snapshot(START, (EventKind.STOP, 40))
    taken = Summary(taken=(at(0), at(15), at(30), at(40)))
    view = tile_view(CHAIR, recovery, SETTINGS, at(50), taken)
    assert view.vitals_text == "Vitals due in 05:00 · recovery, every 15 min"


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


def test_the_tile_shows_the_latest_set_graded_in_words_and_how_long_ago() -> None:
    latest = a_set(4, 12, systolic=165, diastolic=98, heart_rate=118, spo2=97)
    summary = Summary(taken=(at(0), at(12)), latest=latest)
    view = tile_view(CHAIR, RUNNING, SETTINGS, at(16, 30), summary)
    assert view.latest_text == "4 min ago: BP 165/98 AMBER · HR 118 AMBER · SpO2 97%"
    assert view.latest_grade is Grade.AMBER
    assert view.alert_text == ""  # nothing red: no banner, the values are on the line
    assert tile_view(CHAIR, RUNNING, SETTINGS, at(12, 59), summary).latest_text.startswith(
        "just now: "
    )


def test_red_values_stay_on_the_tile_after_the_banner_is_acknowledged() -> None:
    red = a_set(3, 12, systolic=185, diastolic=100, spo2=89, resp_rate=26)
    before = tile_view(
        CHAIR, RUNNING, SETTINGS, at(13), Summary((at(0), at(12)), (red,), None, red)
    )
    assert before.alert_text.startswith("RED VITALS: BP 185/100, SpO2 89%, RR 26")
    acknowledged = replace(red, acknowledged_by="nurse.jo")
    after = tile_view(
        CHAIR, RUNNING, SETTINGS, at(13), Summary((at(0), at(12)), (), None, acknowledged)
    )
    assert after.alert_text == "" and after.red_set_ids == ()
    assert after.latest_text == "1 min ago: BP 185/100 RED · HR 72 · SpO2 89% RED · RR 26 RED"
    assert after.latest_grade is Grade.RED


def test_the_latest_line_names_other_values_only_when_not_normal() -> None:
    calm = a_set(1, 0, temperature=36.8, pain=2, sedation=5)
    assert latest_vitals_text(calm, at(2))[0] == "2 min ago: BP 124/78 · HR 72 · SpO2 98%"
    worried = a_set(2, 0, temperature=38.4, pain=8, sedation=3, resp_rate=22)
    text, grade = latest_vitals_text(worried, at(2))
    assert text == (
        "2 min ago: BP 124/78 · HR 72 · SpO2 98% · RR 22 AMBER · Temp 38.4 °C AMBER · "
        "MOAA/S 3 AMBER · Pain 8/10 RED"
    )
    assert grade is Grade.RED
    assert latest_vitals_text(None, at(2)) == ("", Grade.NORMAL)


def test_scale_2_and_oxygen_are_named_with_the_spo2() -> None:
    on_scale2 = replace(a_set(1, 0, spo2=89, oxygen=True), scale2=True, grades={})
    assert latest_vitals_text(on_scale2, at(3))[0] == (
        "3 min ago: BP 124/78 · HR 72 · SpO2 89% (scale 2) on O2"
    )


def test_how_long_ago_counts_whole_minutes_then_hours() -> None:
    assert [ago_text(timedelta(seconds=s)) for s in (0, 59, 60, 3599, 3600, 4500)] == [
        "just now", "just now", "1 min ago", "59 min ago", "1 h 00 min ago", "1 h 15 min ago",
    ]  # fmt: skip
    assert ago_text(timedelta(seconds=-30)) == "just now"  # a clock a little behind


def test_checked_in_tile_shows_the_baseline_set() -> None:
    base = a_set(1, 3)
    view = tile_view(CHAIR, snapshot(), SETTINGS, at(5), Summary((at(3),), latest=base))
    assert view.latest_text == "2 min ago: BP 124/78 · HR 72 · SpO2 98%"


def test_a_red_set_brings_the_next_check_forward_until_a_set_follows_it() -> None:
    """A red reading is checked again within 5 minutes (setting), not at the next 15-minute
    point; the tile says why; any set taken after it answers the recheck."""
    red = a_set(2, 3, systolic=186, diastolic=112)
    assert red.worst is Grade.RED
    after_red = Summary(taken=(at(0), at(3)), unacknowledged_red=(red,), latest=red)
    view = tile_view(CHAIR, RUNNING, SETTINGS, at(4), after_red)
    assert view.vitals_text == "Vitals due in 04:00 · recheck after red values"
    late = tile_view(CHAIR, RUNNING, SETTINGS, at(8, 30), after_red)
    assert late.vitals_text == "Vitals late 00:30 · recheck after red values"
    assert late.vitals_grade is Grade.AMBER
    overdue = tile_view(CHAIR, RUNNING, SETTINGS, at(13, 1), after_red)
    assert overdue.vitals_text == "VITALS OVERDUE 05:01 · recheck after red values"
    sooner = replace(SETTINGS, vitals_red_recheck_minutes=2)
    assert tile_view(CHAIR, RUNNING, sooner, at(4), after_red).vitals_text == (
        "Vitals due in 01:00 · recheck after red values"
    )
    # The recheck taken (normal now): back to the schedule.
    settled = Summary(taken=(at(0), at(3), at(7)), latest=a_set(3, 7))
    assert tile_view(CHAIR, RUNNING, SETTINGS, at(8), settled).vitals_text == (
        "Vitals due in 07:00 · every 15 min"
    )
    # Still red at the recheck: the next recheck counts from that set.
    again = a_set(3, 7, systolic=184, diastolic=110)
    still = Summary(taken=(at(0), at(3), at(7)), latest=again)
    assert tile_view(CHAIR, RUNNING, SETTINGS, at(8), still).vitals_text == (
        "Vitals due in 04:00 · recheck after red values"
    )


def test_a_scheduled_point_sooner_than_the_recheck_is_shown_first() -> None:
    """Red at 13 min answers the 15-minute point (taken early): the recheck at 18 comes
    first. Red at 29 min with a 10-minute recheck: the 30-minute point comes first, and
    the set taken for it answers the recheck as well."""
    early_red = Summary(taken=(at(0), at(13)), latest=a_set(2, 13, systolic=186, diastolic=112))
    view = tile_view(CHAIR, RUNNING, SETTINGS, at(14), early_red)
    assert view.vitals_text == "Vitals due in 04:00 · recheck after red values"
    late_red = Summary(taken=(at(0), at(29)), latest=a_set(2, 29, systolic=186, diastolic=112))
    slower = replace(SETTINGS, vitals_red_recheck_minutes=10)
    view = tile_view(CHAIR, RUNNING, slower, at(29, 30), late_red)
    assert view.vitals_text == "Vitals due in 00:30 · every 15 min"


def test_a_red_baseline_is_rechecked_before_the_start() -> None:
    waiting = snapshot()
    red = a_set(1, 2, systolic=190, diastolic=115)
    view = tile_view(CHAIR, waiting, SETTINGS, at(3), Summary(taken=(at(2),), latest=red))
    assert view.vitals_text == "Vitals due in 04:00 · recheck after red values"
    fine = tile_view(CHAIR, waiting, SETTINGS, at(3), Summary(taken=(at(2),), latest=a_set(1, 2)))
    assert fine.vitals_text == "Baseline vitals recorded"
