"""No dose before the escort home is confirmed (CLINICAL.md, county policy), at the board
by keyboard: S on a chair with no escort plan asks; Enter opens the escort plan (saving
it starts), Esc goes back, Alt+W starts without it after a required reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from ketamon.ui.dialogs.escort import EscortPlanDialog
from ketamon.ui.dialogs.reason import ReasonDialog
from tests.conftest import plan_dose
from tests.ui.test_start_dose_plan_gui import (
    ALT,
    ENTER,
    ESC,
    key,
    not_started,
    press_on,
    reason_typed,
)
from tests.ui.test_start_dose_plan_gui import waiting_tile as tile_waiting


def waiting_tile(clinic, make_window, qtbot):
    """Lena Park checked in with a baseline and a dose plan, no escort plan."""
    s, window, tile = tile_waiting(clinic, make_window, qtbot, escort=False)
    plan_dose(clinic, s.id)
    return s, window, tile


def test_s_then_esc_goes_back_and_nothing_starts(clinic, make_window, qtbot, monkeypatch) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    boxes: list = []
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ESC), boxes)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    [box] = boxes
    assert "No escort plan for Lena Park" in box.text() and "never driving" in box.text()
    buttons = {b.text().replace("&", ""): b for b in box.buttons()}
    assert box.defaultButton() is buttons["Enter the escort…"]  # Enter: the safe answer
    assert box.escapeButton() is buttons["Go back"]
    assert "Start without it…" in buttons
    not_started(clinic, s, tile)


def test_enter_asks_the_escort_a_bad_phone_is_refused_at_its_field_then_saving_starts(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), [])
    refusals: list[str] = []

    def type_the_escort(dialog):
        assert dialog.focusWidget() is dialog.fields.edits["escort_name"]
        qtbot.keyClicks(dialog.focusWidget(), "Maria Lopez")
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.focusWidget(), "Sister")
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.focusWidget(), "555")
        qtbot.keyClick(dialog.focusWidget(), ENTER)  # refused: stays open, nothing lost
        assert dialog.isVisible()
        refusals.append(dialog.errors.text("escort_phone"))
        assert dialog.fields.edits["escort_name"].text() == "Maria Lopez"
        assert clinic.sessions.get(s.id).phase.value == "checked_in"
        phone = dialog.fields.edits["escort_phone"]
        assert dialog.focusWidget() is phone
        phone.selectAll()
        qtbot.keyClicks(phone, "(212) 555-0143")
        qtbot.keyClick(phone, ENTER)

    dialogs: list = []
    press_on(monkeypatch, qtbot, EscortPlanDialog, type_the_escort, dialogs)
    assert tile.detail_label.text().endswith(" · No escort plan yet")
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert len(dialogs) == 1 and dialogs[0].result() == QDialog.DialogCode.Accepted
    assert "escort" not in tile.detail_label.text()  # the board read the plan again
    [refused] = refusals
    assert refused.startswith("Escort phone: '555' is not a valid phone number")
    assert tile.phase_label.text() == "INFUSING"
    escort = clinic.discharge.state(s.id).answers.escort
    assert (escort.name, escort.relationship, escort.phone) == (
        "Maria Lopez",
        "Sister",
        "+1 212-555-0143",
    )
    assert not escort.present_verified  # verified in person at discharge, not now
    assert clinic.sessions.get(s.id).events[-1].reason == ""


def test_esc_in_the_escort_dialog_starts_nothing(clinic, make_window, qtbot, monkeypatch):
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), [])
    press_on(monkeypatch, qtbot, EscortPlanDialog, key(qtbot, ESC), [])
    qtbot.keyClick(tile, Qt.Key.Key_S)
    not_started(clinic, s, tile)


def test_alt_w_starts_without_it_after_a_required_reason(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, Qt.Key.Key_W, ALT), [])

    seen: dict = {}
    typed = reason_typed(qtbot, "Her mother is on the way; phone to follow", seen)
    press_on(monkeypatch, qtbot, ReasonDialog, typed, [])
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert (seen["title"], seen["still_open"]) == ("Start without an escort plan", True)
    assert tile.phase_label.text() == "INFUSING"
    start = clinic.sessions.get(s.id).events[-1]
    assert start.reason == (
        "Started without a confirmed escort plan: Her mother is on the way; phone to follow"
    )


def test_with_neither_plan_the_escort_is_asked_first(clinic, make_window, qtbot, monkeypatch):
    """The dose dialog's "Save plan and start" then starts: nothing is asked after it but
    the baseline's questions."""
    s, _window, tile = tile_waiting(clinic, make_window, qtbot, escort=False)
    boxes: list = []
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ESC), boxes)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    [box] = boxes
    assert box.windowTitle() == "No escort plan"
    not_started(clinic, s, tile)
