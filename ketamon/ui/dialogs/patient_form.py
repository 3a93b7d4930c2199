"""The patient's details as a form (registration at check-in, and corrections), and the
allergy status as the session window, check-in and Give medication show it.

The form parses what is typed (a date, a number) and leaves every rule to the domain
(domain/patients.py): a refused field shows its message beside the field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import FieldError, StaleRecord, ValidationErrors
from ketamon.domain.fields import parse_number
from ketamon.domain.patients import (
    MAX_WEIGHT_KG,
    MIN_WEIGHT_KG,
    AllergyStatus,
    Patient,
    PatientDraft,
)
from ketamon.ui import palette
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard, set_state

TEXT_FIELDS = (
    ("mrn", "MRN", "Medical record number (required, unique)"),
    ("full_name", "Full name", "First and last name"),
    ("date_of_birth", "Date of birth", "YYYY-MM-DD"),
    ("weight_kg", "Weight (kg)", f"{MIN_WEIGHT_KG:g}–{MAX_WEIGHT_KG:g}"),
    ("allergies", "Allergies", "e.g. Penicillin (rash); Latex. If none: tick the box below"),
)
FIELD_NAMES = {key: label for key, label, _ in TEXT_FIELDS} | {
    "no_known_allergies": "No known drug allergies",
    "spo2_scale2": "SpO2 scale 2",
}
NKDA_LABEL = "&No known drug allergies (asked, and the patient knows of none)"
SCALE2_LABEL = "SpO2 scale &2 (hypercapnic respiratory failure, physician's decision)"
CORRECTION_REASONS = (
    "Typing error at registration",
    "Checked against the patient's ID",
    "Weighed again",
    "Allergy reported by the patient",
    "Physician's decision (SpO2 scale 2)",
)
WARNING_COLOUR = palette.WARNING  # listed or not recorded: bold, in words


def allergy_html(patient: Patient | None) -> str:
    """The allergy status for a rich-text label: listed allergies and "not recorded" in
    bold dark red, the words saying which ("No known drug allergies" plain)."""
    if patient is None:
        return ""
    text = escape(patient.allergy_text)
    if patient.allergy_status is AllergyStatus.NONE_KNOWN:
        return text
    return f"<b><span style='color:{WARNING_COLOUR}'>{text}</span></b>"


def weight_text(dose: object | None, patient: Patient) -> str:
    """ "Weight today 82.0 kg" (the dose record's, weighed for this session) or
    "Not weighed yet today (registered 80.0 kg)"."""
    weight = getattr(dose, "weight_kg", None) if dose is not None else None
    if weight:
        return f"Weight today {weight:.1f} kg"
    return f"Not weighed yet today (registered {patient.weight_kg:.1f} kg)"


class PatientForm(QWidget):
    """MRN, name, date of birth, weight, allergies, the NKDA and SpO2 scale 2 ticks."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        mrn_editable: bool = True,
        errors: FieldErrors | None = None,
    ) -> None:
        """`errors`: the dialog's FieldErrors, whose error line says what is no field's."""
        super().__init__(parent)
        form = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        if errors is None:
            line = error_label()
            line.setParent(self)
            errors = FieldErrors(line, hide_empty_message=True, focus=True)
        self.errors = errors
        self.widgets: dict[str, QWidget] = {}  # key -> its input (line edit or tick)
        self._allergies_shown: tuple[str, str] | None = None  # (as shown, as stored)
        for key, label, placeholder in TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"field_{key}")
            edit.setPlaceholderText(placeholder)
            edit.textEdited.connect(lambda _t, k=key: self.clear_error(k))
            self.fields[key] = edit
            self._add_row(form, f"{label}:", key, edit)
        self.fields["mrn"].setReadOnly(not mrn_editable)
        self.nkda = QCheckBox(NKDA_LABEL)
        self.nkda.setObjectName("field_no_known_allergies")
        self.nkda.toggled.connect(lambda _on: self.clear_error("no_known_allergies"))
        self._add_row(form, "", "no_known_allergies", self.nkda)
        self.scale2 = QCheckBox(SCALE2_LABEL)
        self.scale2.setObjectName("field_spo2_scale2")
        self.scale2.setToolTip(
            "NEWS2 grades SpO2 on scale 2 (target 88–92 %) for this patient. Only on a "
            "physician's decision for a patient with hypercapnic respiratory failure."
        )
        self._add_row(form, "", "spo2_scale2", self.scale2)

    def _add_row(self, form: QFormLayout, label: str, key: str, widget: QWidget) -> None:
        error = self.errors.label(key, widget)
        error.setProperty("field", key)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        form.addRow(label, column)
        self.widgets[key] = widget

    def fill(self, patient: Patient) -> None:
        """The patient's details, as stored (to correct them)."""
        self.fields["mrn"].setText(patient.mrn)
        self.fields["full_name"].setText(patient.full_name)
        self.fields["date_of_birth"].setText(patient.date_of_birth.isoformat())
        self.fields["weight_kg"].setText(f"{patient.weight_kg:g}")
        shown = "; ".join(line.strip() for line in patient.allergies.splitlines() if line.strip())
        self._allergies_shown = (shown, patient.allergies)
        self.fields["allergies"].setText(shown)
        self.nkda.setChecked(patient.no_known_allergies)
        self.scale2.setChecked(patient.spo2_scale2)

    def entries(self) -> dict[str, object]:
        """What the form holds, field by field (text as typed, ticks)."""
        held: dict[str, object] = {k: e.text() for k, e in self.fields.items()}
        return held | {
            "no_known_allergies": self.nkda.isChecked(),
            "spo2_scale2": self.scale2.isChecked(),
        }

    def put_back(self, typed: dict[str, object], loaded: dict[str, object]) -> list[str]:
        """After a reload (fill): each entry the user changed from what was `loaded` put
        back on top, marked; returns their labels."""
        kept = []
        for key, value in typed.items():
            if value == loaded.get(key):
                continue
            widget = self.widgets[key]
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            else:
                self.fields[key].setText(str(value))
            set_state(widget, "kept", True)
            kept.append(FIELD_NAMES.get(key, key))
        return kept

    def draft(self) -> PatientDraft:
        """Parse what was typed; raise ValidationErrors for what cannot be parsed."""
        text = {k: e.text().strip() for k, e in self.fields.items()}
        errors: dict[str, str] = {}
        dob = weight = None
        if text["date_of_birth"]:
            try:
                dob = date.fromisoformat(text["date_of_birth"])
            except ValueError:
                errors["date_of_birth"] = "Date of birth: use YYYY-MM-DD, e.g. 1984-07-23"
        if text["weight_kg"]:
            weight = parse_number(text["weight_kg"])  # "nan", "inf", "1e400": no number
            if weight is None:
                errors["weight_kg"] = (
                    f"Weight must be a number, {MIN_WEIGHT_KG:g}–{MAX_WEIGHT_KG:g} kg"
                )
        if errors:
            raise ValidationErrors(errors)
        allergies = text["allergies"]
        if self._allergies_shown is not None and allergies == self._allergies_shown[0]:
            allergies = self._allergies_shown[1]  # a list on several lines, unchanged
        return PatientDraft(
            text["mrn"],
            text["full_name"],
            dob,
            weight,
            allergies,
            self.nkda.isChecked(),
            self.scale2.isChecked(),
        )

    def show_errors(self, errors: dict[str, str]) -> bool:
        """Each message beside its field, the first refused field focused; False when
        none of them is a field of this form."""
        mine = {key: text for key, text in errors.items() if key in self.widgets}
        self.errors.show_fields(mine)
        return bool(mine)

    def clear_error(self, key: str) -> None:
        self.errors.clear_field(key)

    def clear_errors(self) -> None:
        for key in self.widgets:
            self.clear_error(key)


