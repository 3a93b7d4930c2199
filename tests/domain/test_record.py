"""The combined record: timeline wording and order, chart markers, unknown event kinds."""

from __future__ import annotations

from datetime import timedelta

from ketamon.domain.record import (
    Change,
    DoseIn,
    EntryKind,
    EventIn,
    MedicationIn,
    SideEffectIn,
    build_markers,
    build_timeline,
    event_label,
)
from tests.conftest import T0


def at(minutes: float):
    return T0 + timedelta(minutes=minutes)


EVENTS = (
    EventIn("check_in", at(0), "nurse.jo"),
    EventIn("start", at(5), "nurse.jo"),
    EventIn("rate_change", at(12), "nurse.al", "Patient anxious", rate_ml_h=60),
    EventIn("pause", at(20), "nurse.al", "BP 182/104"),
    EventIn("resume", at(24), "nurse.jo"),
    EventIn("stop", at(45), "nurse.jo"),
)
NAUSEA = SideEffectIn(7, "Nausea", at(15), "moderate", "nurse.al", resolved_at=at(40), note="pale")
HEADACHE = SideEffectIn(8, "Headache", at(16), "mild", "nurse.al", status="voided")
ONDANSETRON = MedicationIn(3, "Ondansetron", 4, "mg", "IV", at(17), "nurse.al", for_effect="Nausea")
VOIDED_MED = MedicationIn(4, "Midazolam", 1, "mg", "IV", at(18), "nurse.al", status="voided")
CHANGES = (
    Change("side_effect", 7, "severity", "severe", at(18), "nurse.jo", old="moderate"),
    Change("side_effect", 7, "resolved_at", "x", at(41), "nurse.jo"),
    Change("side_effect", 8, "status", "voided", at(19), "nurse.jo", "Wrong patient"),
    Change("medication_given", 4, "status", "voided", at(21), "dr.kim", "Entered twice"),
)


def timeline():
    return build_timeline(
        EVENTS,
        (NAUSEA, HEADACHE),
        (ONDANSETRON, VOIDED_MED),
        DoseIn(at(2), "nurse.jo", 36, 0.5, 72, 1.0, 72, lot_number="L42"),
        CHANGES,
    )


def test_timeline_has_every_item_in_time_order_with_who():
    rows = [(e.at, e.text, e.actor) for e in timeline()]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert (at(12), "Infusion rate changed to 60 mL/h", "nurse.al") in rows
    assert (at(20), "Infusion paused", "nurse.al") in rows
    assert (at(15), "Side effect began: Nausea (moderate)", "nurse.al") in rows
    assert (at(18), "Side effect Nausea: severity now SEVERE", "nurse.jo") in rows
    assert (at(40), "Side effect resolved: Nausea", "nurse.jo") in rows
    assert (at(17), "Medication given: Ondansetron 4 mg IV (for Nausea)", "nurse.al") in rows
    assert (
        at(2),
        "Dose planned: 36 mg (0.5 mg/kg × 72 kg), 1 mg/ml at 72 mL/h, lot L42",
        "nurse.jo",
    ) in rows


def test_reasons_and_voids_are_kept():
    entries = {e.text: e for e in timeline()}
    assert entries["Infusion paused"].reason == "BP 182/104"
    assert entries["Infusion rate changed to 60 mL/h"].reason == "Patient anxious"
    void = entries["Side effect VOIDED: Headache"]
    assert (void.at, void.actor, void.reason, void.voided) == (
        at(19),
        "nurse.jo",
        "Wrong patient",
        True,
    )
    med_void = entries["Medication VOIDED: Midazolam 1 mg IV"]
    assert (med_void.at, med_void.actor, med_void.reason) == (at(21), "dr.kim", "Entered twice")
    assert entries["Medication given: Midazolam 1 mg IV"].voided
    assert entries["Side effect began: Nausea (moderate)"].severity == "moderate"
    assert entries["Side effect began: Nausea (moderate)"].kind is EntryKind.SIDE_EFFECT


def test_unknown_event_kinds_are_shown_readably_not_dropped():
    assert event_label("bolus_given") == "Bolus given"
    entries = build_timeline([EventIn("bolus_given", at(3), "nurse.jo", "test")])
    assert [(e.text, e.kind, e.reason) for e in entries] == [
        ("Bolus given", EntryKind.SESSION, "test")
    ]


def test_one_marker_per_action_effect_and_medication_voided_ones_left_out():
    markers = build_markers(EVENTS, (NAUSEA, HEADACHE), (ONDANSETRON, VOIDED_MED))
    assert [(m.at, m.kind, m.label, m.actor) for m in markers] == [
        (at(5), EntryKind.INFUSION, "Start", "nurse.jo"),
        (at(12), EntryKind.INFUSION, "60 mL/h", "nurse.al"),
        (at(15), EntryKind.SIDE_EFFECT, "Nausea", "nurse.al"),
        (at(17), EntryKind.MEDICATION, "Ondansetron 4 mg IV", "nurse.al"),
        (at(20), EntryKind.INFUSION, "Pause", "nurse.al"),
        (at(24), EntryKind.INFUSION, "Resume", "nurse.jo"),
        (at(45), EntryKind.INFUSION, "Stop", "nurse.jo"),
    ]
    pause = markers[4]
    assert pause.text == "Infusion paused (BP 182/104)"
    severe = build_markers(side_effects=[SideEffectIn(9, "Agitation", at(1), "severe", "a")])
    assert severe[0].label == "Agitation SEVERE"  # not colour alone
    assert "SEVERE" in severe[0].text
