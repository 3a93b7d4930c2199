"""A session: its timeline (every event, local time, who) and its audit history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.audit import AuditEntry
from ketamon.domain.board import SessionSnapshot
from ketamon.domain.timers import format_duration
from ketamon.ui.dialogs.history import HistoryTree
from ketamon.ui.timefmt import local_time


class TimelineDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        session: SessionSnapshot,
        now: datetime,
        history: Sequence[AuditEntry] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Session: {session.patient_name} ({session.chair_name})")
        self.setMinimumSize(1000, 560)
        times = session.times
        state = "Paused" if session.paused else session.phase.label
        header = QLabel(
            f"<b style='font-size:20px'>{session.patient_name}</b> &nbsp; MRN {session.mrn}<br>"
            f"{session.chair_name} · {session.course_label} · target "
            f"{session.target_minutes} min · <b>{state}</b><br>"
            f"Infusion time so far: <b>{format_duration(times.infusion_elapsed(now))}</b>"
        )
        self.table = QTableWidget(len(session.events), 4)
        self.table.setHorizontalHeaderLabels(["Time", "Event", "By", "Reason"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for row, event in enumerate(session.events):
            cells = (
                local_time(event.at, with_date=True),
                event.kind.label,
                event.actor,
                event.reason,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header_view = self.table.horizontalHeader()
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header_view.setStretchLastSection(True)
        self.history = HistoryTree(history)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "Timeline")
        self.tabs.addTab(self.history, "History")
        self.tabs.setTabToolTip(
            1, "The audit trail: every change to this session, who made it, old and new values"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        session: SessionSnapshot,
        now: datetime,
        history: Sequence[AuditEntry] = (),
    ) -> None:
        dialog = cls(parent, session, now, history)
        dialog.exec()
        dialog.deleteLater()
