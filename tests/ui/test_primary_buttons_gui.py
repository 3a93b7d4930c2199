"""Enter presses the primary button of every dialog, never Cancel.

Every dialog is opened the way the app opens it (the wheel smoke's walk through a demo
clinic, .ci/wheel_smoke.py), and at each show the default button is read: a dialog's
primary action (Create administrator, Check in, Save...) is the only default button, and a
dialog without one (a list with Close) has none. Qt otherwise made Cancel the default of
the first-run dialog: Enter in the last field cancelled and the app quit.
"""

from __future__ import annotations

import faulthandler
import importlib.util
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton

from ketamon.cli import main as cli
from ketamon.services.clinic import Clinic
from ketamon.ui.app import Startup, application
from ketamon.ui.dialogs.accounts import FirstAdminDialog, PasswordDialog, UserFormDialog
from ketamon.ui.dialogs.kit import KitDialog
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]

# The dialogs whose primary action Enter presses (a dialog dropping out of this list, or
# Cancel becoming its default, fails the walk).
WITH_PRIMARY = {
    "FirstAdminDialog": "Create administrator",
    "UserFormDialog": "Add user",
    "PasswordDialog": "Set password",
    "ChangePasswordDialog": "Change password",
    "CheckInDialog": "Check in",
    "SettingsDialog": "Save",
    "MedicationDialog": "Save",
    "RateChangeDialog": "Save",
    "CorrectVitalsDialog": "Save",
    "ReasonDialog": "OK",
    "RecentDialog": "Open read-only",
    "VitalsEntryDialog": "Save",
    "SignDialog": "Sign",
    "AddendumDialog": "Add and sign",
    "EditPatientDialog": "Save",
}


def _wheel_smoke():
    spec = importlib.util.spec_from_file_location("wheel_smoke", ROOT / ".ci" / "wheel_smoke.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    faulthandler.cancel_dump_traceback_later()  # the script's own watchdog, not pytest's
    return module


class Walk:
    """What the wheel smoke's views need (app, then, click), recording each dialog shown:
    class name -> (the primary button's text, the texts of the default buttons)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.app = application()
        self.then: dict[str, object] = {}
        self.seen: dict[str, tuple[str | None, list[str]]] = {}
        walk = self

        def exec_(dialog) -> int:
            dialog.show()
            QApplication.processEvents()
            if isinstance(dialog, KitDialog):
                primary = dialog.primary_button()
                defaults = [b.text() for b in dialog.findChildren(QPushButton) if b.isDefault()]
                walk.seen[type(dialog).__name__] = (
                    None if primary is None else primary.text(),
                    defaults,
                )
            follow = walk.then.pop(type(dialog).__name__, None)
            if follow is not None:
                follow(dialog)
            dialog.reject()
            QApplication.processEvents()
            return int(QDialog.DialogCode.Rejected.value)

        monkeypatch.setattr(QDialog, "exec", exec_)
        monkeypatch.setattr(QMessageBox, "exec", exec_)

    def click(self, parent, text: str) -> None:
        for button in parent.findChildren(QPushButton):
            if button.text().replace("&", "").startswith(text) and button.isEnabled():
                button.click()
                QApplication.processEvents()
                return
        raise AssertionError(f"no enabled button {text!r} in {type(parent).__name__}")


def test_every_dialog_defaults_to_its_primary_action_never_cancel(tmp_path, monkeypatch, qtbot):
    smoke = _wheel_smoke()
    walk = Walk(monkeypatch)
    url = f"sqlite:///{tmp_path / 'walk.sqlite3'}"
    clinic = Clinic.open(url)
    assert not Startup(clinic).begin()  # the first-run dialog, cancelled
    clinic.close()
    assert cli(["demo", "--db", url]) == 0
    clinic = Clinic.open(url)
    try:
        smoke.nurse_views(walk, clinic)
        smoke.physician_views(walk, clinic)
    finally:
        for widget in QApplication.topLevelWidgets():
            widget.close()
        QApplication.processEvents()
        clinic.close()

    assert len(walk.seen) >= 20, sorted(walk.seen)
    for name, (primary, defaults) in sorted(walk.seen.items()):
        if name in WITH_PRIMARY:
            assert primary is not None and primary.startswith(WITH_PRIMARY[name]), name
        if primary is None:
            assert defaults == [], f"{name}: {defaults} is the default without being primary"
        else:
            assert defaults == [primary], f"{name}: the default is {defaults}, not {primary!r}"
            assert primary not in ("Cancel", "Close", "Back"), name


def _type(qtbot, edit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClicks(edit, text)


def test_first_run_enter_in_the_last_field_creates_the_administrator_then_sign_in_follows(
    db_url, clock, qtbot, monkeypatch
):
    application()
    clinic = Clinic.open(db_url, clock)
    startup = None
    seen = []

    def ask(cls, parent, save):
        dialog = FirstAdminDialog(parent, save)
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        for key, text in (
            ("username", "lead.lee"),
            ("full_name", "Sam Lee"),
            ("credentials", "RN"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ):
            _type(qtbot, dialog.fields.edits[key], text)
        qtbot.keyClick(dialog.fields.edits["confirm"], Qt.Key.Key_Return)
        seen.append(dialog.result())
        return dialog.answer()

    monkeypatch.setattr(FirstAdminDialog, "ask", classmethod(ask))
    try:
        startup = Startup(clinic)
        assert startup.begin()  # not quit: the administrator was created
        assert seen == [QDialog.DialogCode.Accepted]
        assert clinic.users.any_users()
        panel = startup.sign_in_window.panel
        assert panel.username.text() == "lead.lee"
        assert panel.password.hasFocus() or panel.focusWidget() in (None, panel.password)
        qtbot.keyClicks(panel.password, PASSWORD)
        qtbot.keyClick(panel.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: startup.main_window is not None, timeout=3000)
        qtbot.addWidget(startup.main_window)
        assert startup.main_window.controller.actor.username == "lead.lee"
    finally:
        if startup is not None and startup.main_window is not None:
            startup.main_window.close()
        if startup is not None and startup.sign_in_window is not None:
            startup.sign_in_window.close()
        clinic.close()


@pytest.mark.parametrize("dialog_class", [UserFormDialog, PasswordDialog])
def test_enter_in_the_last_field_of_an_account_form_saves(qtbot, dialog_class):
    application()
    saved = []

    if dialog_class is UserFormDialog:
        dialog = UserFormDialog(None, saved.append)
        _type(qtbot, dialog.fields.edits["username"], "nurse.ada")
    else:
        dialog = PasswordDialog(None, "nurse.ada", saved.append)
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    _type(qtbot, dialog.fields.edits["password"], PASSWORD)
    _type(qtbot, dialog.fields.edits["confirm"], PASSWORD)
    qtbot.keyClick(dialog.fields.edits["confirm"], Qt.Key.Key_Return)
    assert len(saved) == 1
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_tab_to_cancel_then_enter_cancels(qtbot):
    application()
    saved = []
    dialog = PasswordDialog(None, "nurse.ada", saved.append)
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    cancel.setFocus()
    qtbot.keyClick(cancel, Qt.Key.Key_Return)
    assert saved == []
    assert dialog.result() == QDialog.DialogCode.Rejected
