"""Start-up: the first administrator on an empty database, then signing in by typing."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ketamon.domain.users import SIGN_IN_REFUSED
from ketamon.services.clinic import Clinic
from ketamon.ui.app import Startup, application
from ketamon.ui.dialogs.accounts import FirstAdminDialog
from tests.conftest import PASSWORD, add_user
from tests.ui.conftest import toolbar_shows


def type_into(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def fill_account(qtbot, dialog, **values) -> None:
    for key, text in values.items():
        type_into(qtbot, dialog.fields.edits[key], text)


def test_first_run_creates_the_administrator_then_signs_in_by_typing(
    db_url, clock, qtbot, monkeypatch
):
    application()
    clinic = Clinic.open(db_url, clock)
    startup = None
    try:
        assert not clinic.users.any_users()
        created = []

        def ask(cls, parent, save):
            dialog = FirstAdminDialog(parent, save)
            qtbot.addWidget(dialog)
            dialog.show()  # as exec() would
            assert dialog.roles.boxes["admin"].isChecked()
            assert not dialog.roles.boxes["admin"].isEnabled()  # the first account administers
            fill_account(
                qtbot,
                dialog,
                username="lead.lee",
                full_name="Sam Lee",
                credentials="RN",
                password="short",
                confirm="short",
            )
            qtbot.mouseClick(dialog.roles.boxes["nurse"], Qt.MouseButton.LeftButton)
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            # Refused at the field; nothing typed is lost.
            assert dialog.fields.errors["password"].text() == (
                "Password must be at least 10 characters"
            )
            assert dialog.fields.errors["password"].isVisible()
            assert dialog.fields.text("full_name") == "Sam Lee"
            assert dialog.fields.text("confirm") == "short"
            assert not clinic.users.any_users()
            fill_account(qtbot, dialog, password="infusion-room-7", confirm="infusion-room-8")
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            assert dialog.fields.errors["confirm"].text() == "The two passwords differ"
            assert not clinic.users.any_users()
            fill_account(qtbot, dialog, confirm="infusion-room-7")
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            assert dialog.result() == FirstAdminDialog.DialogCode.Accepted
            created.append(dialog.result_value)
            return dialog.result_value

        monkeypatch.setattr(FirstAdminDialog, "ask", classmethod(ask))
        startup = Startup(clinic)
        assert startup.begin()
        [admin] = created
        assert admin.username == "lead.lee"
        panel = startup.sign_in_window.panel
        assert startup.sign_in_window.isVisible()
        assert panel.username.text() == "lead.lee"  # filled in after creating the account

        type_into(qtbot, panel.username, "lead.lee")
        type_into(qtbot, panel.password, "infusion-room-7")
        qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: startup.main_window is not None, timeout=2000)
        window = startup.main_window
        qtbot.addWidget(window)
        assert startup.sign_in_window is None
        assert window.user_label.text() == "Sam Lee, RN"
        assert window.roles_action.text() == "Roles: nurse, admin"
        assert window.controller.actor.username == "lead.lee"
        # The default chairs were created under the first sign-in.
        assert [t.name_label.text() for t in window.board.tiles.values()][:2] == [
            "Chair 1",
            "Chair 2",
        ]
        window.showNormal()
        window.resize(1366, 768)  # the smallest clinic screen (offscreen's own is 800 px)
        assert toolbar_shows(window, window.users_action)
        assert toolbar_shows(window, window.chairs_action)
    finally:
        if startup is not None and startup.main_window is not None:
            startup.main_window.close()
        clinic.close()


def test_wrong_password_shows_the_message_and_stays_on_the_sign_in_screen(clinic, qtbot):
    application()
    startup = Startup(clinic)
    assert startup.begin()
    window = startup.sign_in_window
    try:
        panel = window.panel
        for username, password in (
            ("nurse.jo", "not the password"),
            ("nobody.here", PASSWORD),  # an unknown user reads the same
        ):
            type_into(qtbot, panel.username, username)
            type_into(qtbot, panel.password, password)
            qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
            assert panel.message.text() == SIGN_IN_REFUSED
            assert panel.message.isVisible()
            assert startup.main_window is None
            assert window.isVisible()
            assert panel.username.text() == username
            assert panel.password.text() == ""
        # Enter in the password field signs in.
        type_into(qtbot, panel.username, "nurse.jo")
        type_into(qtbot, panel.password, PASSWORD)
        qtbot.keyClick(panel.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: startup.main_window is not None, timeout=2000)
        qtbot.addWidget(startup.main_window)
        assert startup.main_window.user_label.text() == "Jo Rivera, RN"
    finally:
        if startup.sign_in_window is not None:
            startup.sign_in_window.close()
        if startup.main_window is not None:
            startup.main_window.close()


def test_a_physician_signs_in_to_the_review_list_a_nurse_to_the_board(clinic, qtbot):
    application()
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    for username, expect_review in (("dr.patel", True), ("nurse.jo", False)):
        startup = Startup(clinic)
        assert startup.begin()
        panel = startup.sign_in_window.panel
        type_into(qtbot, panel.username, username)
        type_into(qtbot, panel.password, PASSWORD)
        qtbot.keyClick(panel.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda s=startup: s.main_window is not None, timeout=2000)
        window = startup.main_window
        try:
            review = getattr(window.controller, "review_window", None)
            if expect_review:
                assert review is not None and review.isVisible()
                assert review.awaiting.text() == "Awaiting review: 0"
            else:
                assert review is None
                assert window.board.isVisible()
        finally:
            if review is not None:
                review.close()
            window.close()


def test_after_a_reset_the_user_chooses_their_own_password_by_keyboard_before_entering(
    clinic, qtbot
):
    from ketamon.services.users import SignInRefused
    from tests.conftest import NURSE, TEMPORARY_PASSWORD

    application()
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    clinic.users.reset_password(NURSE, "dr.patel", TEMPORARY_PASSWORD)
    startup = Startup(clinic)
    assert startup.begin()
    panel = startup.sign_in_window.panel
    startup.sign_in_window.activateWindow()  # where the keyboard goes is part of the test
    qtbot.waitUntil(startup.sign_in_window.isActiveWindow, timeout=2000)
    try:
        type_into(qtbot, panel.username, "dr.patel")
        type_into(qtbot, panel.password, TEMPORARY_PASSWORD)
        qtbot.keyClick(panel.password, Qt.Key.Key_Return)
        # Not in yet: the new password is asked, twice, with the reason in words.
        assert startup.main_window is None
        assert panel.choose_box.isVisible()
        qtbot.waitUntil(panel.new_password.hasFocus, timeout=2000)
        assert not panel.password.isEnabled()
        assert panel.sign_in_button.text() == "Choose password and sign in"
        qtbot.keyClicks(panel.new_password, "my own secret 1")
        qtbot.keyClick(panel.new_password, Qt.Key.Key_Return)  # on to the second field
        qtbot.keyClicks(panel.repeat_password, "my own secret 2")
        qtbot.keyClick(panel.repeat_password, Qt.Key.Key_Return)
        assert panel.message.text() == "The two new passwords differ: type them again"
        assert startup.main_window is None and panel.new_password.text() == ""
        qtbot.keyClicks(panel.new_password, TEMPORARY_PASSWORD)  # the one the admin knows
        qtbot.keyClick(panel.new_password, Qt.Key.Key_Return)
        qtbot.keyClicks(panel.repeat_password, TEMPORARY_PASSWORD)
        qtbot.keyClick(panel.repeat_password, Qt.Key.Key_Return)
        assert "different from the one you have" in panel.message.text()
        assert startup.main_window is None
        qtbot.keyClicks(panel.new_password, "my own secret 1")
        qtbot.keyClick(panel.new_password, Qt.Key.Key_Return)
        qtbot.keyClicks(panel.repeat_password, "my own secret 1")
        qtbot.keyClick(panel.repeat_password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: startup.main_window is not None, timeout=2000)
        qtbot.addWidget(startup.main_window)
        assert startup.main_window.user_label.text() == "Priya Patel, MD"
        assert startup.main_window.roles_action.text() == "Roles: physician"
    finally:
        if startup.main_window is not None:
            review = getattr(startup.main_window.controller, "review_window", None)
            if review is not None:
                review.close()
            startup.main_window.close()
        if startup.sign_in_window is not None:
            startup.sign_in_window.close()
    # The temporary password is gone; the chosen one signs in and holds a signing key.
    try:
        clinic.auth.sign_in("dr.patel", TEMPORARY_PASSWORD)
        raise AssertionError("the temporary password still signs in")
    except SignInRefused:
        pass
    assert not clinic.auth.sign_in("dr.patel", "my own secret 1").must_change_password


def test_change_password_from_the_user_menu(clinic, clock, make_window, qtbot, monkeypatch):
    from ketamon.domain.actors import Actor
    from ketamon.ui.dialogs.accounts import ChangePasswordDialog

    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    window = make_window(clinic, Actor("dr.patel", "Priya Patel, MD"))
    assert window.password_action in window.user_label.menu().actions()

    def ask(cls, parent, username, change):
        dialog = ChangePasswordDialog(parent, username, change)
        qtbot.addWidget(dialog)
        dialog.show()
        fill_account(
            qtbot,
            dialog,
            current="not my password",
            password="new secret 12",
            confirm="new secret 12",
        )
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.general_error.text() == SIGN_IN_REFUSED  # nothing changed
        fill_account(
            qtbot, dialog, current=PASSWORD, password="new secret 12", confirm="new secret 12"
        )
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        return dialog.result_value

    monkeypatch.setattr(ChangePasswordDialog, "ask", classmethod(ask))
    said = []
    monkeypatch.setattr(window.controller, "_say", lambda title, text, **kw: said.append(title))
    window.password_action.trigger()
    assert said == ["Password changed"]
    assert clinic.auth.sign_in("dr.patel", "new secret 12").username == "dr.patel"
