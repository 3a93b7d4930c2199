"""An administrator changes clinic settings; a nurse cannot."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ketamon.domain.actors import Actor
from ketamon.ui.dialogs.settings import SettingsDialog
from tests.conftest import NURSE, PASSWORD, add_user, open_clinic, trail_entries


def test_admin_sets_the_idle_lock_and_it_is_audited(clinic, make_window, qtbot, monkeypatch):
    window = make_window(clinic)
    assert window.settings_action.isVisible()
    seen = []

    def ask(cls, parent, current, save, reload=None):
        dialog = SettingsDialog(parent, current, save, reload)
        qtbot.addWidget(dialog)
        spin = dialog.spins["idle_lock_minutes"]
        spin.selectAll()
        qtbot.keyClicks(spin.lineEdit(), "12")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        seen.append(dialog)
        return dialog.result() == SettingsDialog.DialogCode.Accepted

    monkeypatch.setattr(SettingsDialog, "ask", classmethod(ask))
    window.settings_action.trigger()
    assert clinic.settings.get().idle_lock_minutes == 12
    assert window.idle_lock_minutes == 12  # the board reloaded the settings
    [entry] = trail_entries(clinic, field="idle_lock_minutes.value")
    assert (entry.actor, entry.new_value) == ("nurse.jo", "12")


def test_a_refused_setting_is_shown_and_nothing_is_saved(clinic, qtbot):
    dialog = SettingsDialog(
        None,
        clinic.settings.get(),
        lambda changes: clinic.settings.update(Actor("nobody"), **changes),
    )
    qtbot.addWidget(dialog)
    dialog.spins["overrun_alert_minutes"].setValue(9)
    dialog.submit()
    assert "Unknown user" in dialog.message.text()
    assert clinic.settings.get().overrun_alert_minutes == 5


def test_a_nurse_does_not_see_the_settings(clinic, make_window):
    add_user(clinic, "nurse.amy", "Amy Stone", "RN", "nurse", PASSWORD)
    window = make_window(clinic, Actor("nurse.amy", "Amy Stone, RN"))
    assert not window.settings_action.isVisible()


def test_admin_edits_the_discharge_instructions_and_observation_time(clinic, qtbot):
    saved = []
    dialog = SettingsDialog(
        None,
        clinic.settings.get(),
        lambda changes: saved.append(changes) or clinic.settings.update(NURSE, **changes),
    )
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(1)
    dialog.instructions.selectAll()
    qtbot.keyClicks(dialog.instructions, "No driving until tomorrow.")
    spin = dialog.spins["discharge_min_observation_minutes"]
    spin.selectAll()
    qtbot.keyClicks(spin.lineEdit(), "45")
    dialog.texts["phone_region"].setText("X1")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Phone region is a two-letter country code (US)"
    assert dialog.tabs.currentIndex() == 1  # the refused field is shown
    dialog.texts["phone_region"].setText("GB")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settings = clinic.settings.get()
    assert settings.discharge_instructions == "No driving until tomorrow."
    assert settings.discharge_min_observation_minutes == 45
    assert settings.discharge_rules.phone_region == "GB"


def test_a_setting_saved_on_another_workstation_meanwhile_is_not_overwritten(
    clinic, db_url, clock, make_window, qtbot, monkeypatch
):
    window = make_window(clinic)
    other = open_clinic(db_url, clock)  # workstation B
    seen = {}

    def ask(cls, parent, current, save, reload=None):
        dialog = SettingsDialog(parent, current, save, reload)
        qtbot.addWidget(dialog)
        other.settings.update(NURSE, overrun_alert_minutes=9)  # B, while A has it open
        other.settings.update(NURSE, clinic_name="Harbour Clinic")  # a setting A leaves
        for key, minutes in (("overrun_alert_minutes", "7"), ("idle_lock_minutes", "12")):
            spin = dialog.spins[key]
            spin.selectAll()
            qtbot.keyClicks(spin.lineEdit(), minutes)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # refused
        seen["message"] = dialog.message.text()
        seen["shown"] = (
            dialog.spins["overrun_alert_minutes"].value(),
            dialog.spins["idle_lock_minutes"].value(),
            dialog.clinic_name.text(),
        )
        seen["stored"] = clinic.settings.get().overrun_alert_minutes
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # saved
        return dialog.result() == SettingsDialog.DialogCode.Accepted

    monkeypatch.setattr(SettingsDialog, "ask", classmethod(ask))
    try:
        window.settings_action.trigger()
    finally:
        other.close()
    assert seen["message"].startswith("Not saved: The clinic settings were changed by Jo Rivera")
    assert "on another workstation; they have been reloaded" in seen["message"]
    assert seen["shown"] == (7, 12, "Harbour Clinic") and seen["stored"] == 9
    settings = clinic.settings.get()
    assert (settings.overrun_alert_minutes, settings.idle_lock_minutes) == (7, 12)
    assert settings.clinic_name == "Harbour Clinic"
