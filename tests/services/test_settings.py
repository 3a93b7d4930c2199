"""SettingsService: clinic settings are stored, validated, and used by the board."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from ketamon.domain.board import TileLevel, tile_view
from ketamon.domain.errors import FieldError
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.vitals import Grade, VitalsDraft
from tests.conftest import (
    NURSE,
    T0,
    ask_questionnaires,
    baseline,
    draft,
    open_clinic,
    plan_dose,
    plan_escort,
)

pytestmark = pytest.mark.both_backends


def test_a_new_clinic_has_the_default_settings(clinic) -> None:
    assert clinic.settings.get() == ClinicSettings()


def test_update_then_get_round_trips(clinic) -> None:
    updated = clinic.settings.update(NURSE, overrun_alert_minutes=10)
    assert updated.overrun_alert_minutes == 10
    assert clinic.settings.get().overrun_alert_minutes == 10
    assert clinic.settings.get().initial_course_length == 6  # the others keep their values
    assert clinic.board.get().settings.overrun_alert_minutes == 10


def test_lists_and_texts_round_trip(clinic) -> None:
    clinic.settings.update(NURSE, target_choices=(45, 60, 90), clinic_name="Harbor Clinic")
    got = clinic.settings.get()
    assert got.target_choices == (45, 60, 90)
    assert got.clinic_name == "Harbor Clinic"


def test_a_setting_records_who_changed_it_and_when(clinic, clock) -> None:
    clock.advance(minutes=3)
    clinic.settings.update(NURSE, overrun_alert_minutes=7)
    clock.advance(minutes=3)
    clinic.settings.update(NURSE, overrun_alert_minutes=8)
    with clinic.db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT key, value, updated_at, updated_by FROM clinic_setting")
        ).all()
    assert [(r.key, r.value, r.updated_by) for r in rows] == [
        ("overrun_alert_minutes", "8", "nurse.jo")
    ]
    assert str(rows[0].updated_at).startswith("2026-03-02 14:06:00")


def test_settings_survive_reopening(clinic, db_url: str, clock) -> None:
    clinic.settings.update(NURSE, overrun_alert_minutes=12, default_target_minutes=50)
    clinic.close()
    again = open_clinic(db_url, clock)
    try:
        got = again.settings.get()
        assert (got.overrun_alert_minutes, got.default_target_minutes) == (12, 50)
    finally:
        again.close()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"overrun_alert_minutes": 61}, "overrun_alert_minutes"),
        ({"overrun_alert_minutes": -1}, "overrun_alert_minutes"),
        ({"initial_course_length": 0}, "initial_course_length"),
        ({"default_target_minutes": 300}, "target_minutes"),
        ({"default_chair_count": 0}, "default_chair_count"),
        ({"clinic_name": "  "}, "clinic_name"),
        ({"overrun_alert_minutes": "10"}, "overrun_alert_minutes"),
        ({"overrun_alert_minutes": True}, "overrun_alert_minutes"),
        ({"no_such_setting": 1}, "no_such_setting"),
    ],
)
def test_invalid_settings_are_refused_and_not_stored(clinic, changes: dict, field: str) -> None:
    with pytest.raises(FieldError) as refused:
        clinic.settings.update(NURSE, **changes)
    assert refused.value.field == field
    assert clinic.settings.get() == ClinicSettings()


def test_a_refused_change_stores_none_of_its_companions(clinic) -> None:
    with pytest.raises(FieldError):
        clinic.settings.update(NURSE, clinic_name="Harbor", overrun_alert_minutes=99)
    assert clinic.settings.get().clinic_name == ClinicSettings().clinic_name


def test_the_overrun_setting_changes_what_the_board_shows(clinic, clock) -> None:
    chair = clinic.chairs.all()[0]
    ada = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, chair.id, ada.id, 40)
    baseline(clinic, s.id)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.set(T0 + timedelta(minutes=46))

    def level() -> TileLevel:
        board = clinic.board.get()
        return tile_view(chair, board.sessions[chair.id], board.settings, clock()).level

    assert level() is TileLevel.OVERRUN
    clinic.settings.update(NURSE, overrun_alert_minutes=10)
    assert level() is TileLevel.TARGET_REACHED


@pytest.mark.parametrize("choices", [(), (40, 1000), (3, 40)])
def test_target_choices_must_be_durations_a_check_in_accepts(clinic, choices) -> None:
    with pytest.raises(FieldError) as refused:
        clinic.settings.update(NURSE, target_choices=choices)
    assert refused.value.field == "target_choices"
    assert clinic.settings.get().target_choices == ClinicSettings().target_choices


def test_a_setting_changed_on_another_workstation_is_used_at_the_next_read(
    clinic, db_url: str, clock
) -> None:
    # The parsed settings are kept per stored text: workstation A has read (and kept) them;
    # B changes the bands and the overrun alert; A's next reads use B's values.
    session_id = clinic.sessions.check_in(
        NURSE, clinic.chairs.all()[0].id, clinic.patients.register(NURSE, draft()).id, 40
    ).id
    assert clinic.vitals.record(NURSE, session_id, _vitals(152)).grades["systolic"] is not (
        Grade.RED
    )
    assert clinic.settings.get().overrun_alert_minutes != 9
    b = open_clinic(db_url, clock)
    try:
        bands = dict(b.settings.get().vital_bands)
        bands["systolic"] = [90, 100, 140, 150]
        b.settings.update(NURSE, vital_bands=bands, overrun_alert_minutes=9)
    finally:
        b.close()
    clock.advance(minutes=5)
    assert clinic.vitals.record(NURSE, session_id, _vitals(152)).grades["systolic"] is Grade.RED
    assert clinic.settings.get().overrun_alert_minutes == 9
    assert clinic.board.get().settings.overrun_alert_minutes == 9
    with clinic.db.engine.begin() as conn:  # and one changed behind the application's back
        conn.execute(
            text("UPDATE clinic_setting SET value = '11' WHERE key = 'overrun_alert_minutes'")
        )
    assert clinic.settings.get().overrun_alert_minutes == 11


def _vitals(systolic: int) -> VitalsDraft:
    return VitalsDraft(systolic=systolic, diastolic=84, heart_rate=72, spo2=98, resp_rate=14)
