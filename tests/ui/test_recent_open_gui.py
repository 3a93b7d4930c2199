"""Recent discharges by keyboard: each row says the date and time with the zone (the list
spans 24 hours, so yesterday too); Enter or a double click on a row opens the session
read-only in its window (as the physician's review does); "Summary saved" is information,
not a warning."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from ketamon.ui.dialogs.recent import RecentDialog
from ketamon.ui.file_dialogs import SaveFileDialog
from ketamon.ui.session_window import open_windows
from tests.reports.conftest import discharged_session
from tests.ui.conftest import toolbar_button


def drive_recent(monkeypatch, qtbot, driver) -> dict:
    seen: dict = {}

    def ask(cls, parent, handlers):
        dialog = RecentDialog(parent, handlers)
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        seen["ended"] = dialog.table.item(0, 0).text()
        seen["primary"] = dialog.primary_button()
        driver(dialog)
        return dialog.answer()

    monkeypatch.setattr(RecentDialog, "ask", classmethod(ask))
    return seen


def open_session_windows(session_id: int):
    return [w for w in open_windows() if w.session_id == session_id]


@pytest.mark.parametrize("how", ["enter", "double_click"])
def test_a_row_opens_its_session_read_only(clinic, clock, make_window, qtbot, monkeypatch, how):
    s = discharged_session(clinic, clock, sets=6)
    ended = clinic.summary.recent()[0].ended_at.astimezone()
    window = make_window(clinic)

    def driver(dialog):
        if how == "enter":
            qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
        else:
            rect = dialog.table.visualRect(dialog.table.model().index(0, 1))
            viewport = dialog.table.viewport()
            qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
            qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    seen = drive_recent(monkeypatch, qtbot, driver)
    qtbot.mouseClick(toolbar_button(window, window.recent_action), Qt.MouseButton.LeftButton)
    assert seen["ended"] == ended.strftime("%Y-%m-%d %H:%M:%S %Z")  # the date, and the zone
    assert seen["primary"].text() == "Open read-only (Enter)"
    [opened] = open_session_windows(s.id)
    assert opened.read_only  # nothing can be recorded or changed
    assert opened.isVisible()
    assert not opened.buttons["Edit patient details…"].isEnabled()
    assert not opened.buttons["Discharge…"].isEnabled()
    opened.close()


def test_esc_closes_the_list_and_opens_nothing(clinic, clock, make_window, qtbot, monkeypatch):
    s = discharged_session(clinic, clock, sets=6)
    window = make_window(clinic)
    drive_recent(monkeypatch, qtbot, lambda d: qtbot.keyClick(d.table, Qt.Key.Key_Escape))
    qtbot.mouseClick(toolbar_button(window, window.recent_action), Qt.MouseButton.LeftButton)
    assert open_session_windows(s.id) == []


def test_summary_saved_is_said_with_the_information_icon(
    clinic, clock, make_window, qtbot, monkeypatch, tmp_path
):
    discharged_session(clinic, clock, sets=6)
    window = make_window(clinic)
    target = tmp_path / "summary.pdf"
    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(lambda cls, *a, **k: target))
    drive_recent(
        monkeypatch,
        qtbot,
        lambda d: qtbot.mouseClick(d.pdf_button, Qt.MouseButton.LeftButton),
    )
    qtbot.mouseClick(toolbar_button(window, window.recent_action), Qt.MouseButton.LeftButton)
    [box] = [b for b in window.findChildren(QMessageBox) if b.windowTitle() == "Summary saved"]
    assert box.text() == f"Saved {target}"
    assert box.icon() == QMessageBox.Icon.Information
    box.close()
