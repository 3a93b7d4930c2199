"""An admin manages users from the Users dialog; Open session shows the audit history."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from ketamon.domain.actors import Actor
from ketamon.ui.dialogs.accounts import PasswordDialog, UserFormDialog
from ketamon.ui.dialogs.reason import ReasonDialog
from ketamon.ui.dialogs.users import UsersDialog
from ketamon.ui.session_window import open_windows
from tests.conftest import NURSE, T0, ask_questionnaires, baseline, draft, plan_dose, plan_escort
from tests.ui.conftest import click, tile_of, toolbar_shows

SAM = ("nurse.sam", "Sam Okoye", "RN", "nurse", "sam's password 1")


def row_of(dialog, username):
    return next(i for i, u in enumerate(dialog.users) if u.username == username)


def cells(dialog, row):
    return [dialog.table.item(row, c).text() for c in range(dialog.table.columnCount())]


def drive_add_user(monkeypatch, qtbot, **values):
    """Replace the Add user dialog's exec() with typing into the real dialog."""

    def ask(cls, parent, save):
        dialog = UserFormDialog(parent, save)
        qtbot.addWidget(dialog)
        dialog.show()
        for key, text in values.items():
            if key == "roles":
                for role in text:
                    qtbot.mouseClick(dialog.roles.boxes[role], Qt.MouseButton.LeftButton)
                continue
            dialog.fields.edits[key].clear()
            qtbot.keyClicks(dialog.fields.edits[key], text)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        ask.dialogs.append(dialog)
        return (
            dialog.result_value if dialog.result() == UserFormDialog.DialogCode.Accepted else None
        )

    ask.dialogs = []
    monkeypatch.setattr(UserFormDialog, "ask", classmethod(ask))
    return ask.dialogs


def open_users_dialog(window, monkeypatch, qtbot, body):
    def ask(cls, parent, handlers):
        dialog = UsersDialog(parent, handlers)
        qtbot.addWidget(dialog)
        dialog.show()
        body(dialog)

    monkeypatch.setattr(UsersDialog, "ask", classmethod(ask))
    window.controller.edit_users()


def test_admin_adds_and_deactivates_users(clinic, make_window, qtbot, monkeypatch):
    clinic.users.add(NURSE, *SAM[:4], SAM[4])
    window = make_window(clinic)
    assert toolbar_shows(window, window.users_action)

    def body(dialog):
        assert [u.username for u in dialog.users] == ["nurse.jo", "nurse.sam"]
        assert cells(dialog, 0) == ["nurse.jo", "Jo Rivera", "RN", "nurse,admin", "active"]
        # A taken username is refused at the field; the dialog keeps what was typed.
        dialogs = drive_add_user(
            monkeypatch,
            qtbot,
            username="nurse.sam",
            full_name="Someone Else",
            credentials="RN",
            roles=("nurse",),
            password="long enough pw",
            confirm="long enough pw",
        )
        qtbot.mouseClick(dialog.buttons["Add user…"], Qt.MouseButton.LeftButton)
        [refused] = dialogs
        assert (
            refused.fields.errors["username"]
            .text()
            .startswith("Username 'nurse.sam' was just added (by ")
        )
        assert refused.fields.text("full_name") == "Someone Else"
        assert len(dialog.users) == 2

        drive_add_user(
            monkeypatch,
            qtbot,
            username="dr.ng",
            full_name="Lin Ng",
            credentials="MD",
            roles=("physician",),
            password="physician pw 1",
            confirm="physician pw 1",
        )
        qtbot.mouseClick(dialog.buttons["Add user…"], Qt.MouseButton.LeftButton)
        row = row_of(dialog, "dr.ng")
        assert cells(dialog, row) == ["dr.ng", "Lin Ng", "MD", "physician", "active"]
        assert dialog.selected().username == "dr.ng"

        # Deactivate needs a reason; without one nothing changes.
        dialog.table.selectRow(row_of(dialog, "nurse.sam"))
        monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: None))
        qtbot.mouseClick(dialog.buttons["Deactivate…"], Qt.MouseButton.LeftButton)
        assert cells(dialog, row_of(dialog, "nurse.sam"))[4] == "active"
        monkeypatch.setattr(
            ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "Left the clinic")
        )
        qtbot.mouseClick(dialog.buttons["Deactivate…"], Qt.MouseButton.LeftButton)
        assert cells(dialog, row_of(dialog, "nurse.sam"))[4] == "deactivated"
        assert dialog.buttons["Reactivate…"].isEnabled()
        assert not dialog.buttons["Deactivate…"].isEnabled()

        # The service refuses deactivating yourself; the message shows in the dialog.
        dialog.table.selectRow(row_of(dialog, "nurse.jo"))
        qtbot.mouseClick(dialog.buttons["Deactivate…"], Qt.MouseButton.LeftButton)
        assert dialog.message.text() == "You cannot deactivate your own account"

        # Reset password: a short one is refused at the field.
        dialog.table.selectRow(row_of(dialog, "dr.ng"))

        def reset(cls, parent, username, save):
            pw = PasswordDialog(parent, username, save)
            qtbot.addWidget(pw)
            pw.show()
            for key, text in (("password", "too short"), ("confirm", "too short")):
                qtbot.keyClicks(pw.fields.edits[key], text)
            qtbot.mouseClick(pw.ok_button, Qt.MouseButton.LeftButton)
            assert "at least 10" in pw.fields.errors["password"].text()
            for key in ("password", "confirm"):
                pw.fields.edits[key].clear()
                qtbot.keyClicks(pw.fields.edits[key], "a new password")
            qtbot.mouseClick(pw.ok_button, Qt.MouseButton.LeftButton)
            return pw.result() == PasswordDialog.DialogCode.Accepted

        monkeypatch.setattr(PasswordDialog, "ask", classmethod(reset))
        qtbot.mouseClick(dialog.buttons["Reset password…"], Qt.MouseButton.LeftButton)
        assert dialog.message.text() == "New password set for dr.ng"

    open_users_dialog(window, monkeypatch, qtbot, body)
    states = {u.username: u.active for u in clinic.users.all()}
    assert states == {"nurse.jo": True, "nurse.sam": False, "dr.ng": True}
    assert clinic.auth.sign_in("dr.ng", "a new password").display_name == "Lin Ng, MD"


