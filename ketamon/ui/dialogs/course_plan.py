"""A patient's course from their page: the physician's plan (series length, maintenance
interval) and closing a course, each with a reason kept on the audit trail.

Both stay open, with what was typed, until the service saves; a refusal shows at its field
(a stale plan: reloaded elsewhere, what was typed kept to save again).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.courses import CourseEnd, PatientPlan
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard

SavePlan = Callable[[PatientPlan, str], PatientPlan]  # (plan, reason) -> stored
CloseCourse = Callable[[CourseEnd, str], object]  # (why it ended, reason)


def buddy(text: str, widget: QWidget) -> QLabel:
    """A form label whose Alt+letter moves to `widget`."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class PlanDialog(KitDialog):
    """Series length and maintenance interval; "the clinic's" leaves a field to the
    clinic's setting (shown beside it)."""

    def __init__(
        self,
        parent: QWidget | None,
        patient: str,
        plan: PatientPlan,
        clinic_series: int,
        clinic_interval: tuple[int, int],
        save: SavePlan,
    ) -> None:
        super().__init__(parent)
        self.save_plan = save
        self.setWindowTitle(f"Course plan: {patient}")
        self.setMinimumWidth(560)
        self.series = QSpinBox()
        self.series.setObjectName("planSeries")
        self.series.setRange(1, 30)
        self.series.setSuffix(" infusions")
        self.series.setValue(plan.series_or(clinic_series))
        self.series_clinic = QCheckBox(f"the clinic's ({clinic_series})")
        self.series_clinic.setChecked(plan.series_length is None)
        low, high = plan.interval_or(clinic_interval)
        self.low, self.high = QSpinBox(), QSpinBox()
        for spin, value in ((self.low, low), (self.high, high)):
            spin.setRange(1, 365)
            spin.setSuffix(" days")
            spin.setValue(value)
        self.interval_clinic = QCheckBox(
            f"the clinic's ({clinic_interval[0]}–{clinic_interval[1]} days)"
        )
        self.interval_clinic.setChecked(plan.interval_days is None)
        self.reason = QLineEdit()
        self.reason.setObjectName("planReason")
        self.reason.setPlaceholderText("why the plan changes (required)")
        self.error = error_label()
        self.errors = FieldErrors(self.error, hide_empty_message=True, focus=True)
        self.reason_error = self.errors.label("reason", self.reason)
        self.plan_error = self.errors.label("series_length")
        self.errors.attach("interval_days", self.plan_error)
        self.series_clinic.toggled.connect(lambda on: self.series.setEnabled(not on))
        self.interval_clinic.toggled.connect(self._interval_enabled)
        self.series.setEnabled(not self.series_clinic.isChecked())
        self._interval_enabled(self.interval_clinic.isChecked())

        series_row = QHBoxLayout()
        series_row.addWidget(self.series)
        series_row.addWidget(self.series_clinic)
        series_row.addStretch(1)
        interval_row = QHBoxLayout()
        interval_row.addWidget(self.low)
        interval_row.addWidget(QLabel("to"))
        interval_row.addWidget(self.high)
        interval_row.addWidget(self.interval_clinic)
        interval_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Initial series:", series_row)
        form.addRow("Maintenance every:", interval_row)
        form.addRow("", self.plan_error)
        form.addRow(buddy("&Reason:", self.reason), self.reason)
        form.addRow("", self.reason_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Save plan", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        title = QLabel(f"Course plan · {patient}")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.set_primary(self.save_button)
        self.reason.setFocus()

    def _interval_enabled(self, clinic: bool) -> None:
        self.low.setEnabled(not clinic)
        self.high.setEnabled(not clinic)

    def plan(self) -> PatientPlan:
        return PatientPlan(
            None if self.series_clinic.isChecked() else self.series.value(),
            None if self.interval_clinic.isChecked() else (self.low.value(), self.high.value()),
        )

    def submit(self) -> None:
        self.errors.clear()
        with guard(self.errors, "Not saved. ") as refused:
            self.saved = self.save_plan(self.plan(), self.reason.text())
        if not refused:
            self.accept()


class CloseCourseDialog(KitDialog):
    """Why the course ended (completed, non-response, the patient stopped, other) and a
    reason; the next check-in then opens a new initial series."""

    def __init__(
        self, parent: QWidget | None, patient: str, course: str, close: CloseCourse
    ) -> None:
        super().__init__(parent)
        self.close_course = close
        self.setWindowTitle(f"Close course: {patient}")
        self.setMinimumWidth(560)
        self.end = QComboBox()
        self.end.setObjectName("courseEnd")
        for end in CourseEnd:
            self.end.addItem(end.label, end)
        self.reason = QLineEdit()
        self.reason.setObjectName("closeReason")
        self.reason.setPlaceholderText("what happened (required)")
        self.error = error_label()
        self.errors = FieldErrors(self.error, hide_empty_message=True, focus=True)
        self.reason_error = self.errors.label("reason", self.reason)
        form = QFormLayout()
        form.addRow(buddy("&Ended:", self.end), self.end)
        form.addRow(buddy("&Reason:", self.reason), self.reason)
        form.addRow("", self.reason_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.close_button = buttons.addButton(
            "Close course", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        title = QLabel(f"Close the course · {patient} · {course}")
        title.setObjectName("dialogTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.set_primary(self.close_button)
        self.end.setFocus()

    def submit(self) -> None:
        self.errors.clear()
        with guard(self.errors, "Not closed. ") as refused:
            self.saved = self.close_course(CourseEnd(self.end.currentData()), self.reason.text())
        if not refused:
            self.accept()