# (details, reason, the Patient.version they were edited from) -> corrected; StaleRecord
# when another workstation corrected the patient since
SaveCorrection = Callable[[PatientDraft, str, int], Patient]


class EditPatientDialog(KitDialog):
    """Correct the patient's details: the form prefilled, a required reason. Enter saves
    (the reason being given), Esc leaves everything as it was."""

    def __init__(
        self,
        parent: QWidget | None,
        patient: Patient,
        save: SaveCorrection,
        reload: Callable[[], Patient] | None = None,
    ) -> None:
        """`reload`: the patient as stored now (after a stale refusal)."""
        super().__init__(parent)
        self.save_correction, self.reload = save, reload
        self.patient = patient
        self.saved: Patient | None = None
        self.setWindowTitle(f"Edit patient details: {patient.full_name} (MRN {patient.mrn})")
        self.setMinimumWidth(760)
        intro = QLabel(
            "Correct what is wrong. The old values stay in the audit trail and show in the "
            "session's History, with your reason. The MRN cannot be changed here; a past "
            "session's dose keeps the weight it was planned with."
        )
        intro.setWordWrap(True)
        self.message = error_label(hidden=False)
        self.errors = FieldErrors(self.message, focus=True)
        self.form = PatientForm(mrn_editable=False, errors=self.errors)
        self.form.fill(patient)
        self.loaded = self.form.entries()
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(CORRECTION_REASONS)
        self.reason.setCurrentIndex(-1)
        reason_line = self.reason.lineEdit()
        assert reason_line is not None  # an editable combo box has its line edit
        reason_line.setPlaceholderText("Type or choose a reason")
        reason_label = QLabel("&Reason for the correction (required):")
        reason_label.setBuddy(self.reason)
        self.reason_error = self.errors.label("reason", self.reason)
        self.reason_error.setProperty("field", "reason")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.form)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.reason_error)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.form.fields["full_name"].setFocus()

    def save(self) -> bool:
        """Submit; on a refusal show it at the field and keep everything typed."""
        self.errors.clear()
        reason = self.reason.currentText().strip()
        with guard(self.errors) as refused:
            draft = self.form.draft()
            if not reason:
                raise FieldError("reason", "A reason is required to correct patient details")
            self.saved = self.save_correction(draft, reason, self.patient.version)
        if isinstance(refused.error, StaleRecord):
            self._reload_keeping_entries(refused.error)
        if refused:
            return False
        self.accept()
        return True

    def _reload_keeping_entries(self, error: StaleRecord) -> None:
        """Corrected on another workstation meanwhile: show the details stored now, with
        this nurse's changes put back on top (marked), and say so; Save again saves them."""
        if self.reload is None:
            return
        typed = self.form.entries()
        with guard(self.errors) as failed:
            self.patient = self.reload()
        if failed:
            return
        self.form.fill(self.patient)
        loaded, self.loaded = self.loaded, self.form.entries()
        kept = self.form.put_back(typed, loaded)
        self.errors.say(
            f"Not saved: {error}" + (f" Kept from your entries: {', '.join(kept)}." if kept else "")
        )

    def answer(self) -> Patient | None:
        """The corrected patient, or None if the nurse cancelled."""
        return self.saved
