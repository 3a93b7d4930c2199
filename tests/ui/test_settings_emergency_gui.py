"""An administrator types the clinic's phone and its emergency number on the Discharge tab;
the summary prints them. A number without digits is refused at the field."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ketamon.ui.dialogs.settings import SettingsDialog
from tests.conftest import NURSE


def _dialog(clinic, qtbot):
    dialog = SettingsDialog(
        None, clinic.settings.get(), lambda changes: clinic.settings.update(NURSE, **changes)
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(1)  # Discharge
    return dialog


def test_the_emergency_number_is_typed_and_kept(clinic, qtbot):
    dialog = _dialog(clinic, qtbot)
    assert clinic.settings.get().emergency_phone == "911"  # the region's, while empty
    qtbot.keyClicks(dialog.texts["clinic_phone"], "(212) 555-0100")
    qtbot.keyClicks(dialog.texts["emergency_number"], "112")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = clinic.settings.get()
    assert (saved.clinic_phone, saved.emergency_number, saved.emergency_phone) == (
        "(212) 555-0100",
        "112",
        "112",
    )


def test_an_emergency_number_without_digits_is_refused_by_name(clinic, qtbot):
    dialog = _dialog(clinic, qtbot)
    qtbot.keyClicks(dialog.texts["emergency_number"], "ambulance")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Emergency number must contain digits" in dialog.message.text()
    assert dialog.texts["emergency_number"].text() == "ambulance"  # nothing typed is lost
    assert clinic.settings.get().emergency_number == ""
