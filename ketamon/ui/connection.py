"""Whether the database can be reached, as the screens learn it: one watch per clinic.

While the database answers, nothing is polled: the watch only hears of the faults of real
actions and of the board's own reloads (`report_fault`, called where a refusal is caught:
the dialog kit's guard, the board controller, the lock panel). A fault that means the
database cannot be reached at all (StorageError.unreachable: server stopped, network down,
file gone) makes it `lost`; from then on one cheap `check` (a round trip) runs every
RETRY_MS, in a thread of its own so that a server that does not answer never freezes the
screen, until it passes: `restored`. Nothing typed is touched: the forms keep it, and the
same Save works once the database is back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ketamon.domain.errors import StorageError

RETRY_MS = 5000

log = logging.getLogger(__name__)

_watches: weakref.WeakSet[ConnectionWatch] = weakref.WeakSet()


def report_fault(error: BaseException) -> None:
    """A refusal a screen caught: a database that cannot be reached is told to the watch of
    that database (the banner shows); anything else is left to the screen that caught it.
    Call it from the GUI thread (a worker thread hands its fault over with a signal)."""
    if isinstance(error, StorageError) and error.unreachable:
        for watch in list(_watches):
            watch.report(error)


def watch_for(location: str) -> ConnectionWatch | None:
    """The watch of the database at `location` (None when no window watches it)."""
    return next((w for w in list(_watches) if w.location == location), None)


class ConnectionWatch(QObject):
    lost = Signal(object)  # StorageError: cannot be reached (again after each failed retry)
    restored = Signal()  # it answers again
    _checked = Signal(object)  # from the checking thread: None, or the StorageError

    def __init__(
        self, check: Callable[[], None], location: str, parent: QObject | None = None
    ) -> None:
        """`check`: raises StorageError while the database at `location` cannot be reached."""
        super().__init__(parent)
        self.check = check
        self.location = location
        self.fault: StorageError | None = None
        self.checks = 0  # retries run (tests count them: none while healthy)
        self._checking = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RETRY_MS)
        self.timer.timeout.connect(self._start_check)
        self._checked.connect(self._after_check)  # queued: emitted from another thread
        _watches.add(self)

    @property
    def down(self) -> bool:
        return self.fault is not None

    def report(self, error: StorageError) -> None:
        """A real action or a reload could not reach this watch's database."""
        if error.location != self.location or not error.unreachable:
            return
        was_down = self.down
        self.fault = error
        if not was_down:
            log.warning("Database %s cannot be reached: %s", self.location, error.reason)
        self.lost.emit(error)
        if not self._checking and not self.timer.isActive():
            self.timer.start()

    def stop(self) -> None:
        """The window closes: no more retries (a check under way is let finish, unheard)."""
        self.timer.stop()
        self.fault = None
        _watches.discard(self)

    # -- retrying, only while down ---------------------------------------------------------
    def _start_check(self) -> None:
        if self._checking or not self.down:
            return
        self._checking = True
        self.checks += 1
        threading.Thread(
            target=self._run_check, name="ketamon-connection-check", daemon=True
        ).start()

    def _run_check(self) -> None:
        result: StorageError | None = None
        try:
            self.check()
        except StorageError as error:
            result = error
        except Exception as error:  # a driver fault without words: still not back
            result = StorageError(self.location, f"{type(error).__name__}: {error}")
        with contextlib.suppress(RuntimeError):  # the watch was deleted meanwhile
            self._checked.emit(result)

    def _after_check(self, result: StorageError | None) -> None:
        self._checking = False
        if not self.down:
            return  # stopped meanwhile
        if result is None:
            log.warning("Database %s answers again", self.location)
            self.fault = None
            self.restored.emit()
            return
        if result.unreachable:
            self.fault = result  # the reason may have changed (refused, then timeout)
        self.lost.emit(self.fault)
        self.timer.start()
