"""Vitals: parsing, plausibility, grading at every band edge, and the due schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamon.domain.errors import ValidationErrors
from ketamon.domain.sessions import EventKind, Phase, SessionEvent
from ketamon.domain.timers import derive_times
from ketamon.domain.vitals import (
    MEASURES,
    Band,
    Grade,
    VitalPhase,
    VitalsDraft,
    VitalsSet,
    check_start,
    default_bands,
    grade_set,
    parse_vitals,
)
from ketamon.domain.vitals_due import VitalsSchedule, vitals_due

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
CORE = {"bp": "128/84", "heart_rate": "72", "spo2": "98", "resp_rate": "14"}


def test_bp_typed_as_one_field():
    draft = parse_vitals(CORE)
    assert (draft.systolic, draft.diastolic, draft.heart_rate, draft.spo2, draft.resp_rate) == (
        128,
        84,
        72,
        98,
        14,
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"bp": "310/80"}, "bp", "Systolic BP must be 40–300 mmHg"),
        ({"bp": "120/130"}, "bp", "Diastolic BP must be below systolic"),
        ({"bp": "120"}, "bp", "Blood pressure: type systolic/diastolic, e.g. 128/84"),
        ({"heart_rate": "19"}, "heart_rate", "Heart rate must be 20–300 /min"),
        ({"spo2": "101"}, "spo2", "SpO2 must be 50–100%"),
        ({"resp_rate": "61"}, "resp_rate", "Respiratory rate must be 0–60 /min"),
        ({"resp_rate": "12.5"}, "resp_rate", "Respiratory rate must be a whole number"),
        ({"temperature": "45.1"}, "temperature", "Temperature must be 30–45 °C"),
        ({"pain": "11"}, "pain", "Pain must be 0–10"),
        ({"sedation": "6"}, "sedation", "MOAA/S must be 0–5"),
        ({"dissociation": "4"}, "dissociation", "Dissociation must be 0–3"),
        ({"dissociation": "-1"}, "dissociation", "Dissociation must be 0–3"),
        ({"dissociation": "1.5"}, "dissociation", "Dissociation must be a whole number"),
        ({"cadss": "93"}, "cadss", "CADSS total must be 0–92"),
        ({"cadss": "-1"}, "cadss", "CADSS total must be 0–92"),
        ({"heart_rate": ""}, "heart_rate", "Heart rate is required"),
        # Not a number at all: said so, with the range as a hint (not "must be 20–300").
        ({"heart_rate": "abc"}, "heart_rate", "Heart rate must be a number (20–300 /min)"),
        ({"heart_rate": "7o"}, "heart_rate", "Heart rate must be a number (20–300 /min)"),
        ({"spo2": "nan"}, "spo2", "SpO2 must be a number (50–100%)"),
        ({"bp": "abc/80"}, "bp", "Systolic BP must be a number (40–300 mmHg)"),
        ({"pain": "inf"}, "pain", "Pain must be a number (0–10)"),
        ({"temperature": "warm"}, "temperature", "Temperature must be a number (30–45 °C)"),
    ],
)
def test_impossible_values_are_refused_at_their_field(fields, field, message):
    with pytest.raises(ValidationErrors) as refused:
        parse_vitals(CORE | fields)
    assert refused.value.errors[field] == message


def test_dissociation_and_cadss_edges_are_accepted():
    low = parse_vitals(CORE | {"dissociation": "0", "cadss": "0"})
    high = parse_vitals(CORE | {"dissociation": "3", "cadss": "92"})
    assert (low.dissociation, low.cadss, high.dissociation, high.cadss) == (0, 0, 3, 92)
    assert not high.scores_only


def test_scores_alone_are_a_scores_only_set():
    scores = parse_vitals({"bp": "", "heart_rate": "", "sedation": "2", "dissociation": "1"})
    assert (scores.sedation, scores.dissociation, scores.systolic) == (2, 1, None)
    assert scores.scores_only
    assert parse_vitals({"cadss": "14"}).scores_only
    grades = grade_set(scores, default_bands())
    assert grades == {"sedation": Grade.AMBER}  # MOAA/S 2: amber like any flag


def test_a_set_with_only_bp_still_needs_the_other_vitals():
    for extra in ({}, {"sedation": "4"}):
        with pytest.raises(ValidationErrors) as refused:
            parse_vitals({"bp": "128/84", **extra})
        assert refused.value.errors == {
            "heart_rate": "Heart rate is required",
            "spo2": "SpO2 is required",
            "resp_rate": "Respiratory rate is required",
        }
    with pytest.raises(ValidationErrors) as nothing:
        parse_vitals({"bp": "", "note": "asleep"})
    assert nothing.value.errors["bp"] == "Systolic BP is required"


def test_scores_only_sets_are_not_a_baseline_for_the_start_check():
    def a_set(values):
        return VitalsSet(1, 1, T0, VitalPhase.BASELINE, values, "nurse.jo")

    scores = a_set(VitalsDraft(sedation=5))
    check = check_start([scores], T0, warning_bp=(150, 95), max_age_minutes=30)
    assert check.missing_baseline
    full = a_set(VitalsDraft(128, 84, 72, 98, 14, sedation=5))
    assert check_start([scores, full], T0, warning_bp=(150, 95), max_age_minutes=30).clear


def test_temperature_keeps_one_decimal_and_accepts_a_comma():
    assert parse_vitals(CORE | {"temperature": "36,75"}).temperature == 36.8


@given(st.dictionaries(st.sampled_from(["bp", *MEASURES, "note"]), st.text(max_size=12)))
def test_no_input_crashes_and_nothing_impossible_is_accepted(fields):
    try:
        draft = parse_vitals(fields, require_core=False)
    except ValidationErrors as refused:
        assert refused.errors and all(isinstance(m, str) and m for m in refused.errors.values())
        return
    for key, value in draft.values().items():
        if value is not None:
            measure = MEASURES[key]
            assert measure.low <= value <= measure.high
    if draft.systolic is not None and draft.diastolic is not None:
        assert draft.diastolic < draft.systolic


BANDS = default_bands()


@pytest.mark.parametrize(
    ("key", "value", "grade"),
    [
        ("systolic", 180, Grade.RED),
        ("systolic", 179, Grade.AMBER),
        ("systolic", 160, Grade.AMBER),
        ("systolic", 159, Grade.NORMAL),
        ("systolic", 111, Grade.NORMAL),
        ("systolic", 110, Grade.AMBER),  # NEWS2 1 point
        ("systolic", 101, Grade.AMBER),
        ("systolic", 100, Grade.AMBER),
        ("systolic", 91, Grade.AMBER),
        ("systolic", 90, Grade.RED),
        ("systolic", 219, Grade.RED),  # the clinic's hypertension band (≥ 180) on top
        ("systolic", 220, Grade.RED),
        ("diastolic", 99, Grade.NORMAL),
        ("diastolic", 100, Grade.AMBER),
        ("diastolic", 109, Grade.AMBER),
        ("diastolic", 110, Grade.RED),
        ("heart_rate", 40, Grade.RED),
        ("heart_rate", 41, Grade.AMBER),
        ("heart_rate", 50, Grade.AMBER),
        ("heart_rate", 51, Grade.NORMAL),
        ("heart_rate", 90, Grade.NORMAL),
        ("heart_rate", 91, Grade.AMBER),  # NEWS2 1 point
        ("heart_rate", 110, Grade.AMBER),
        ("heart_rate", 111, Grade.AMBER),
        ("heart_rate", 130, Grade.AMBER),
        ("heart_rate", 131, Grade.RED),
        ("spo2", 96, Grade.NORMAL),
        ("spo2", 95, Grade.AMBER),  # NEWS2 1 point
        ("spo2", 94, Grade.AMBER),
        ("spo2", 93, Grade.AMBER),
        ("spo2", 92, Grade.AMBER),
        ("spo2", 91, Grade.RED),
        ("resp_rate", 8, Grade.RED),
        ("resp_rate", 9, Grade.AMBER),
        ("resp_rate", 11, Grade.AMBER),
        ("resp_rate", 12, Grade.NORMAL),
        ("resp_rate", 20, Grade.NORMAL),
        ("resp_rate", 21, Grade.AMBER),
        ("resp_rate", 24, Grade.AMBER),
        ("resp_rate", 25, Grade.RED),
        ("temperature", 35.0, Grade.RED),
        ("temperature", 35.1, Grade.AMBER),
        ("temperature", 36.0, Grade.AMBER),
        ("temperature", 36.1, Grade.NORMAL),
        ("temperature", 38.0, Grade.NORMAL),
        ("temperature", 38.1, Grade.AMBER),
        ("temperature", 39.0, Grade.AMBER),
        ("temperature", 39.1, Grade.AMBER),  # NEWS2 2 points: AMBER like every 2
        ("temperature", 41.0, Grade.AMBER),
        ("pain", 3, Grade.NORMAL),
        ("pain", 4, Grade.AMBER),
        ("pain", 6, Grade.AMBER),
        ("pain", 7, Grade.RED),
        ("sedation", 5, Grade.NORMAL),
        ("sedation", 4, Grade.NORMAL),
        ("sedation", 3, Grade.AMBER),
        ("sedation", 2, Grade.AMBER),
        ("sedation", 1, Grade.RED),
    ],
)
def test_grades_at_every_band_edge(key, value, grade):
    assert BANDS[key].grade(value) is grade


def test_a_clinic_band_changes_the_grade():
    assert Band(amber_high=150, red_high=170).grade(155) is Grade.AMBER


# -- due schedule -----------------------------------------------------------------------------
SCHEDULE = VitalsSchedule()


def times_of(*events):
    evs = [SessionEvent(EventKind.CHECK_IN, T0, "n")]
    evs += [SessionEvent(kind, T0 + timedelta(minutes=m), "n", "r") for kind, m in events]
    return derive_times(evs)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_baseline_is_due_after_check_in_then_satisfied():
    times = times_of()
    due = vitals_due(times, Phase.CHECKED_IN, [], SCHEDULE, at(6))
    assert due.text == "Vitals due in 04:00 · baseline" and due.grade is Grade.NORMAL
    due = vitals_due(times, Phase.CHECKED_IN, [], SCHEDULE, at(12))
    assert due.text == "Vitals late 02:00 · baseline" and due.grade is Grade.AMBER
    assert vitals_due(times, Phase.CHECKED_IN, [], SCHEDULE, at(16)).grade is Grade.RED
    assert vitals_due(times, Phase.CHECKED_IN, [at(3)], SCHEDULE, at(16)) is None


def test_every_15_minutes_during_the_infusion_with_early_allowance():
    times = times_of((EventKind.START, 10))
    taken = [at(5)]  # baseline
    due = vitals_due(times, Phase.INFUSING, taken, SCHEDULE, at(20))
    assert due.text == "Vitals due in 05:00 · every 15 min"
    taken.append(at(22))  # 3 minutes early: counts for the 15-minute point
    due = vitals_due(times, Phase.INFUSING, taken, SCHEDULE, at(30))
    assert due.text == "Vitals due in 10:00 · every 15 min"
    due = vitals_due(times, Phase.INFUSING, taken, SCHEDULE, at(47))
    assert due.text == "VITALS OVERDUE 07:00 · every 15 min" and due.grade is Grade.RED


def test_the_40_minute_mark_follows_infusion_time_across_a_pause():
    # Started at 0, paused 20–30: 40 minutes of infusion are reached at wall minute 50.
    # The 45-minute point is within 5 minutes of it, so one set at about 50 answers both.
    times = times_of((EventKind.START, 0), (EventKind.PAUSE, 20), (EventKind.RESUME, 30))
    taken = [at(15), at(30)]
    due = vitals_due(times, Phase.INFUSING, taken, SCHEDULE, at(48))
    assert due.text == "Vitals due in 02:00 · at 40 min of infusion"
    due = vitals_due(times, Phase.INFUSING, [*taken, at(49)], SCHEDULE, at(52))
    assert due.text == "Vitals due in 08:00 · every 15 min"
    # While paused the schedule keeps running in wall time (the patient is still watched).
    paused = times_of((EventKind.START, 0), (EventKind.PAUSE, 20))
    due = vitals_due(paused, Phase.INFUSING, [at(15)], SCHEDULE, at(33))
    assert due.text == "Vitals late 03:00 · every 15 min"


def test_infusion_end_then_recovery_every_15_minutes():
    times = times_of((EventKind.START, 0), (EventKind.STOP, 41))
    taken = [at(15), at(30), at(40)]  # the 40-minute set also answers the end at 41
    due = vitals_due(times, Phase.RECOVERY, taken, SCHEDULE, at(50))
    assert due.text == "Vitals due in 06:00 · recovery, every 15 min"
    assert vitals_due(times, Phase.DISCHARGED, taken, SCHEDULE, at(200)) is None


def test_the_set_at_an_early_stop_is_due_now_for_a_while_not_late_at_once():
    """Found by a walk-through: "Vitals late 00:02 · at infusion end" two seconds after
    the stop (no one could take that set before the stop was decided). It is due now for
    the early allowance (5 min), then late, then overdue."""
    times = times_of((EventKind.START, 0), (EventKind.STOP, 22))  # stopped early
    taken = [at(-3), at(15)]
    due = vitals_due(times, Phase.RECOVERY, taken, SCHEDULE, at(22) + timedelta(seconds=2))
    assert due.text == "Vitals due now · at infusion end" and due.grade is Grade.NORMAL
    due = vitals_due(times, Phase.RECOVERY, taken, SCHEDULE, at(27))
    assert due.text == "Vitals due now · at infusion end" and due.grade is Grade.NORMAL
    due = vitals_due(times, Phase.RECOVERY, taken, SCHEDULE, at(29))
    assert due.text == "Vitals late 02:00 · at infusion end" and due.grade is Grade.AMBER
    assert vitals_due(times, Phase.RECOVERY, taken, SCHEDULE, at(33)).grade is Grade.RED
    assert vitals_due(times, Phase.RECOVERY, [*taken, at(23)], SCHEDULE, at(24)).text == (
        "Vitals due in 13:00 · recovery, every 15 min"
    )


def test_a_set_taken_early_moves_the_countdown_to_the_following_point():
    times = times_of((EventKind.START, 0))
    due = vitals_due(times, Phase.INFUSING, [at(-3), at(10)], SCHEDULE, at(10))
    assert due.text == "Vitals due in 20:00 · every 15 min"
    times = times_of((EventKind.START, 0), (EventKind.STOP, 40))
    taken = [at(-3), at(15), at(30), at(40), at(52)]  # the recovery set came 3 minutes early
    due = vitals_due(times, Phase.RECOVERY, taken, SCHEDULE, at(52))
    assert due.text == "Vitals due in 18:00 · before discharge"  # 30 min after the end


def test_one_set_before_discharge_at_the_minimum_observation_time():
    from dataclasses import replace

    times = times_of((EventKind.START, 0), (EventKind.STOP, 40))
    taken = [at(-3), at(15), at(30), at(40), at(55)]
    # Observation of 50 minutes: its own point, between the 15-minute recovery points.
    schedule = replace(SCHEDULE, before_discharge_minutes=50)
    due = vitals_due(times, Phase.RECOVERY, taken, schedule, at(60))
    assert due.text == "Vitals due in 10:00 · recovery, every 15 min"
    due = vitals_due(times, Phase.RECOVERY, [*taken, at(70)], schedule, at(75))
    assert due.text == "Vitals due in 15:00 · before discharge"
    due = vitals_due(times, Phase.RECOVERY, [*taken, at(70), at(90)], schedule, at(92))
    assert due.text == "Vitals due in 08:00 · recovery, every 15 min"  # 45 merged into it


def test_due_words_read_as_an_interval_and_tell_late_from_overdue_without_colour():
    """Issue 16: "(15 min)" after a countdown read as a second countdown; the interval is
    spelled as one, a clinical mark names itself, and amber and red differ in words."""
    from dataclasses import replace

    schedule = replace(SCHEDULE, infusion_every_minutes=10, recovery_every_minutes=20)
    times = times_of((EventKind.START, 0))
    due = vitals_due(times, Phase.INFUSING, [at(-3)], schedule, at(4))
    assert (due.text, due.point.label) == ("Vitals due in 06:00 · every 10 min", "10 min")
    late = vitals_due(times, Phase.INFUSING, [at(-3)], schedule, at(14))
    assert late.grade is Grade.AMBER and late.text.startswith("Vitals late 04:00")
    red = vitals_due(times, Phase.INFUSING, [at(-3)], schedule, at(16))
    assert red.grade is Grade.RED and red.text == "VITALS OVERDUE 06:00 · every 10 min"
    assert "OVERDUE" not in late.text and "late" not in red.text
    mark = vitals_due(times, Phase.INFUSING, [at(-3), at(10), at(20), at(30)], schedule, at(36))
    assert (mark.text, mark.point.label) == (
        "Vitals due in 04:00 · at 40 min of infusion",
        "40 min of infusion",
    )
    ended = times_of((EventKind.START, 0), (EventKind.STOP, 40))
    taken = [at(-3), at(10), at(20), at(30), at(40)]
    recovery = vitals_due(ended, Phase.RECOVERY, taken, schedule, at(45))
    assert recovery.text == "Vitals due in 15:00 · recovery, every 20 min"
    assert recovery.point.label == "recovery 20 min"
