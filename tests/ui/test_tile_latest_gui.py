"""The tile tells the state: the latest vitals set stays on the tile, graded in words, after
a red banner is acknowledged by keyboard; AMBER values reach the tile in words; locked, the
values are gone."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ketamon.domain.vitals import VitalsDraft
from tests.conftest import NURSE, draft
from tests.services.test_spo2_scale2 import on_scale2
from tests.ui.conftest import label_texts, tile_of
from tests.ui.test_vitals_entry import BASELINE, Keys, drive_entry, infusing


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


def press_on_tile(qtbot, window, tile, key) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    tile.setFocus()
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    qtbot.keyClick(tile, key)


def test_red_values_stay_on_the_tile_graded_after_acknowledging_by_keyboard(
    clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    assert plain(tile.latest_label.text()) == "12 min ago: BP 124/78 · HR 72 · SpO2 98%"
    assert tile.latest_label.property("grade") == "normal"
    keys = Keys(qtbot)

    def driver(dialog):
        keys("186/101", Qt.Key.Key_Tab, "118", Qt.Key.Key_Tab, "97", Qt.Key.Key_Tab, "14")
        keys(Qt.Key.Key_Return)

    drive_entry(monkeypatch, qtbot, driver)
    press_on_tile(qtbot, window, tile, Qt.Key.Key_V)
    assert tile.alert_banner.isVisible()
    assert plain(tile.alert_label.text()) == "RED VITALS: BP 186/101"
    shown = "just now: BP 186/101 RED · HR 118 AMBER · SpO2 97%"
    assert plain(tile.latest_label.text()) == shown
    assert tile.latest_label.isVisible() and tile.latest_label.property("grade") == "red"

    press_on_tile(qtbot, window, tile, Qt.Key.Key_A)
    assert not tile.alert_banner.isVisible()
    assert clinic.vitals.for_session(session.id)[-1].acknowledged_by == NURSE.username
    # Acknowledged: the banner is gone, the values are not.
    assert plain(tile.latest_label.text()) == shown
    assert tile.latest_label.isVisible() and tile.latest_label.property("grade") == "red"

    clock.advance(minutes=3)
    qtbot.waitUntil(lambda: tile.latest_label.text().startswith("3 min ago: "), timeout=3000)

    # Locked: patient values leave the tile (and the widget tree).
    window.lock()
    assert not tile.latest_label.isVisible()
    qtbot.waitUntil(lambda: not any("186" in t for t in label_texts(window)), timeout=2000)


def test_amber_values_reach_the_tile_in_words(clinic, clock, make_window, qtbot):
    session = infusing(clinic, clock, minutes=12)
    amber = {**BASELINE.values(), "heart_rate": 118, "resp_rate": 22, "temperature": 38.4}
    clinic.vitals.record(NURSE, session.id, VitalsDraft(**amber))
    window = make_window(clinic)
    tile = tile_of(window, 0)
    assert not tile.alert_banner.isVisible()
    assert plain(tile.latest_label.text()) == (
        "just now: BP 124/78 · HR 118 AMBER · SpO2 98% · RR 22 AMBER · Temp 38.4 °C AMBER"
    )
    assert tile.latest_label.property("grade") == "amber"


def test_a_scale_2_patients_tile_says_so_and_grades_on_scale_2(clinic, clock, make_window, qtbot):
    patient = clinic.patients.register(NURSE, draft(name="Ray Copd", mrn="KM-20002"))
    on_scale2(clinic, patient.id)
    chair = clinic.chairs.all()[0]
    session = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    clinic.vitals.record(NURSE, session.id, VitalsDraft(**{**BASELINE.values(), "spo2": 89}))
    window = make_window(clinic)
    tile = tile_of(window, 0)
    assert not tile.alert_banner.isVisible()  # 89% is 0 points on scale 2 on air
    assert plain(tile.latest_label.text()) == "just now: BP 124/78 · HR 72 · SpO2 89% (scale 2)"
    assert tile.latest_label.property("grade") == "normal"
