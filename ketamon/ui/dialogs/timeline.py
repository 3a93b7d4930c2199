"""A session's timeline: every event, in local time, with who and why (session window tab)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ketamon.domain.sessions import SessionEvent
from ketamon.ui.timefmt import local_time

COLUMNS = ("Time", "Event", "By", "Reason")


class TimelineTable(QTableWidget):
    def __init__(self, events: Sequence[SessionEvent] = (), parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.events: tuple[SessionEvent, ...] = ()
        self.set_events(events)

    def set_events(self, events: Sequence[SessionEvent]) -> None:
        if tuple(events) == self.events:
            return
        self.events = tuple(events)
        self.setRowCount(len(self.events))
        for row, event in enumerate(self.events):
            cells = (
                local_time(event.at, with_date=True),
                event.kind.label,
                event.actor,
                event.reason,
            )
            for column, text in enumerate(cells):
                self.setItem(row, column, QTableWidgetItem(text))

    def rows(self) -> list[list[str]]:
        return [
            [self.item(r, c).text() for c in range(self.columnCount())]
            for r in range(self.rowCount())
        ]
