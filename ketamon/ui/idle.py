"""How long since the last keyboard or mouse input anywhere in the application.

Times come from the injected clock, so a test moves a FakeClock forward instead of waiting
five minutes; the board's repaint tick asks `idle_for()` about once a second.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QEvent, QObject

from ketamon.domain.clock import Clock

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatch(QObject):
    """An application-wide event filter that notes the time of every input event."""

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.last_input: datetime = clock()
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)  # removed by Qt when this object is destroyed

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.last_input = self.clock()
        return False

    def reset(self) -> None:
        self.last_input = self.clock()

    def idle_for(self) -> timedelta:
        idle = self.clock() - self.last_input
        if idle < timedelta(0):  # the clock was set back: count from now
            self.reset()
            return timedelta(0)
        return idle

    def stop(self) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
