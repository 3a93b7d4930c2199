"""The dose record of a session: the plan with its live total and pump rate, then what was
given and wasted, the waste witnessed by another nurse who types their own password.

Refused values show beside their field, naming the allowed range; nothing typed is lost.
A wrong witness password clears only the password.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtWidgets import (
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.dose import DoseRecord, fmt, over_plan_limit, planned_mg, planned_ml
from ketamon.domain.dose import planned_rate as rate_for
from ketamon.domain.errors import FieldError, StaleRecord
from ketamon.domain.interventions import parse_dose
from ketamon.domain.patients import Patient, allergy_match
from ketamon.services.dose import DoseDefaults
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, guard, set_state
from ketamon.ui.dialogs.patient_form import WARNING_COLOUR, allergy_html
from ketamon.ui.timefmt import local_time


@dataclass(frozen=True)
class DoseHandlers:
    # (weight kg, mg/kg, concentration mg/mL, lot, over-plan reason, change reason, the
    # DoseRecord.version shown, 0 for none) -> DoseRecord; StaleRecord when saved since on
    # another workstation
    plan: Callable[[float | None, float | None, float | None, str, str, str, int], DoseRecord]
    # (actual mg, wasted mg, witness username, witness password, over-plan reason,
    #  change reason, version) -> DoseRecord
    complete: Callable[[float | None, float | None, str, str, str, str, int], DoseRecord]
    defaults: DoseDefaults  # weight, mg/kg, target minutes, limits
    witnesses: Sequence[tuple[str, str]] = ()  # other active users: (username, display name)
    names: Mapping[str, str] = field(default_factory=dict)  # username -> display name, all
    patient: Patient | None = None  # whose allergy status is shown above the plan
    current: Callable[[], DoseRecord | None] | None = None  # as stored now (after a refusal)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class DoseRecordDialog(KitDialog):
    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        handlers: DoseHandlers,
        record: DoseRecord | None,
        *,
        before_start: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setProperty("large", True)  # QSS: 16px text (set before any child is polished)
        self.before_start = before_start  # opened by Start: saving the plan closes it
        self.handlers = handlers
        self.record = record
        self.changed = False
        d = handlers.defaults
        self.setWindowTitle(f"Dose record · {title}")
        self.setMinimumWidth(700 if before_start else 1100)
        self.errors = FieldErrors()
        self.weight = QLineEdit(_num(record.weight_kg if record else d.weight_kg))
        self.mg_per_kg = QLineEdit(_num(record.mg_per_kg if record else d.mg_per_kg))
        self.concentration = QLineEdit(_num(record.concentration_mg_ml if record else None))
        self.concentration.setPlaceholderText("as on the vial/bag label, e.g. 10")
        self.lot = QLineEdit(record.lot_number if record else "")
        self.lot.setPlaceholderText("as printed on the vial (required)")
        self.figures = QLabel()
        self.figures.setObjectName("doseFigures")  # QSS: 20px bold
        self.figures.setWordWrap(True)
        low, high = d.limits.mg_per_kg_range
        plan_form = QFormLayout()
        for key, label, widget in (
            ("weight_kg", "Weight today (kg, 20–350)", self.weight),
            ("mg_per_kg", f"Dose (mg/kg, {low:g}–{high:g})", self.mg_per_kg),
            ("concentration_mg_ml", "Concentration (mg/mL)", self.concentration),
            ("lot_number", "Drug lot number", self.lot),
        ):
            plan_form.addRow(label, widget)
            if key == "weight_kg" and record is None and d.weight_source:
                plan_form.addRow("", QLabel(f"Filled in from the {d.weight_source}"))
            plan_form.addRow("", self.errors.label(key, widget))
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(self._update_figures)
        plan_form.addRow(QLabel("Planned (live, from what is typed):"))
        plan_form.addRow(self.figures)
        self.save_plan = QPushButton("Save plan and start" if before_start else "Save plan")
        self.save_plan.clicked.connect(self.plan)
        self.save_plan.setDefault(before_start)  # Enter in a plan field saves and starts
        plan_box = QGroupBox("Plan")
        plan_layout = QVBoxLayout(plan_box)
        plan_layout.addLayout(plan_form)
        plan_layout.addWidget(self.save_plan)

        self.actual = QLineEdit(_num(record.actual_mg if record else None))
        self.wasted = QLineEdit(_num(record.wasted_mg if record else None))
        self.over_plan_reason = QLineEdit(record.over_plan_reason if record else "")
        self.over_plan_reason.setPlaceholderText("only if more than the plan allows was given")
        self.witness = QLineEdit()
        self.witness.setPlaceholderText("the witnessing nurse's username")
        if handlers.witnesses:
            self.witness.setCompleter(QCompleter([u for u, _n in handlers.witnesses], self))
        self.witness_password = QLineEdit()
        self.witness_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.witness_password.setPlaceholderText("typed by the witness")
        end_form = QFormLayout()
        for key, label, widget in (
            ("actual_mg", "Actual dose given (mg)", self.actual),
            ("wasted_mg", "Wasted (mg)", self.wasted),
            ("over_plan_reason", "Reason if above plan", self.over_plan_reason),
            ("witness", "Witness username", self.witness),
            ("witness_password", "Witness password", self.witness_password),
        ):
            end_form.addRow(label, widget)
            end_form.addRow("", self.errors.label(key, widget))
        self.complete_button = QPushButton("Complete (witnessed)")
        self.complete_button.clicked.connect(self.complete)
        self.status = QLabel()
        self.status.setWordWrap(True)
        end_box = QGroupBox("At the end: given, wasted, witness")
        end_layout = QVBoxLayout(end_box)
        end_layout.addLayout(end_form)
        end_layout.addWidget(self.complete_button)

        self.reason = QLineEdit()
        self.reason.setPlaceholderText("required to change a completed record")
        self.reason_row = QWidget()
        reason_layout = QHBoxLayout(self.reason_row)
        reason_layout.setContentsMargins(0, 0, 0, 0)
        reason_layout.addWidget(QLabel("Reason for the change"))
        reason_layout.addWidget(self.reason, 1)
        self.reason_error = self.errors.label("reason", self.reason)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        columns = QHBoxLayout()
        columns.addWidget(plan_box, 1)
        columns.addWidget(end_box, 1)
        end_box.setVisible(not before_start)  # the end of an infusion not yet started
        self.allergies = QLabel(_allergy_line(handlers.patient))
        self.allergies.setObjectName("doseAllergies")
        self.allergies.setWordWrap(True)
        self.allergies.setVisible(handlers.patient is not None)
        layout = QVBoxLayout(self)
        layout.addWidget(self.allergies)
        layout.addWidget(self.status)
        layout.addLayout(columns)
        layout.addWidget(self.reason_row)
        layout.addWidget(self.reason_error)
        layout.addWidget(self.errors.message)
        layout.addWidget(close)
        self._show_record()
        self._update_figures()
        if before_start:
            plan_fields = (self.weight, self.mg_per_kg, self.concentration, self.lot)
            next((w for w in plan_fields if not w.text()), self.concentration).setFocus()

    # -- showing -----------------------------------------------------------------------------
    def _show_record(self) -> None:
        r = self.record
        self.reason_row.setVisible(bool(r and r.completed))
        self.complete_button.setEnabled(r is not None)
        if r is None and self.before_start:
            self.status.setText(
                "<b>No plan yet.</b> Enter the plan: saving it starts the infusion. "
                "Close (Esc) and nothing starts."
            )
        elif r is None:
            self.status.setText("No plan yet: enter the plan and save it before the infusion.")
        elif r.completed:
            assert r.completed_at is not None
            self.status.setText(
                f"<b>COMPLETED</b> {local_time(r.completed_at)} by {self._name(r.completed_by)}:"
                f" given {fmt(r.actual_mg, 'mg')}, wasted {fmt(r.wasted_mg, 'mg')}, "
                f"witness {self._name(r.witness)}. Changes now need a reason."
            )
        else:
            self.status.setText(
                f"Plan saved {local_time(r.planned_at)} by {self._name(r.planned_by)}; "
                "complete it at the end of the infusion with a witness for the waste."
            )

    def _name(self, username: str | None) -> str:
        return self.handlers.names.get(username or "", username or "")

    def _update_figures(self, *_args) -> None:
        d = self.handlers.defaults
        weight, dose = parse_dose(self.weight.text()), parse_dose(self.mg_per_kg.text())
        conc = parse_dose(self.concentration.text())
        if weight is None or dose is None:
            self.figures.setText("— (type weight and mg/kg)")
            return
        total = planned_mg(weight, dose)
        text = f"{fmt(total, 'mg')} total"
        if conc and conc > 0:
            volume = planned_ml(total, conc)
            rate = rate_for(volume, d.target_minutes)
            text += f" · {fmt(volume, 'mL')} · {fmt(rate, 'mL/h')} over {d.target_minutes} min"
        limit = over_plan_limit(total, d.limits)
        self.figures.setText(text)
        self.figures.setToolTip(f"Up to {fmt(limit, 'mg')} may be given without a reason")

    # -- actions -----------------------------------------------------------------------------
    def plan(self) -> DoseRecord | None:
        self.errors.clear()
        with guard(self.errors) as refused:
            saved = self.handlers.plan(
                parse_dose(self.weight.text()),
                parse_dose(self.mg_per_kg.text()),
                parse_dose(self.concentration.text()),
                self.lot.text(),
                self.over_plan_reason.text(),
                self.reason.text(),
                self._version(),
            )
        if isinstance(refused.error, StaleRecord):
            self._reload_keeping_entries(refused.error)
        if refused:
            return None
        return self._saved(saved)

    def complete(self) -> DoseRecord | None:
        self.errors.clear()
        with guard(self.errors) as refused:
            saved = self.handlers.complete(
                parse_dose(self.actual.text()),
                parse_dose(self.wasted.text()),
                self.witness.text(),
                self.witness_password.text(),
                self.over_plan_reason.text(),
                self.reason.text(),
                self._version(),
            )
        if isinstance(refused.error, StaleRecord):
            self._reload_keeping_entries(refused.error)
        if refused:
            if isinstance(refused.error, FieldError) and refused.error.field == "witness_password":
                self.witness_password.clear()  # never keep a refused password on screen
            return None
        self.witness_password.clear()
        return self._saved(saved)

    def _version(self) -> int:
        return self.record.version if self.record is not None else 0

    def _texts(self, record: DoseRecord | None) -> dict[QLineEdit, str]:
        """What each field shows for `record` (the defaults when there is none)."""
        d = self.handlers.defaults
        return {
            self.weight: _num(record.weight_kg if record else d.weight_kg),
            self.mg_per_kg: _num(record.mg_per_kg if record else d.mg_per_kg),
            self.concentration: _num(record.concentration_mg_ml if record else None),
            self.lot: record.lot_number if record else "",
            self.actual: _num(record.actual_mg if record else None),
            self.wasted: _num(record.wasted_mg if record else None),
            self.over_plan_reason: record.over_plan_reason if record else "",
        }

    def _reload_keeping_entries(self, error: StaleRecord) -> None:
        """Saved on another workstation meanwhile: show the record as stored now; a field
        this nurse changed keeps what was typed (marked), the others show the new values."""
        if self.handlers.current is None:
            return
        shown = self._texts(self.record)
        with guard(self.errors) as failed:
            self.record = self.handlers.current()
        if failed:
            return
        for edit, text in self._texts(self.record).items():
            typed = edit.text() != shown[edit]
            if not typed:
                edit.setText(text)
            set_state(edit, "kept", typed)
        self._show_record()
        self.errors.say(f"Not saved: {error}")

    def _saved(self, record: DoseRecord) -> DoseRecord:
        self.record, self.changed = record, True
        self.reason.clear()
        self._show_record()
        if self.before_start and record is not None:
            self.accept()  # the plan is there: the start goes on
        return record

    def answer(self) -> DoseRecord | None:
        """The record as it stands when the dialog closes (None if nothing was saved).
        `before_start`: opened by Start without a plan; saving the plan closes it."""
        return self.record if self.changed else None


def _allergy_line(patient: Patient | None) -> str:
    """The allergy status in words above the plan; ketamine itself named in the list is
    said plainly (the plan is the physician's order to weigh against it)."""
    if patient is None:
        return ""
    line = allergy_html(patient)
    if allergy_match("ketamine", patient.allergies):
        line += (
            f"<br><b><span style='color:{WARNING_COLOUR}'>KETAMINE APPEARS IN THE PATIENT'S "
            "ALLERGIES: confirm with the physician before planning this dose.</span></b>"
        )
    return line
