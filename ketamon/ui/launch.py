"""The board's start: the sign-in window first, the data layer behind it.

The sign-in window needs nothing from the database until Enter is pressed, so it is shown
at once, before SQLAlchemy is imported (issue 19: that import alone was half of the wait
for the first window). A thread then runs `prepare` (ketamon.cli's: the data layer, the
main window and the dialogs imported, logging set up, the database URL resolved) and opens
the clinic's database while the nurse types. An upgrade of the schema runs there too, each
step shown on the sign-in window (what it does, step k of n, a bar, the seconds so far), so
that a long one cannot be taken for a hang. When it is done, on the GUI thread, the
clinic's name appears, a first run asks for the administrator, and the sign-in is handed
to ui.app's Startup. An Enter pressed before then waits for it (the window still painting)
and goes ahead: nothing typed is lost.

A database that cannot be opened ends the start as before: one line on stderr, the
message box naming the database and the reason (with a display), the error exit code.

KETAMON_QUIT_WHEN_IDLE (benchmarks, the wheel check): quit once the clinic is open and the
sign-in window ready. KETAMON_STARTUP_TRACE=FILE: append "shown <epoch seconds>" when the
first window is shown and the event loop idle, and "ready <epoch seconds>" when the
sign-in is ready (bench/startup.py reads them).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QObject, QThread, QTimer, Signal
from PySide6.QtWidgets import QApplication

from ketamon.domain.errors import DomainError, StorageError
from ketamon.domain.upgrades import UpgradeProgress, UpgradeStep
from ketamon.ui.qt_app import application, fill_screen
from ketamon.ui.signin import SignInWindow

if TYPE_CHECKING:  # the first window does not import the user rules (issue 19)
    from ketamon.domain.users import User

OPENING = "Opening the clinic's database…"


def trace(event: str) -> None:
    path = os.environ.get("KETAMON_STARTUP_TRACE")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{event} {time.time():.6f}\n")


OpenClinic = Callable[[str, UpgradeProgress], object]  # (url, progress) -> services' Clinic


class _Prepare(QThread):
    """Runs `prepare` (imports, mostly), then opens the clinic's database (an upgrade of
    its schema included), off the GUI thread; keeps the clinic or the error. Each upgrade
    step is emitted as `step` (received on the GUI thread)."""

    step = Signal(object)  # UpgradeStep

    def __init__(self, prepare: Callable[[], str], open_clinic: OpenClinic) -> None:
        super().__init__()
        self.prepare = prepare
        self.open_clinic = open_clinic
        self.url: str | None = None
        self.clinic: object | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.url = self.prepare()
            self.clinic = self.open_clinic(self.url, self.step.emit)
        except BaseException as error:  # handed to the GUI thread, which says or re-raises it
            self.error = error


class Launch(QObject):
    def __init__(
        self,
        prepare: Callable[[], str],
        failure_code: int,
        quit_app: Callable[[int], None] | None = None,
        open_clinic: OpenClinic | None = None,
    ) -> None:
        super().__init__()
        self.failure_code = failure_code
        # Qt 6: QCoreApplication.exit() is sticky, every later event loop of the process
        # returns at once; a test that drives a Launch without app.exec() passes its own.
        self.quit_app = quit_app if quit_app is not None else _exit_app
        self.exit_code = 0
        self.window = SignInWindow(OPENING, self._sign_in_first, "", self._choose_first)
        self.preparing = _Prepare(prepare, open_clinic or _open_clinic)
        self.preparing.step.connect(self._show_step)
        self.preparing.finished.connect(self.finish)
        self.startup: object | None = None  # ui.app.Startup, once the data layer is in
        self.clinic: object | None = None
        self.finished = False

    def start(self) -> None:
        fill_screen(self.window)
        QTimer.singleShot(0, lambda: trace("shown"))
        self.preparing.start()

    # -- a sign-in typed before the data layer is in ------------------------------------------
    def _sign_in_first(self, username: str, password: str) -> User:
        self._wait()
        return self.window.panel.sign_in(username, password)  # Startup's, now

    def _choose_first(self, username: str, temporary: str, new: str) -> User:
        self._wait()
        assert self.window.panel.choose_password is not None
        return self.window.panel.choose_password(username, temporary, new)

    def _show_step(self, step: UpgradeStep) -> None:
        self.window.show_progress(step.words, step.number, step.total)

    def _wait(self) -> None:
        # The window keeps painting (an upgrade's progress, its clock) while Enter waits;
        # typing and clicks wait in the queue, so the sign-in is not entered twice.
        while not self.preparing.wait(40):
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        self.finish()
        if self.startup is None:  # the start failed (and said why) or was cancelled
            raise DomainError("KetaMon could not open the clinic's database")

    # -- the data layer is in ------------------------------------------------------------
    def finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        self.window.hide_progress()
        error = self.preparing.error
        if isinstance(error, StorageError | DomainError):
            self._fail(str(error))
            return
        if error is not None:  # a fault in KetaMon itself: its traceback, and the start ends
            traceback.print_exception(error)  # (raised in a slot it would leave the window up)
            self._quit(self.failure_code)
            return
        full = _full_app()
        clinic = self.clinic = self.preparing.clinic
        assert clinic is not None
        startup = full.Startup(clinic)
        if not startup.attach(self.window):  # the first administrator not created
            self._quit(0)
            return
        self.startup = startup
        self.keeper = full.AnchorKeeper(clinic, self)
        trace("ready")
        if os.environ.get("KETAMON_QUIT_WHEN_IDLE"):
            QTimer.singleShot(0, lambda: self._quit(0))

    def _fail(self, text: str) -> None:
        print(f"ketamon: {text}", file=sys.stderr)
        full = _full_app()
        self.window.hide()
        if full.has_display():
            full.show_startup_error(text)
        self._quit(self.failure_code)

    def _quit(self, code: int) -> None:
        self.exit_code = code
        self.quit_app(code)

    def close(self) -> None:
        self.preparing.wait()
        # The thread's clinic, even when the start ended before it was handed on.
        close = getattr(self.clinic or self.preparing.clinic, "close", None)
        if close is not None:
            close()


def _exit_app(code: int) -> None:
    app = QApplication.instance()
    if app is not None:
        app.exit(code)


def _open_clinic(url: str, progress: UpgradeProgress) -> object:
    return _full_app().Clinic.open(url, progress=progress)


def _full_app() -> ModuleType:
    """ui.app (imported by `prepare` on its thread: here it is only looked up)."""
    import ketamon.ui.app as full

    return full


def launch(prepare: Callable[[], str], failure_code: int = 1) -> int:
    app = application()
    start = Launch(prepare, failure_code)
    start.start()
    try:
        app.exec()
    finally:
        start.close()
    return start.exit_code
