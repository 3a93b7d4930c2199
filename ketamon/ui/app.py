"""Start the desktop application: first administrator, sign-in, then the board."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QTimer

from ketamon.domain.actors import Actor
from ketamon.domain.users import User
from ketamon.services.clinic import Clinic
from ketamon.ui.dialogs.accounts import FirstAdminDialog, UserDraft
from ketamon.ui.main_window import MainWindow
from ketamon.ui.qt_app import application, fill_screen, has_display, stylesheet
from ketamon.ui.signin import SignInWindow

__all__ = ["AnchorKeeper", "Startup", "application", "has_display", "run", "stylesheet"]


def show_startup_error(text: str) -> None:
    """A nurse who started KetaMon from a desktop icon sees why it could not open."""
    from PySide6.QtWidgets import QMessageBox

    application()
    box = QMessageBox(QMessageBox.Icon.Critical, "KetaMon could not start", text)
    box.setInformativeText("Nothing was changed. Tell the clinic administrator what it says.")
    box.exec()


class Startup(QObject):
    """First run (create the administrator), then sign-in, then the board as that user."""

    def __init__(self, clinic: Clinic) -> None:
        super().__init__()
        self.clinic = clinic
        self.sign_in_window: SignInWindow | None = None
        self.main_window: MainWindow | None = None

    def begin(self) -> bool:
        """Show the first screen. False when there is nothing to show (first run cancelled)."""
        window = SignInWindow("", self._sign_in, "", self.clinic.users.change_password)
        if not self.attach(window):
            window.deleteLater()
            return False
        fill_screen(window)
        return True

    def attach(self, window: SignInWindow) -> bool:
        """Take over a sign-in window (ui/launch shows it before the data layer is in): the
        clinic's name on it, the first administrator asked for on a first run (False when
        cancelled), and a sign-in that opens the board."""
        if not self.clinic.users.any_users():
            admin = FirstAdminDialog.ask(
                window if window.isVisible() else None, self._create_first_admin
            )
            if admin is None:
                return False
            if not window.panel.username.text():
                window.panel.reset(admin.username)
        window.set_clinic_name(self.clinic.settings.get().clinic_name)
        window.panel.sign_in = self._sign_in
        window.panel.choose_password = self.clinic.users.change_password
        window.signed_in.connect(self._open_board)
        self.sign_in_window = window
        return True

    def _create_first_admin(self, draft: UserDraft) -> User:
        return self.clinic.users.create_first_admin(
            draft.username, draft.full_name, draft.credentials, draft.password, draft.roles
        )

    def _sign_in(self, username: str, password: str) -> User:
        user = self.clinic.auth.sign_in(username, password)
        # A brand-new clinic gets its default chairs, recorded under the first sign-in.
        self.clinic.chairs.ensure_defaults(Actor(user.username, user.display_name))
        return user

    def _open_board(self, user: User) -> None:
        self.main_window = MainWindow(self.clinic, Actor(user.username, user.display_name))
        fill_screen(self.main_window)
        self.main_window.open_start_view()
        if self.sign_in_window is not None:
            self.sign_in_window.close()
            self.sign_in_window.deleteLater()
            self.sign_in_window = None


class AnchorKeeper(QObject):
    """Anchors the audit chain's head at start-up and then hourly whenever the newest anchor
    is a day old (Clinic.close() anchors at every clean shutdown)."""

    INTERVAL_MS = 60 * 60 * 1000

    def __init__(self, clinic: Clinic, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.check()
        self.timer.start()

    def check(self) -> None:
        self.clinic.anchors.anchor_if_due()  # never raises: a failure is logged


def run(clinic: Clinic) -> int:
    app = application()
    startup = Startup(clinic)
    if not startup.begin():
        return 0
    _keeper = AnchorKeeper(clinic, startup)
    if os.environ.get("KETAMON_QUIT_WHEN_IDLE"):
        # Benchmarks: leave as soon as the first screen is shown and the event queue is idle.
        QTimer.singleShot(0, app.quit)
    return app.exec()
