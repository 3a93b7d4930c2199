"""Due: who needs an infusion — a booster overdue, a series interrupted beyond its plan,
due now, due this week — most urgent first, each row saying why in words (the level is a
word, not only a colour). Enter or a double click chooses the patient (`ask()` returns
their id; the caller opens their page); Esc closes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, guarded

COLUMNS = ("Level", "Patient", "MRN", "Due by", "Why")
GRADES = {DueLevel.OVERDUE: "red", DueLevel.SERIES_GAP: "red", DueLevel.DUE_NOW: "amber"}


@dataclass(frozen=True)
class DueHandlers:
    due: Callable[[], list[DueItem]]


class DueDialog(KitDialog):
    def __init__(self, parent: QWidget | None, handlers: DueHandlers) -> None:
        super().__init__(parent)
        self.handlers = handlers
        self.setWindowTitle("Due for an infusion")
        self.setMinimumSize(1000, 480)
        self.errors = FieldErrors(hide_empty_message=True)
        self.count = QLabel("")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemActivated.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.errors.message)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        items = guarded(self.errors, self.handlers.due) or []
        self.items = items
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            values = (
                item.level.value.upper() if item.level in GRADES else item.level.value,
                item.patient_name,
                item.mrn,
                f"{item.due_by:%a} {item.due_by.day} {item.due_by:%b %Y}",
                item.why,
            )
            for column, text in enumerate(values):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.patient_id)
                self.table.setItem(row, column, cell)
        self.count.setText(
            f"{len(items)} patient{'s' if len(items) != 1 else ''} due, most urgent first"
            if items
            else "No one is due this week."
        )
        if items:
            self.table.selectRow(0)
            self.table.setFocus()

    def _open(self, cell: QTableWidgetItem) -> None:
        """The patient chosen: `ask()` returns their id (the caller opens their page)."""
        patient_id = cell.data(Qt.ItemDataRole.UserRole)
        if patient_id is not None:
            self.saved = int(patient_id)
            self.accept()
