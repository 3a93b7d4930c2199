"""A session's timeline (session window tab): every session event, infusion action (rate
changes with their new rate), dose step, side effect (onset, severity change, resolution,
void) and medication given (and voided), in local time, with who and why.

Rows come from domain.record (services.record.RecordService.timeline). A voided item stays,
struck through, next to the row that says who voided it and why; a severe side effect says
SEVERE in words, not only in colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ketamon.domain.record import EventIn, TimelineEntry, build_timeline
from ketamon.domain.sessions import SessionEvent
from ketamon.domain.side_effects import Severity
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.vitals import Grade
from ketamon.ui import palette
from ketamon.ui.timefmt import local_time

COLUMNS = ("Time", "What", "By", "Reason / note", "Kind")
WHAT, BY = 1, 2
# Keyed by the Severity values: a timeline entry carries its severity as text ("" for none).
SEVERITY_BACKGROUNDS: dict[str, QColor] = {
    Severity.SEVERE: palette.grade_table(Grade.RED),
    Severity.MODERATE: palette.grade_table(Grade.AMBER),
}
INACTIVE_FOREGROUND = QColor(palette.MUTED)


def entries_from_events(events: Sequence[SessionEvent]) -> list[TimelineEntry]:
    """Session events alone (before the combined record is read)."""
    return build_timeline(
        [
            EventIn(e.kind.value, e.at, e.actor, e.reason, getattr(e, "rate_ml_h", None))
            for e in events
        ]
    )


class TimelineTable(QTableWidget):
    def __init__(
        self, entries: Sequence[TimelineEntry] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("timelineTable")  # QSS: 15px
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.entries: tuple[TimelineEntry, ...] = ()
        self.names: dict[str, str] = {}  # username -> display name ("By" shows the name)
        self.set_entries(entries)

    def set_events(self, events: Sequence[SessionEvent]) -> None:
        self.set_entries(entries_from_events(events))

    def set_entries(self, entries: Sequence[TimelineEntry]) -> None:
        if tuple(entries) == self.entries:
            return
        self.entries = tuple(entries)
        self.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            cells = (
                local_time(entry.at, with_date=True),
                entry.text
                + (
                    " (voided)"
                    if entry.voided and RecordStatus.VOIDED.label not in entry.text
                    else ""
                ),
                self.names.get(entry.actor, entry.actor),
                entry.reason,
                entry.kind.label,
            )
            background = SEVERITY_BACKGROUNDS.get(entry.severity)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == BY and entry.actor:
                    item.setToolTip(f"Username {entry.actor}")
                if entry.voided:
                    font = QFont()
                    font.setItalic(True)
                    font.setStrikeOut(
                        column == WHAT and RecordStatus.VOIDED.label not in entry.text
                    )
                    item.setFont(font)
                    item.setForeground(QBrush(INACTIVE_FOREGROUND))
                elif background is not None and column == WHAT:
                    item.setBackground(QBrush(background))
                self.setItem(row, column, item)

    def rows(self) -> list[list[str]]:
        lines = []
        for r in range(self.rowCount()):
            cells = [self.item(r, c) for c in range(self.columnCount())]
            lines.append([cell.text() if cell is not None else "" for cell in cells])
        return lines
