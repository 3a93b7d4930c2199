"""The physician's review: "Awaiting review: N", a filterable list of finished sessions
(newest first, fetched a page at a time), and for the selected one its signature or "Not
yet reviewed", the addenda, and Sign… / Add addendum… / Open session….

Modeless, like the session window; a lock closes it with the other dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.chart import PatientChart
from ketamon.domain.discharge import Outcome
from ketamon.domain.review import Addendum, ReviewStatus, Signature
from ketamon.domain.sessions import Phase
from ketamon.services.review import ReviewFilter, ReviewRow
from ketamon.ui.course_chart import CourseChart
from ketamon.ui.dialogs.kit import guard
from ketamon.ui.help import install_help, window_page
from ketamon.ui.review.actions import SignActions, ask_addendum, ask_sign, verdict_html
from ketamon.ui.review.queue_model import ReviewQueueModel
from ketamon.ui.review.table import ReviewTable
from ketamon.ui.timefmt import local_time

STATUSES = (
    ("All finished sessions", ""),
    (ReviewStatus.AWAITING.label, ReviewStatus.AWAITING.value),
    (ReviewStatus.SIGNED.label, ReviewStatus.SIGNED.value),
    (Phase.CANCELLED.label, Phase.CANCELLED.value),
    (Outcome.AMA.label, Outcome.AMA.value),
)


@dataclass(frozen=True)
class ReviewHandlers:
    page: Callable[[ReviewFilter, int, int], list[ReviewRow]]
    count: Callable[[ReviewFilter], int]
    awaiting_count: Callable[[], int]
    signature: Callable[[int], Signature | None]
    addenda: Callable[[int], list[Addendum]]
    actions: SignActions  # sign and add addenda (shared with the session window)
    open_session: Callable[[int], object]  # read-only, for review
    chairs: tuple[tuple[int, str], ...] = ()
    nurses: tuple[tuple[str, str], ...] = ()  # (username, display name)
    course: Callable[[int], PatientChart] | None = None  # patient id -> their course


class ReviewWindow(QDialog):
    def __init__(self, parent: QWidget | None, handlers: ReviewHandlers) -> None:
        super().__init__(parent)
        self.handlers = handlers
        self.setWindowTitle("Physician review")
        self.setMinimumSize(1200, 760)
        self.awaiting = QLabel()
        self.awaiting.setObjectName("dialogTitle")
        self.matches = QLabel()
        # Filters
        self.since, self.until = QLineEdit(), QLineEdit()
        for edit, tip in ((self.since, "from YYYY-MM-DD"), (self.until, "to YYYY-MM-DD")):
            edit.setPlaceholderText(tip)
            edit.setMaximumWidth(150)
            edit.editingFinished.connect(self.apply_filter)
        self.patient = QLineEdit()
        self.patient.setObjectName("filter_patient")
        self.patient.setPlaceholderText("patient name or MRN")
        self.patient.textChanged.connect(lambda _t: self.apply_filter())
        self.chair = QComboBox()
        self.chair.addItem("Any chair", None)
        for chair_id, name in handlers.chairs:
            self.chair.addItem(name, chair_id)
        self.nurse = QComboBox()
        self.nurse.addItem("Any nurse", "")
        for username, name in handlers.nurses:
            self.nurse.addItem(name, username)
        self.status = QComboBox()
        self.status.setObjectName("filter_status")
        for text, value in STATUSES:
            self.status.addItem(text, value)
        self.status.setCurrentIndex(1)  # what the physician opens the list for
        self.alerts = QCheckBox("Only with a red vital or a SEVERE side effect")
        for combo in (self.chair, self.nurse, self.status):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.alerts.toggled.connect(lambda _b: self.apply_filter())
        self.filter_error = QLabel()
        self.filter_error.setObjectName("fieldError")
        filters = QGridLayout()
        filters.addWidget(QLabel("Dates:"), 0, 0)
        dates = QHBoxLayout()
        dates.addWidget(self.since)
        dates.addWidget(self.until)
        filters.addLayout(dates, 0, 1)
        filters.addWidget(QLabel("Patient:"), 0, 2)
        filters.addWidget(self.patient, 0, 3)
        filters.addWidget(QLabel("Status:"), 0, 4)
        filters.addWidget(self.status, 0, 5)
        filters.addWidget(QLabel("Chair:"), 1, 0)
        filters.addWidget(self.chair, 1, 1)
        filters.addWidget(QLabel("Nurse:"), 1, 2)
        filters.addWidget(self.nurse, 1, 3)
        filters.addWidget(self.alerts, 1, 4, 1, 2)
        # The list
        self.model = ReviewQueueModel(handlers.page, on_error=self._error, parent=self)
        self.table = ReviewTable()
        self.table.setModel(self.model)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        # The selected session
        self.detail = QLabel("Choose a session in the list.")
        self.detail.setObjectName("reviewDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setMinimumHeight(110)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.open_button = QPushButton("Open session…")
        self.sign_button = QPushButton("Sign…")
        self.sign_button.setObjectName("btn_sign")
        self.sign_button.setVisible(handlers.actions.may_sign)
        self.addendum_button = QPushButton("Add addendum…")
        self.open_button.setToolTip("The chosen session, read-only: the whole record (Enter)")
        self.sign_button.setToolTip("Sign the chosen session (your password is asked again)")
        self.addendum_button.setToolTip("Add to a signed session: text, reason, your password")
        self.open_button.clicked.connect(self.open_selected)
        self.sign_button.clicked.connect(self.sign_selected)
        self.addendum_button.clicked.connect(self.add_addendum)
        actions = QHBoxLayout()
        for b in (self.open_button, self.sign_button, self.addendum_button):
            actions.addWidget(b)
        actions.addStretch(1)
        close = QPushButton("Close")
        close.setToolTip("Back to the board (Esc)")
        close.clicked.connect(self.reject)
        actions.addWidget(close)
        self.help_action = install_help(
            self, lambda: window_page("Physician review", self, story=False)
        )
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.awaiting)
        top.addStretch(1)
        top.addWidget(self.matches)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.filter_error)
        layout.addWidget(self.table, 1)
        below = QHBoxLayout()
        below.addWidget(self.detail, 3)
        # The patient's course beside the session (issue 17): scores, baseline, response.
        self.course_line = QLabel("")
        self.course_line.setObjectName("reviewCourse")
        self.course_line.setWordWrap(True)
        self.course_chart = CourseChart(compact=True)
        self.course_patient: int | None = None
        course_box = QVBoxLayout()
        course_box.addWidget(self.course_line)
        course_box.addWidget(self.course_chart, 1)
        course = QWidget()
        course.setLayout(course_box)
        course.setVisible(handlers.course is not None)
        course.setMaximumHeight(250)  # the list keeps the room (1366 x 768)
        self.course_box = course
        below.addWidget(course, 2)
        layout.addLayout(below)
        layout.addLayout(actions)
        self.current: ReviewRow | None = None
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_selected())
        self.apply_filter()
        self.finished.connect(self.deleteLater)

    # -- the list --------------------------------------------------------------------------
    def where(self) -> ReviewFilter:
        self.filter_error.setText("")
        since = self._date(self.since, "From")
        until = self._date(self.until, "To")
        return ReviewFilter(
            since=since,
            until=until + timedelta(days=1) if until else None,
            patient=self.patient.text().strip(),
            chair_id=self.chair.currentData(),
            nurse=self.nurse.currentData() or "",
            status=self.status.currentData() or "",
            alerts_only=self.alerts.isChecked(),
        )

    def _date(self, edit: QLineEdit, name: str) -> datetime | None:
        text = edit.text().strip()
        if not text:
            return None
        try:
            day = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            self.filter_error.setText(f"{name} date: type YYYY-MM-DD, e.g. 2026-11-01")
            return None
        return datetime.combine(day, time()).astimezone()

    def apply_filter(self) -> None:
        where = self.where()
        with guard(lambda error: self._error(str(error))):
            self.model.set_filter(where)
            self.awaiting.setText(f"Awaiting review: {self.handlers.awaiting_count()}")
            self.matches.setText(f"{self.handlers.count(where)} sessions match")
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self.show_selected()

    def selected(self) -> ReviewRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def show_selected(self) -> None:
        self._show_row(self.selected())

    def _show_row(self, row: ReviewRow | None) -> None:
        self.current = row
        for b in (self.open_button, self.sign_button, self.addendum_button):
            b.setEnabled(row is not None)
        if row is None:
            self.detail.setText("No session selected.")
            return
        with guard(lambda error: self._error(str(error))) as refused:
            signature = self.handlers.signature(row.session_id)
            addenda = self.handlers.addenda(row.session_id) if signature else []
        if refused:
            return
        lines = [
            f"<b>{escape(row.patient_name)}</b> · MRN {escape(row.mrn)} · {escape(row.chair_name)}"
            f" · checked in {escape(local_time(row.checked_in_at, with_date=True))}"
            f" · {escape(row.status_text)}"
        ]
        actions = self.handlers.actions
        read = actions.read_digest(row.session_id) is not None
        if signature is None and actions.may_sign and not read:
            lines.append(
                "<b>Not yet reviewed.</b> Open the session (Enter) to read the record: it is "
                "signed as you read it there, in its window or here after."
            )
        elif signature is None:
            lines.append("<b>Not yet reviewed.</b>")
        else:
            lines.append(f"<b>{escape(signature.manifestation())}</b>")
            if signature.comment:
                lines.append(f"Comment: {escape(signature.comment)}")
            lines.append(verdict_html(signature))
        for a in addenda:
            lines.append(
                f"<i>Addendum after signing</i> — {escape(local_time(a.at, with_date=True))}, "
                f"{escape(a.author_name)} ({escape(a.reason)}): {escape(a.text)}"
            )
            if a.verdict:
                lines.append(verdict_html(a))
        self.detail.setText("<br>".join(lines))
        self._show_course(row.patient_id)
        self.sign_button.setEnabled(signature is None and actions.may_sign and read)
        self.addendum_button.setEnabled(signature is not None)

    def _show_course(self, patient_id: int) -> None:
        """The selected session's patient's course (read again only for another patient)."""
        course = self.handlers.course
        if course is None or patient_id == self.course_patient:
            return
        with guard(lambda error: self._error(str(error))) as refused:
            chart = course(patient_id)
        if refused:
            return
        self.course_patient = patient_id
        newest = chart.courses[-1] if chart.courses else None
        words = newest.response.words if newest and newest.response else "no PHQ-9 yet"
        label = newest.label if newest else "No course"
        self.course_line.setText(
            f"<b>Course:</b> {escape(label)} · {escape(words)}<br>"
            "PHQ-9 ● solid line · GAD-7 ■ dashed"
        )
        self.course_chart.show_chart(chart)

    # -- actions ---------------------------------------------------------------------------
    def open_selected(self) -> None:
        row = self.current
        if row is not None:
            self.handlers.open_session(row.session_id)
            self._show_row(row)  # read in its window now: Sign… here signs what it showed

    def sign_selected(self) -> object | None:
        row = self.current
        if row is None:
            return None
        reviewed = self.handlers.actions.read_digest(row.session_id)
        if reviewed is None:  # never opened: nothing read to sign
            return None
        title = f"{row.patient_name} · MRN {row.mrn}"
        signature = ask_sign(
            self,
            self.handlers.actions,
            row.session_id,
            title,
            reviewed,
            lambda: self._changed_since_read(row),
        )
        if signature is not None:
            self._refresh_keeping(row)
        return signature

    def _changed_since_read(self, row: ReviewRow) -> None:
        """Refused: the record changed after it was read. It is to be opened and read
        again before it can be signed here."""
        self.handlers.actions.remember_read(row.session_id, None)
        self._refresh_keeping(row)

    def add_addendum(self) -> object | None:
        row = self.current
        if row is None:
            return None
        title = f"{row.patient_name} · MRN {row.mrn}"
        addendum = ask_addendum(self, self.handlers.actions, row.session_id, title)
        if addendum is not None:
            self._show_row(row)
        return addendum

    def refresh(self) -> None:
        """Read the list again (a session was signed in its own window, say), keeping the
        selected session in view."""
        if self.current is None:
            self.apply_filter()
        else:
            self._refresh_keeping(self.current)

    def _refresh_keeping(self, row: ReviewRow) -> None:
        """After signing: the list is read again (a signed session leaves "Awaiting
        review"); the session just signed stays shown below it, with its signature."""
        self.apply_filter()
        index = self.model.row_of(row.session_id)
        if index is not None:
            self.table.selectRow(index)
            self.show_selected()
        else:
            self.table.clearSelection()
            self._show_row(row._replace(review_status=ReviewStatus.SIGNED.value))

    def _error(self, text: str) -> None:
        self.filter_error.setText(f"Could not read the list: {text}")
