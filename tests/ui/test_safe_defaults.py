"""The safe answer is the default: in every confirmation Enter and Esc go back; the risky
action needs its own key (Alt + its mnemonic) or a click."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ketamon.ui.dialogs.side_effect_catalog import SideEffectCatalogDialog
from tests.conftest import NURSE, ask_questionnaires, baseline, draft, plan_dose, plan_escort
from tests.ui.conftest import choose_setup, click, tile_of

ENTER, ESC = (
    (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier),
    (
        Qt.Key.Key_Escape,
        Qt.KeyboardModifier.NoModifier,
    ),
)


def answer_with(monkeypatch, qtbot, key, modifier=Qt.KeyboardModifier.NoModifier, seen=None):
    """The confirmation appears and the nurse presses `key` on it (instead of a blocking exec)."""

    def exec_(box):
        box.show()
        qtbot.waitExposed(box)
        box.activateWindow()
        qtbot.waitUntil(box.isActiveWindow, timeout=2000)
        if seen is not None:
            seen.append(box.text())
        qtbot.keyClick(box, key, modifier)
        qtbot.waitUntil(lambda: not box.isVisible(), timeout=2000)  # a mnemonic animates
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)


def high_bp_tile(clinic, make_window, qtbot):
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id, systolic=165, diastolic=98)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    return s, tile


@pytest.mark.parametrize("key", [ENTER, ESC], ids=["Enter", "Esc"])
def test_high_baseline_bp_s_then_enter_or_esc_does_not_start(
    clinic, make_window, qtbot, monkeypatch, key
):
    s, tile = high_bp_tile(clinic, make_window, qtbot)
    seen: list[str] = []
    answer_with(monkeypatch, qtbot, *key, seen=seen)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert "165/98, above 140/90" in seen[0]
    assert tile.phase_label.text() == "CHECKED IN"
    assert clinic.sessions.get(s.id).phase.value == "checked_in"


def test_high_baseline_bp_starts_only_on_its_own_mnemonic(clinic, make_window, qtbot, monkeypatch):
    s, tile = high_bp_tile(clinic, make_window, qtbot)
    answer_with(monkeypatch, qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert tile.phase_label.text() == "INFUSING"
    assert clinic.sessions.get(s.id).events[-1].reason == (
        "Baseline BP 165/98 above 140/90: proceeded"
    )


@pytest.mark.parametrize("key", [ENTER, ESC], ids=["Enter", "Esc"])
def test_stop_at_target_t_then_enter_or_esc_keeps_infusing(
    clinic, clock, make_window, qtbot, monkeypatch, key
):
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(timedelta(minutes=41))
    window = make_window(clinic)
    tile = tile_of(window, 0)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    seen: list[str] = []
    answer_with(monkeypatch, qtbot, *key, seen=seen)
    qtbot.keyClick(tile, Qt.Key.Key_T)
    assert seen and "Stop the infusion" in seen[0]
    assert clinic.sessions.get(s.id).phase.value == "infusing"
    answer_with(monkeypatch, qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    click(qtbot, tile, "stop")
    assert clinic.sessions.get(s.id).phase.value == "recovery"


@pytest.mark.parametrize("key", [ENTER, ESC], ids=["Enter", "Esc"])
def test_retiring_a_side_effect_enter_or_esc_keeps_it(clinic, make_window, qtbot, monkeypatch, key):
    window = make_window(clinic)
    seen: list[str] = []

    def ask(cls, parent, handlers):
        dialog = SideEffectCatalogDialog(parent, handlers)
        dialog.show()
        dialog.select("speech")
        answer_with(monkeypatch, qtbot, *key, seen=seen)
        qtbot.mouseClick(dialog.buttons["Retire…"], Qt.MouseButton.LeftButton)
        assert "RETIRED" not in dialog.list.currentItem().text()
        dialog.close()
        dialog.deleteLater()
        return dialog.changed

    monkeypatch.setattr(SideEffectCatalogDialog, "ask", classmethod(ask))
    choose_setup(qtbot, window, window.side_effects_action)
    assert seen and "Stop offering" in seen[0]
    assert "speech" in [k.key for k in clinic.side_effects.catalog() if not k.retired]
