"""The review list's table view: one row per session, fixed row height, no row numbers.

The review window shows the queue in it, and bench/review_list.py times this very view.
"""

from __future__ import annotations

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
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