def test_a_nurse_without_admin_sees_no_users_or_chairs_and_the_service_refuses(
    clinic, make_window, qtbot, monkeypatch
):
    clinic.users.add(NURSE, *SAM[:4], SAM[4])
    window = make_window(clinic, Actor("nurse.sam", "Sam Okoye, RN"))
    assert window.user_label.text() == "Sam Okoye, RN"
    assert window.roles_action.text() == "Roles: nurse"
    assert not toolbar_shows(window, window.users_action)
    assert not toolbar_shows(window, window.chairs_action)
    assert toolbar_shows(window, window.lock_action)
    assert toolbar_shows(window, window.switch_action)

    def body(dialog):  # reached some other way: the service still says no
        dialog.table.selectRow(row_of(dialog, "nurse.jo"))
        monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "Test"))
        qtbot.mouseClick(dialog.buttons["Deactivate…"], Qt.MouseButton.LeftButton)
        assert dialog.message.text() == "Sam Okoye, RN is not allowed to manage users"

    open_users_dialog(window, monkeypatch, qtbot, body)
    assert all(u.active for u in clinic.users.all())


def test_history_tab_shows_the_audit_rows_of_the_session(
    clinic, clock, make_window, qtbot, monkeypatch
):
    patient = clinic.patients.register(NURSE, draft(name="Lena Park"))
    chair = clinic.chairs.all()[0]
    s = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    clinic.users.add(NURSE, *SAM[:4], SAM[4])
    sam = Actor("nurse.sam", "Sam Okoye, RN")
    clock.advance(minutes=4)
    baseline(clinic, s.id)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(minutes=6)
    clinic.sessions.pause(sam, s.id, "Elevated blood pressure")
    window = make_window(clinic)
    click(qtbot, tile_of(window, 0), "open")
    [dialog] = open_windows()
    qtbot.addWidget(dialog)
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == ["Vitals", "Timeline", "History", "Interventions", "Record"]
    history = dialog.history
    assert len(history.entries) == len(clinic.audit.session_history(s.id))
    rows = history.rows()
    # Time, Who, Action, Record, Field, Old value → new value, Reason
    local = (T0 + timedelta(minutes=10)).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    pause = next(r for r in rows if r[5] == "kind: pause")
    assert pause[:3] == [local, "nurse.sam", "created"]
    assert pause[3].startswith("event ")
    assert pause[6] == "Elevated blood pressure"
    started = next(r for r in rows if r[4] == "phase")
    assert started[1:3] == ["nurse.jo", "changed"]
    assert started[5] == "checked_in → infusing"
    # A created record opens to show every field it was created with.
    index = rows.index(pause)
    item = history.topLevelItem(index)
    fields = {item.child(i).text(4): item.child(i).text(5) for i in range(item.childCount())}
    assert fields["kind"] == "pause"
    assert fields["reason"] == "Elevated blood pressure"
    assert fields["at"] == local
