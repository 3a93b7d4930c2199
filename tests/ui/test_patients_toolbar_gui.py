"""Patients… and Due… from the board's toolbar: the Patients window opens with the search
focused and finds a patient by typing; Due… lists who is due; locking the screen closes the
Patients window (no patient's name stays on screen) and it opens again after unlocking."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import NURSE, PASSWORD, draft
from tests.ui.conftest import toolbar_button


def test_patients_and_due_from_the_toolbar(qtbot, clinic, make_window) -> None:
    clinic.patients.register(NURSE, draft("MRN-T1", "Tess Toolbar"))
    window = make_window(clinic)
    qtbot.mouseClick(toolbar_button(window, window.patients_action), Qt.MouseButton.LeftButton)
    patients = window.controller.patients_window
    assert patients is not None and patients.isVisible()
    qtbot.keyClicks(patients.search, "Tess")
    qtbot.keyClick(patients.search, Qt.Key.Key_Return)
    assert "Tess Toolbar" in patients.heading.text()

    window.lock()
    QApplication.processEvents()
    qtbot.waitUntil(lambda: window.controller.patients_window is None)
    window.lock_panel.password.setText(PASSWORD)
    qtbot.keyClick(window.lock_panel.password, Qt.Key.Key_Return)
    assert not window.locked
    window.patients_action.trigger()
    assert window.controller.patients_window.isVisible()
    assert window.controller.patients_window.heading.text() == "Type a name or an MRN"
