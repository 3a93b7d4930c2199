"""Patients: find a patient by name or MRN and read their course: demographics and
allergies, where they are in the course ("Infusion 4 of 6 · PHQ-9 19 → 11"), the scores'
trend, every session (opening read-only in the session window) and the escorts used before.

Keyboard first: the search has the focus, Enter opens the highlighted patient, Enter on a
session opens it; Esc closes. The window reads through its handlers and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.chart import CourseLine, PatientChart, SessionLine
from ketamon.domain.patients import AllergyStatus, Patient
from ketamon.domain.sessions import Phase
from ketamon.ui.course_chart import CourseChart
from ketamon.ui.dialogs.kit import FieldErrors, guarded, set_state
from ketamon.ui.timefmt import local_time

COLUMNS = (
    "Date",
    "Chair",
    "Course",
    "Dose (mg/kg)",
    "Given (mg)",
    "Peak BP",
    "Side effects",
    "PHQ-9",
    "GAD-7",
    "Status",
)


@dataclass(frozen=True)
class PatientsHandlers:
    search: Callable[[str], list[Patient]]
    chart: Callable[[int], PatientChart]
    open_session: Callable[[int], object]  # the session window, read-only
    # The course from the patient's page; each returns whether something was saved (the
    # page then reloads). None: not offered (the plan is the physician's).
    plan: Callable[[PatientChart], object] | None = None
    close_course: Callable[[PatientChart, CourseLine], object] | None = None
    follow_up: Callable[[PatientChart], object] | None = None
    edit_patient: Callable[[PatientChart], object] | None = None  # with a reason
    course_report: Callable[[PatientChart], object] | None = None  # a PDF, where chosen


def _status(line: SessionLine) -> str:
    phase = Phase(line.phase)
    if phase.active:
        return phase.label
    review = (line.review_status or "").replace("_", " ")
    return f"{phase.label}, {review}" if review else phase.label


def _cell(text: str, session_id: int) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setData(Qt.ItemDataRole.UserRole, session_id)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class PatientsWindow(QDialog):
    def __init__(self, parent: QWidget | None, handlers: PatientsHandlers) -> None:
        super().__init__(parent)
        self.handlers = handlers
        self.chart: PatientChart | None = None
        self.setWindowTitle("Patients")
        self.errors = FieldErrors(hide_empty_message=True)

        self.search = QLineEdit()
        self.search.setObjectName("patientSearch")
        self.search.setPlaceholderText("Name, MRN or date of birth (YYYY-MM-DD)")
        find = QLabel("&Find patient:")
        find.setBuddy(self.search)
        self.results = QListWidget()
        self.results.setMinimumWidth(260)
        self.search.textChanged.connect(self._find)
        self.search.returnPressed.connect(self._open_highlighted)
        self.results.itemActivated.connect(lambda _item: self._open_highlighted())
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.addWidget(find)
        left_column.addWidget(self.search)
        left_column.addWidget(self.results, 1)

        self.heading = QLabel("Type a name or an MRN")
        self.heading.setObjectName("patientHeading")
        self.allergies = QLabel("")
        self.allergies.setObjectName("patientAllergies")
        self.place = QLabel("")
        self.place.setObjectName("patientPlace")
        self.course_chart = CourseChart()
        keep_room = self.course_chart.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)  # the page does not jump when it appears
        self.course_chart.setSizePolicy(keep_room)
        self.course_chart.setVisible(False)  # no axes of nothing before a patient is open
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.itemActivated.connect(self._open_session)
        self.table.setToolTip("Enter or double-click: open the session, read-only")
        self.escorts = QLabel("")
        self.escorts.setWordWrap(True)
        self.course_buttons: dict[str, QPushButton] = {}
        course_row = QHBoxLayout()
        for text, tip, run in (
            (
                "Edit patient details…",
                "Correct the name, date of birth, weight, allergies or SpO2 scale 2 (a "
                "reason is required; the old values stay in History)",
                self._edit_patient,
            ),
            (
                "Course plan…",
                "The patient's series length and maintenance interval (a physician, with a reason)",
                self._plan,
            ),
            (
                "Close course…",
                "Completed, stopped for non-response, stopped by the patient: the next "
                "check-in opens a new series",
                self._close_course,
            ),
            (
                "Follow-up questionnaires…",
                "PHQ-9 and the clinic's other questionnaires at a visit without an infusion",
                self._follow_up,
            ),
            (
                "Course report (PDF)…",
                "The course for the referring clinician: sessions, doses, side effects, the "
                "scores as a chart and a table, response and remission, a signature block",
                self._course_report,
            ),
        ):
            button = QPushButton(text)
            button.setAutoDefault(False)  # Enter in the search opens a patient, never this
            button.setToolTip(tip)
            button.setEnabled(False)
            button.clicked.connect(run)
            course_row.addWidget(button)
            self.course_buttons[text] = button
        course_row.addStretch(1)
        self.course_buttons["Edit patient details…"].setVisible(handlers.edit_patient is not None)
        self.course_buttons["Course plan…"].setVisible(handlers.plan is not None)
        self.course_buttons["Close course…"].setVisible(handlers.close_course is not None)
        self.course_buttons["Follow-up questionnaires…"].setVisible(handlers.follow_up is not None)
        self.course_buttons["Course report (PDF)…"].setVisible(handlers.course_report is not None)
        right = QWidget()
        right_column = QVBoxLayout(right)
        for widget in (self.heading, self.allergies, self.place):
            right_column.addWidget(widget)
        right_column.addLayout(course_row)
        right_column.addWidget(self.course_chart, 3)
        right_column.addWidget(self.table, 2)
        right_column.addWidget(self.escorts)
        right_column.addWidget(self.errors.message)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        self.search.setFocus()

    # -- finding -------------------------------------------------------------------------
    def _find(self, text: str) -> None:
        self.results.clear()
        if not text.strip():
            return
        found = guarded(self.errors, lambda: self.handlers.search(text))
        for patient in found or []:
            item = QListWidgetItem(
                f"{patient.full_name}\nMRN {patient.mrn}  ·  born {patient.date_of_birth}"
            )
            item.setData(Qt.ItemDataRole.UserRole, patient.id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _open_highlighted(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self.show_patient(int(item.data(Qt.ItemDataRole.UserRole)))

    # -- the patient's page --------------------------------------------------------------
    def show_patient(self, patient_id: int) -> None:
        chart = guarded(self.errors, lambda: self.handlers.chart(patient_id))
        if chart is None:
            return
        self.chart = chart
        p = chart.patient
        self.heading.setText(
            f"<b>{p.full_name}</b>  ·  MRN {p.mrn}  ·  born {p.date_of_birth}  ·  "
            f"{p.weight_kg:g} kg"
        )
        status = p.allergy_status
        self.allergies.setText(p.allergy_text)
        grade = {AllergyStatus.RECORDED: "red", AllergyStatus.NOT_RECORDED: "amber"}.get(status, "")
        set_state(self.allergies, "grade", grade)
        course = chart.courses[-1] if chart.courses else None
        words = course.response.words if course and course.response else "no PHQ-9 yet"
        label = course.label if course else "No infusion yet"
        self.place.setText(f"{label}  ·  {words}")
        self.course_chart.show_chart(chart)
        self.course_chart.setVisible(True)
        self._fill_table(chart)
        escorts = "; ".join(f"{e.name} ({e.relationship}, {e.phone})" for e in chart.escorts)
        self.escorts.setText(f"Escorts before: {escorts or 'none recorded'}")
        plan = chart.plan
        self.course_buttons["Course plan…"].setEnabled(True)
        self.course_buttons["Course plan…"].setToolTip(
            "Now: "
            + (f"series of {plan.series_length}" if plan.series_length else "the clinic's series")
            + ", "
            + (
                f"maintenance every {plan.interval_days[0]}–{plan.interval_days[1]} days"
                if plan.interval_days
                else "the clinic's maintenance interval"
            )
        )
        self.course_buttons["Close course…"].setEnabled(self._open_course() is not None)
        self.course_buttons["Follow-up questionnaires…"].setEnabled(True)
        self.course_buttons["Edit patient details…"].setEnabled(True)
        self.course_buttons["Course report (PDF)…"].setEnabled(True)

    # -- the course ------------------------------------------------------------------------
    def _open_course(self) -> CourseLine | None:
        course = self.chart.courses[-1] if self.chart and self.chart.courses else None
        return course if course is not None and course.ended_at is None else None

    def _after(self, saved: object) -> None:
        if saved and self.chart is not None:
            self.show_patient(self.chart.patient.id)

    def _plan(self) -> None:
        if self.chart is not None and self.handlers.plan is not None:
            chart, plan = self.chart, self.handlers.plan
            self._after(guarded(self.errors, lambda: plan(chart)))

    def _close_course(self) -> None:
        course = self._open_course()
        if self.chart is not None and course is not None and self.handlers.close_course:
            chart, close = self.chart, self.handlers.close_course
            self._after(guarded(self.errors, lambda: close(chart, course)))

    def _edit_patient(self) -> None:
        if self.chart is not None and self.handlers.edit_patient is not None:
            chart, edit = self.chart, self.handlers.edit_patient
            self._after(guarded(self.errors, lambda: edit(chart)))

    def _follow_up(self) -> None:
        if self.chart is not None and self.handlers.follow_up is not None:
            chart, follow_up = self.chart, self.handlers.follow_up
            self._after(guarded(self.errors, lambda: follow_up(chart)))

    def _course_report(self) -> None:
        if self.chart is not None and self.handlers.course_report is not None:
            chart, course_report = self.chart, self.handlers.course_report
            guarded(self.errors, lambda: course_report(chart))

    def _fill_table(self, chart: PatientChart) -> None:
        numbers = {c.id: i + 1 for i, c in enumerate(chart.courses)}
        kinds = {c.id: c.kind for c in chart.courses}
        lines = list(reversed(chart.sessions))  # newest first
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            peak = f"{line.peak_bp[0]}/{line.peak_bp[1]}" if line.peak_bp else "—"
            values = (
                local_time(line.checked_in_at, with_date=True),
                line.chair,
                f"{numbers[line.course_id]} {kinds[line.course_id]} #{line.number_in_course}",
                "—" if line.mg_per_kg is None else f"{line.mg_per_kg:g}",
                "—" if line.given_mg is None else f"{line.given_mg:g}",
                peak,
                ", ".join(line.side_effects) or "none",
                "—" if line.phq9 is None else str(line.phq9),
                "—" if line.gad7 is None else str(line.gad7),
                _status(line),
            )
            for column, text in enumerate(values):
                self.table.setItem(row, column, _cell(text, line.session_id))
        if lines:
            self.table.selectRow(0)

    def _open_session(self, item: QTableWidgetItem) -> None:
        session_id = item.data(Qt.ItemDataRole.UserRole)
        if session_id is not None:
            guarded(self.errors, lambda: self.handlers.open_session(int(session_id)))
