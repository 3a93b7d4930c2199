"""Issue 15, the admin lists: a chair renamed on workstation B while A has the Chairs
dialog open; A's rename is refused in words naming B's user, the list shows B's name, and
Rename offers A's typed name again (nothing typed is lost); saved again, it wins."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ketamon.domain.actors import Actor
from ketamon.ui.dialogs.chairs import ChairsDialog, NameDialog
from tests.conftest import PASSWORD, add_user, open_clinic
from tests.ui.conftest import choose_setup
from tests.ui.test_chairs_dialog import button, names

pytestmark = pytest.mark.both_backends
KIM = Actor("nurse.kim", "Kim Lee, RN")


def test_a_stale_chair_rename_is_refused_shows_the_other_name_and_keeps_the_typed_one(
    clinic, db_url, clock, make_window, qtbot, monkeypatch
):
    add_user(clinic, "nurse.kim", "Kim Lee", "RN", "nurse,admin", PASSWORD)
    other = open_clinic(db_url, clock)  # workstation B
    window = make_window(clinic)
    seen = {}

    def ask(cls, parent, handlers):
        dialog = ChairsDialog(parent, handlers)
        qtbot.addWidget(dialog)
        dialog.list.setCurrentRow(0)
        first = other.chairs.all()[0]
        other.chairs.rename(KIM, first.id, "Window chair")  # B, while A's list is open
        typed = []

        def name_dialog(c, parent, title, current=""):
            typed.append(current)
            return "Recliner 1"

        monkeypatch.setattr(NameDialog, "ask", classmethod(name_dialog))
        qtbot.mouseClick(button(dialog, "Rename…"), Qt.MouseButton.LeftButton)
        seen["refused"] = dialog.message.text()
        seen["after refusal"] = names(dialog)[0]
        dialog.list.setCurrentRow(0)
        qtbot.mouseClick(button(dialog, "Rename…"), Qt.MouseButton.LeftButton)
        seen["offered"] = typed
        seen["saved"] = names(dialog)[0]
        return dialog.answer()

    monkeypatch.setattr(ChairsDialog, "ask", classmethod(ask))
    try:
        choose_setup(qtbot, window, window.chairs_action)
        qtbot.waitUntil(lambda: "saved" in seen, timeout=3000)
    finally:
        other.close()
    assert "Kim Lee, RN" in seen["refused"] and "another workstation" in seen["refused"]
    assert seen["after refusal"] == "Window chair"  # B's name, as stored now
    assert seen["offered"] == ["Chair 1", "Recliner 1"]  # A's typed name offered again
    assert seen["saved"] == "Recliner 1"
    assert clinic.chairs.all()[0].name == "Recliner 1"


def test_a_stale_deactivation_keeps_the_reason_typed_and_goes_over_the_account_as_it_is(
    clinic, db_url, clock, make_window, qtbot, monkeypatch
):
    """Users: B resets Sam's password while A's list is open; A's Deactivate is refused in
    words, the list reloads, and the reason A typed is offered again in the popup."""
    from ketamon.ui.dialogs.reason import ReasonDialog
    from ketamon.ui.dialogs.users import UsersDialog

    add_user(clinic, "nurse.kim", "Kim Lee", "RN", "nurse,admin", PASSWORD)
    add_user(clinic, "nurse.sam", "Sam Okoye", "RN", "nurse", PASSWORD)
    other = open_clinic(db_url, clock)
    window = make_window(clinic)
    offered: list[str] = []
    seen = {}

    def reason(cls, parent, title, prompt, presets=(), current=""):
        offered.append(current)
        return current or "Left the clinic"

    def ask(cls, parent, handlers):
        dialog = UsersDialog(parent, handlers)
        qtbot.addWidget(dialog)
        row = next(
            r
            for r in range(dialog.table.rowCount())
            if dialog.table.item(r, 0).text() == "nurse.sam"
        )
        dialog.table.selectRow(row)
        other.users.reset_password(KIM, "nurse.sam", "a brand new pass 1")  # B, meanwhile
        monkeypatch.setattr(ReasonDialog, "ask", classmethod(reason))
        qtbot.mouseClick(dialog.buttons["Deactivate…"], Qt.MouseButton.LeftButton)
        seen["refused"] = dialog.message.text()
        qtbot.mouseClick(dialog.buttons["Deactivate…"], Qt.MouseButton.LeftButton)
        seen["done"] = True
        return dialog.answer()

    monkeypatch.setattr(UsersDialog, "ask", classmethod(ask))
    try:
        choose_setup(qtbot, window, window.users_action)
        qtbot.waitUntil(lambda: "done" in seen, timeout=3000)
    finally:
        other.close()
    assert seen["refused"].startswith("Not done:") and "Kim Lee, RN" in seen["refused"]
    assert offered == ["", "Left the clinic"]  # the typed reason, offered again
    sam = next(u for u in clinic.users.all() if u.username == "nurse.sam")
    assert not sam.active
