"""Side effect rules: the severe alert, time bounds, free text, the catalog's operations."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from ketamon.domain.board import Chair, SessionSnapshot, tile_view
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.sessions import EventKind, Phase, SessionEvent
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.side_effects import (
    DEFAULT_SIDE_EFFECTS,
    Severity,
    SideEffect,
    SideEffectKind,
    add_kind,
    catalog_from_stored,
    catalog_to_stored,
    check_can_tick,
    check_onset,
    check_other_text,
    check_resolution,
    find_kind,
    rename_kind,
    retire_kind,
    severe_alert_text,
    validate_catalog,
)
from tests.conftest import T0

NOW = T0 + timedelta(minutes=30)


def effect(**kw) -> SideEffect:
    values = dict(
        id=1,
        session_id=1,
        kind_key="vomiting",
        label="Vomiting",
        other_text="",
        onset_at=T0 + timedelta(minutes=10),
        severity=Severity.SEVERE,
        resolved_at=None,
        note="",
        entered_by="nurse.jo",
        status="current",
    )
    return SideEffect(**(values | kw))


def test_severity_values_and_words():
    assert [s.value for s in Severity] == ["mild", "moderate", "severe"]
    assert Severity.SEVERE.label == "SEVERE"
    assert Severity.MILD.label == "Mild"


def test_alert_only_for_severe_current_and_unacknowledged():
    assert effect().needs_acknowledgement
    assert not effect(severity=Severity.MODERATE).needs_acknowledgement
    assert not effect(severity=Severity.MILD).needs_acknowledgement
    assert not effect(status="voided").needs_acknowledgement
    assert not effect(acknowledged_by="nurse.jo", acknowledged_at=NOW).needs_acknowledgement
    assert severe_alert_text([effect()]) == "SEVERE SIDE EFFECT: Vomiting"
    assert severe_alert_text([effect(status="voided"), effect(severity=Severity.MILD)]) == ""


def test_alert_names_every_severe_effect_in_onset_order_and_free_text_in_words():
    other = effect(id=2, kind_key="other", label="Other", other_text="Chest tightness")
    first = effect(id=3, onset_at=T0 + timedelta(minutes=2), label="Nausea", kind_key="nausea")
    assert other.display_name == "Other: Chest tightness"
    assert effect().display_name == "Vomiting"
    assert severe_alert_text([other, first]) == (
        "SEVERE SIDE EFFECTS: Nausea, Other: Chest tightness"
    )


def test_onset_not_before_check_in_nor_in_the_future():
    assert check_onset(T0, T0, NOW) == T0
    assert check_onset(NOW, T0, NOW) == NOW
    with pytest.raises(FieldError, match="before the patient checked in") as early:
        check_onset(T0 - timedelta(seconds=1), T0, NOW)
    assert early.value.field == "onset_at"
    with pytest.raises(FieldError, match="future"):
        check_onset(NOW + timedelta(seconds=1), T0, NOW)


def test_resolution_not_before_onset_nor_in_the_future():
    onset = T0 + timedelta(minutes=10)
    assert check_resolution(onset, onset, NOW) == onset
    with pytest.raises(FieldError, match="before the onset") as early:
        check_resolution(onset - timedelta(seconds=1), onset, NOW)
    assert early.value.field == "resolved_at"
    with pytest.raises(FieldError, match="future"):
        check_resolution(NOW + timedelta(minutes=1), onset, NOW)


def test_other_needs_free_text_and_the_others_take_none():
    other = find_kind(DEFAULT_SIDE_EFFECTS, "other")
    assert other.free_text
    with pytest.raises(FieldError, match="say what") as missing:
        check_other_text(other, "   ")
    assert missing.value.field == "other_text"
    assert check_other_text(other, "  Chest   tightness ") == "Chest tightness"
    nausea = find_kind(DEFAULT_SIDE_EFFECTS, "nausea")
    assert check_other_text(nausea, "ignored") == ""


def test_unresolved_kind_cannot_be_ticked_twice_but_may_recur_after_resolving():
    kind = find_kind(DEFAULT_SIDE_EFFECTS, "vomiting")
    with pytest.raises(DomainError, match="already ticked and not resolved"):
        check_can_tick(kind, [effect()])
    check_can_tick(kind, [effect(resolved_at=NOW)])  # resolved: may recur
    check_can_tick(kind, [effect(status="voided")])  # un-ticked: may be ticked again
    check_can_tick(find_kind(DEFAULT_SIDE_EFFECTS, "nausea"), [effect()])
    with pytest.raises(DomainError, match="retired"):
        check_can_tick(replace(kind, retired=True), [])


def test_defaults_are_the_eighteen_clinical_entries_with_unique_keys():
    assert len(DEFAULT_SIDE_EFFECTS) == 18
    validate_catalog(DEFAULT_SIDE_EFFECTS)
    assert [k.key for k in DEFAULT_SIDE_EFFECTS if k.free_text] == ["other"]


def test_catalog_add_rename_retire_keep_keys_stable_and_retired_entries():
    added = add_kind(DEFAULT_SIDE_EFFECTS, "  Chest   tightness ")
    assert added[:18] == DEFAULT_SIDE_EFFECTS  # a new tuple; nothing before it changed
    assert added[-1] == SideEffectKind("chest_tightness", "Chest tightness")
    renamed = rename_kind(added, "nausea", "Nausea / queasiness")
    assert find_kind(renamed, "nausea").name == "Nausea / queasiness"
    assert [k.key for k in renamed] == [k.key for k in added]
    retired = retire_kind(renamed, "nausea")
    assert find_kind(retired, "nausea").retired
    assert len(retired) == len(renamed)  # retired, never removed
    # A second entry of a similar name gets its own key, never a retired one's.
    again = add_kind(retired, "Nausea")
    assert [k.key for k in again].count("nausea") == 1
    assert again[-1].key == "nausea_2"
    validate_catalog(again)
    # Adding back a retired entry's exact name brings that entry back.
    back = add_kind(retired, "nausea / QUEASINESS")
    assert not find_kind(back, "nausea").retired and len(back) == len(retired)


def test_catalog_refuses_blank_long_and_duplicate_names_and_unknown_keys():
    with pytest.raises(FieldError, match="required"):
        add_kind(DEFAULT_SIDE_EFFECTS, "  ")
    with pytest.raises(FieldError, match="at most 120"):
        add_kind(DEFAULT_SIDE_EFFECTS, "x" * 121)
    with pytest.raises(FieldError, match="already on the side effects list"):
        add_kind(DEFAULT_SIDE_EFFECTS, "vomiting")
    with pytest.raises(FieldError, match="already on the side effects list"):
        rename_kind(DEFAULT_SIDE_EFFECTS, "nausea", "Headache")
    with pytest.raises(DomainError, match="no side effect"):
        retire_kind(DEFAULT_SIDE_EFFECTS, "nope")
    with pytest.raises(FieldError, match="unique"):
        validate_catalog((*DEFAULT_SIDE_EFFECTS, SideEffectKind("nausea", "Nausea again")))


def test_catalog_round_trips_through_its_stored_form():
    catalog = retire_kind(add_kind(DEFAULT_SIDE_EFFECTS, "Chills"), "speech")
    assert catalog_from_stored(catalog_to_stored(catalog)) == catalog


class _Summary:
    def __init__(self, severe, open_count=None):
        self.unacknowledged_severe = severe
        self.open_count = len(severe) if open_count is None else open_count


def _infusing_snapshot() -> SessionSnapshot:
    events = (
        SessionEvent(EventKind.CHECK_IN, T0, "nurse.jo"),
        SessionEvent(EventKind.START, T0 + timedelta(minutes=5), "nurse.jo"),
    )
    return SessionSnapshot(
        1, 1, "Chair 1", 1, "Ada", "MRN1", "initial", 1, 6, 40, Phase.INFUSING, events
    )


def test_the_tile_says_how_many_side_effects_are_open_whatever_their_severity():
    """Found by a walk-through: a mild nausea and a moderate vomiting ticked, nothing on
    the tile (only an unacknowledged SEVERE one showed)."""
    chair, settings = Chair(1, "Chair 1", 1), ClinicSettings()
    session = _infusing_snapshot()
    plain = tile_view(chair, session, settings, NOW, None, _Summary((), 0))
    two = tile_view(chair, session, settings, NOW, None, _Summary((), 2))
    assert two.detail_text == f"{plain.detail_text} · 2 side effects open (E)"
    one = tile_view(chair, session, settings, NOW, None, _Summary((), 1))
    assert one.detail_text.endswith(" · 1 side effect open (E)") and one.alert_text == ""


def test_tile_names_severe_side_effects_and_lists_them_for_acknowledgement():
    chair, settings = Chair(1, "Chair 1", 1), ClinicSettings()
    session = _infusing_snapshot()
    quiet = tile_view(chair, session, settings, NOW, None, _Summary(()))
    assert quiet.alert_text == "" and quiet.severe_effect_ids == ()
    view = tile_view(chair, session, settings, NOW, None, _Summary((effect(id=7),)))
    assert view.alert_text == "SEVERE SIDE EFFECT: Vomiting — acknowledge (A)"
    assert view.severe_effect_ids == (7,)
    assert view.red_set_ids == ()
