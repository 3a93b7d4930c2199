"""Recently ended sessions, from the board: print or save each one's discharge summary, or
open one read-only (Enter, a double click, or Open): ask() then answers its session id and
the controller opens the session window as the review does (nothing can be changed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.discharge import Outcome
from ketamon.domain.review import ReviewStatus
from ketamon.domain.sessions import Phase
from ketamon.domain.summary import RecentSession
from ketamon.ui.dialogs.kit import KitDialog
from ketamon.ui.timefmt import local_time

# Keyed by a recent session's outcome text: an Outcome, or the Phase of a cancelled session.
OUTCOMES: dict[str, str] = {
    Outcome.DISCHARGED: Outcome.DISCHARGED.label,
    Outcome.AMA: "LEFT AGAINST ADVICE",  # in capitals: it stands out in the list
    Phase.CANCELLED: Phase.CANCELLED.label,
}


@dataclass(frozen=True)
class RecentHandlers:
    recent: Callable[[], list[RecentSession]]
    print_summary: Callable[[int], object]
    save_pdf: Callable[[int], object]


class RecentDialog(KitDialog):
    """The sessions ended in the last 24 hours: print or save a summary, or open one.
    ask() -> the session id to open read-only, or None."""

    def __init__(self, parent: QWidget | None, handlers: RecentHandlers) -> None:
        super().__init__(parent)
        self.handlers = handlers
        self.chosen: int | None = None  # the session to open read-only
        self.setWindowTitle("Recent discharges")
        self.setMinimumSize(1000, 520)
        title = QLabel("Sessions ended in the last 24 hours")
        title.setObjectName("dialogTitle")
        self.sessions = handlers.recent()
        self.table = QTableWidget(len(self.sessions), 5)
        self.table.setHorizontalHeaderLabels(["Ended", "Patient", "Chair", "Outcome", "Review"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # nothing cut
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, s in enumerate(self.sessions):
            review = (
                ReviewStatus.AWAITING.label
                if s.review_status == ReviewStatus.AWAITING
                else ((s.review_status or "").replace("_", " ").capitalize())
            )
            cells = (
                local_time(s.ended_at, with_date=True),  # 24 hours: yesterday too
                f"{s.patient_name}  ·  MRN {s.mrn}",
                s.chair_name,
                OUTCOMES.get(s.outcome, s.outcome),
                review,
            )
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        if self.sessions:
            self.table.selectRow(0)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.empty = QLabel("No session has ended in the last 24 hours.")
        self.empty.setVisible(not self.sessions)
        self.print_button = QPushButton("Print summary…")
        self.print_button.setObjectName("btn_print")
        self.print_button.clicked.connect(lambda: self._with_selected(handlers.print_summary))
        self.pdf_button = QPushButton("Save as PDF…")
        self.pdf_button.setObjectName("btn_pdf")
        self.pdf_button.clicked.connect(lambda: self._with_selected(handlers.save_pdf))
        self.open_button = QPushButton("Open read-only (Enter)")
        self.open_button.setObjectName("btn_open")
        self.open_button.setToolTip("The session's window: chart, table, history; nothing changes")
        self.open_button.clicked.connect(self.open_selected)
        self.set_primary(self.open_button)  # Enter in the list opens the highlighted session
        for b in (self.open_button, self.print_button, self.pdf_button):
            b.setEnabled(bool(self.sessions))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        button_row = QHBoxLayout()
        button_row.addWidget(self.open_button)
        button_row.addWidget(self.print_button)
        button_row.addWidget(self.pdf_button)
        button_row.addStretch(1)
        button_row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(button_row)
        self.table.setFocus()

    def selected(self) -> RecentSession | None:
        rows = self.table.selectionModel().selectedRows()
        return self.sessions[rows[0].row()] if rows else None

    def _with_selected(self, action: Callable[[int], object]) -> None:
        chosen = self.selected()
        if chosen is not None:
            action(chosen.session_id)

    def open_selected(self) -> None:
        """Close and answer the highlighted session (the controller opens it read-only)."""
        chosen = self.selected()
        if chosen is not None:
            self.chosen = chosen.session_id
            self.accept()

    def answer(self) -> int | None:
        """The session to open read-only, or None (closed)."""
        return self.chosen
