"""Today and Due, one dialog (the toolbar's Today…).

Today: the day's sessions (checked in, infusing, discharged...) and the patients whose next
planned visit is today and who have not come yet. Due: who needs an infusion — a booster
overdue, a series interrupted beyond its plan, due now, due this week — most urgent first,
each row saying why in words (the level is a word, not only a colour). Enter or a double
click chooses the patient (`ask()` returns their id; the caller opens their page); Esc
closes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.due import DueItem, DueLevel
from ketamon.domain.today import TodayLine
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, guarded

COLUMNS = ("Level", "Patient", "MRN", "Due by", "Why")
TODAY_COLUMNS = ("Time", "Patient", "MRN", "Chair", "Where they are")
GRADES = {DueLevel.OVERDUE: "red", DueLevel.SERIES_GAP: "red", DueLevel.DUE_NOW: "amber"}


@dataclass(frozen=True)
class DueHandlers:
    due: Callable[[], list[DueItem]]
    today: Callable[[], list[TodayLine]] | None = None


def local_hhmm(value: datetime) -> str:
    """ "14:05 CET": local, with the zone (the one time rule)."""
    return value.astimezone().strftime("%H:%M %Z")


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[int, tuple[str, ...]]]) -> None:
    """(patient id, cell texts) per row; the id rides on every cell (Enter opens them)."""
    table.setRowCount(len(rows))
    for row, (patient_id, values) in enumerate(rows):
        for column, text in enumerate(values):
            cell = QTableWidgetItem(text)
            cell.setData(Qt.ItemDataRole.UserRole, patient_id)
            table.setItem(row, column, cell)


class DueDialog(KitDialog):
    def __init__(self, parent: QWidget | None, handlers: DueHandlers) -> None:
        super().__init__(parent)
        self.handlers = handlers
        self.setWindowTitle("Today and due for an infusion")
        self.setMinimumSize(1000, 560)
        self.errors = FieldErrors(hide_empty_message=True)
        self.today_count = QLabel("")
        self.today_count.setObjectName("dialogTitle")
        self.today_table = _table(TODAY_COLUMNS)
        self.today_table.itemActivated.connect(self._open)
        self.count = QLabel("")
        self.count.setObjectName("dialogTitle")
        self.table = _table(COLUMNS)
        self.table.itemActivated.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if handlers.today is not None:
            layout.addWidget(self.today_count)
            layout.addWidget(self.today_table, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.errors.message)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        today = self.handlers.today
        lines = (guarded(self.errors, today) or []) if today is not None else []
        self.today_lines = lines
        _fill(
            self.today_table,
            [
                (
                    line.patient_id,
                    (local_hhmm(line.at), line.patient_name, line.mrn, line.chair, line.where),
                )
                for line in lines
            ],
        )
        self.today_count.setText(
            f"Today: {len(lines)} patient visit{'s' if len(lines) != 1 else ''}"
            if lines
            else "Today: no sessions and no planned visits yet."
        )
        items = guarded(self.errors, self.handlers.due) or []
        self.items = items
        _fill(
            self.table,
            [
                (
                    item.patient_id,
                    (
                        item.level.value.upper() if item.level in GRADES else item.level.value,
                        item.patient_name,
                        item.mrn,
                        f"{item.due_by:%a} {item.due_by.day} {item.due_by:%b %Y}",
                        item.why,
                    ),
                )
                for item in items
            ],
        )
        self.count.setText(
            f"Due: {len(items)} patient{'s' if len(items) != 1 else ''}, most urgent first"
            if items
            else "Due: no one is due this week."
        )
        first = self.today_table if lines else self.table
        if first.rowCount():
            first.setCurrentCell(0, 0)  # Enter opens it at once
            first.setFocus()

    def _open(self, cell: QTableWidgetItem) -> None:
        """The patient chosen: `ask()` returns their id (the caller opens their page)."""
        patient_id = cell.data(Qt.ItemDataRole.UserRole)
        if patient_id is not None:
            self.saved = int(patient_id)
            self.accept()
