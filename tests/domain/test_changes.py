"""A Change names what a unit of work changed; it travels as JSON without its initiator."""

from __future__ import annotations

from ketamon.domain.changes import Change, Kind, merge


def test_touches_a_session_and_kinds():
    change = Change(frozenset({5}), frozenset({Kind.VITALS}), by="nurse.jo")
    assert change.touches(5)
    assert change.touches(5, Kind.VITALS, Kind.PHASE)
    assert not change.touches(5, Kind.PHASE)
    assert not change.touches(6)
    assert change.touches(None, Kind.VITALS)
    assert not Change()


def test_a_clinic_wide_change_touches_every_session():
    settings = Change(kinds=frozenset({Kind.SETTINGS}))
    assert settings.touches(7)
    assert not settings.touches(7, Kind.VITALS)


def test_json_round_trip_drops_the_initiator_and_keeps_the_rest():
    window = object()
    change = Change(
        frozenset({3, 1}), frozenset({Kind.DOSE, Kind.PHASE}), frozenset({9}), "nurse.jo", window
    )
    back = Change.from_json(change.to_json())
    assert back == change  # the initiator is not compared
    assert back.initiator is None and change.started_by(window) and not back.started_by(window)
    remote = Change.from_json(change.to_json(), origin="ws-2")
    assert remote.origin == "ws-2"


def test_merge_unites_sessions_kinds_and_patients():
    a = Change(frozenset({1}), frozenset({Kind.PHASE}), frozenset({4}), "nurse.jo")
    b = Change(frozenset({1}), frozenset({Kind.CHECKLIST}), by="nurse.jo", initiator="w")
    merged = merge([a, b])
    assert merged.sessions == {1} and merged.kinds == {Kind.PHASE, Kind.CHECKLIST}
    assert merged.patients == {4} and merged.by == "nurse.jo" and merged.initiator == "w"
    assert merge([]) == Change()


def test_every_kind_has_a_label():
    assert len({k.label for k in Kind}) == len(Kind)
