"""NEWS2 by keyboard: a full set typed with "On oxygen" ticked (Alt+O) is scored in words in
the entry feedback, on the tile (medium/high) and in the session's vitals table."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ketamon.domain.vitals import VitalsDraft
from ketamon.ui.vitals_table import NEWS2, cell_text
from tests.conftest import NURSE
from tests.ui.conftest import tile_of
from tests.ui.test_vitals_entry import Keys, drive_entry, infusing

TAB = Qt.Key.Key_Tab


def test_full_set_on_oxygen_scores_news2_high_in_words(
    clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=16)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    keys = Keys(qtbot)

    def driver(dialog):
        # BP, HR, SpO2, RR, MOAA/S, dissociation, CADSS, temperature
        keys("120/80", TAB, "115", TAB, "95", TAB, "22", TAB, "5", TAB, TAB, TAB, "36.8")
        qtbot.keyClick(dialog, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(dialog.oxygen.isChecked, timeout=2000)
        dialog.fields["temperature"].setFocus()  # back in a field: Enter saves
        keys(Qt.Key.Key_Return)
        assert "NEWS2 7 (high: emergency response)" in dialog.feedback_title.text()

    drive_entry(monkeypatch, qtbot, driver)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    qtbot.keyClick(tile, Qt.Key.Key_V)

    saved = clinic.vitals.for_session(session.id)[-1]
    assert saved.values.oxygen is True
    assert saved.news2.total == 7  # RR 2 + HR 2 + SpO2 1 + oxygen 2
    assert tile.vitals_label.text().startswith("NEWS2 7 (high: emergency response)")
    assert tile.vitals_label.property("grade") == "red"


def test_without_the_tick_the_same_set_is_medium(clinic, clock, make_window, qtbot, monkeypatch):
    session = infusing(clinic, clock, minutes=16)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    keys = Keys(qtbot)

    def driver(dialog):
        keys("120/80", TAB, "115", TAB, "95", TAB, "22", TAB, "5", TAB, TAB, TAB, "36.8")
        keys(Qt.Key.Key_Return)

    drive_entry(monkeypatch, qtbot, driver)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    qtbot.keyClick(tile, Qt.Key.Key_V)
    saved = clinic.vitals.for_session(session.id)[-1]
    assert saved.values.oxygen is False
    assert tile.vitals_label.text().startswith("NEWS2 5 (medium: urgent response)")
    assert tile.vitals_label.property("grade") == "amber"
    assert saved.entered_by == NURSE.username


def test_vitals_table_shows_news2_in_words(clinic, clock):
    session = infusing(clinic, clock)
    full = VitalsDraft(
        systolic=120, diastolic=80, heart_rate=115, spo2=95, resp_rate=22, temperature=36.8,
        sedation=5, oxygen=True,
    )  # fmt: skip
    clinic.vitals.record(NURSE, session.id, full)
    baseline_set, saved = clinic.vitals.for_session(session.id)
    assert cell_text(saved, NEWS2) == "7 high: emergency response · on O2"
    assert cell_text(baseline_set, NEWS2) == "incomplete"
