"""Changes from other workstations reach the screens on the Qt thread.

The clinic's live feed (ketamon.storage.live) hears of them on a thread of its own; a
queued signal carries each one to the thread this object lives on, where the screens
follow it like a change made here (MainWindow starts and stops the feed).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal


class MainThreadPost(QObject):
    """`post(fn)` from any thread: fn runs soon on this object's thread, in its event loop."""

    _call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def __call__(self, fn: Callable[[], object]) -> None:
        self._call.emit(fn)

    def _run(self, fn: Callable[[], object]) -> None:
        fn()
