"""The review list's table view: one row per session, fixed row height, no row numbers.

The review window shows the queue in it, and bench/review_list.py times this very view.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


class ReviewTable(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(False)
        rows = self.verticalHeader()
        rows.hide()
        # Every row is one line of text: a fixed height means Qt never asks the model to
        # measure 200 rows before it paints the first 25.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # The first column (Checked in: date, time and zone) as wide as its text, measured
        # once from a sample, not row by row.
        self.first_column_width = self.fontMetrics().horizontalAdvance("0000-00-00 00:00 CEST") + 28

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        if header.count():
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(0, self.first_column_width)
