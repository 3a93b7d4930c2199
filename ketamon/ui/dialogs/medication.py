"""Give a medication: drug, dose and unit, route, time, who gave it, the side effect treated.

The dialog stays open, with everything typed, until the entry is saved: a refused field
shows its message beside the field, naming the allowed range. The patient's allergy status
is shown at the top, in words; when the service finds the drug in the allergy list, the
nurse is asked for the reason to give it anyway (Enter and Esc go back, nothing stored).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.clinical_time import parse_clinical_time
from ketamon.domain.interventions import (
    OTHER,
    ROUTES,
    UNITS,
    AllergyConflict,
    Medication,
    MedicationDraft,
    parse_dose,
)
from ketamon.domain.patients import Patient
from ketamon.domain.statuses import RecordStatus
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard
from ketamon.ui.dialogs.patient_form import allergy_html
from ketamon.ui.timefmt import local_time


@dataclass(frozen=True)
class MedicationHandlers:
    give: Callable[[MedicationDraft], Medication]
    now: Callable[[], datetime]
    choices: Sequence[str]  # the clinic's medication list (settings.medication_choices)
    users: Sequence[tuple[str, str]]  # active users: (username, display name)
    actor: str  # the acting user: "given by" starts here
    side_effects: Sequence[tuple[int, str]] = ()  # this session's current side effects
    patient: Patient | None = None  # whose allergy status is shown


class AllergyOverrideDialog(KitDialog):
    """The drug is named in the patient's allergies: give it anyway only with a reason.
    Go back is the default (Enter and Esc); recording needs Alt+R or a click."""

    def __init__(self, parent: QWidget | None, conflict: AllergyConflict) -> None:
        super().__init__(parent)
        self.setProperty("large", True)  # QSS: 16px text (set before any child is polished)
        self.setWindowTitle("Drug named in the patient's allergies")
        self.setMinimumWidth(560)
        text = QLabel(
            f"<b>{escape(conflict.drug)}</b> appears in the patient's allergies: "
            f"<b>“{escape(conflict.matched)}”</b>.<br><br>Record it only if it is being "
            "given anyway, with the reason (for example the physician's order). "
            "The reason is kept with the entry and printed on the summary."
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        self.reason = QLineEdit()
        self.reason.setObjectName("allergyOverrideReason")
        self.reason.setPlaceholderText("Why it is given despite the allergy (required)")
        label = QLabel("Reason:")
        label.setBuddy(self.reason)
        self.error = error_label()
        self.back = QPushButton("Go back")
        self.back.setDefault(True)
        self.record = QPushButton("&Record anyway")
        self.record.setAutoDefault(False)
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(self.record, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.back, QDialogButtonBox.ButtonRole.RejectRole)
        self.record.clicked.connect(self._record)
        self.back.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def _record(self) -> None:
        if not self.reason.text().strip():
            self.error.setText("Type the reason for giving it despite the allergy")
            self.error.show()
            self.reason.setFocus()
            return
        self.accept()

    def answer(self) -> str | None:
        """The reason to give it anyway, or None (gone back)."""
        reason = self.reason.text().strip()
        return reason if self.result() == QDialog.DialogCode.Accepted and reason else None


class MedicationDialog(KitDialog):
    def __init__(self, parent: QWidget | None, title: str, handlers: MedicationHandlers):
        super().__init__(parent)
        self.setProperty("large", True)  # QSS: 16px text (set before any child is polished)
        self.handlers = handlers
        self.saved: Medication | None = None
        self.setWindowTitle(f"Give medication · {title}")
        self.setMinimumWidth(620)
        self.errors = FieldErrors()
        self.drug = QComboBox()
        for choice in handlers.choices:
            self.drug.addItem("Other (type the name)" if choice == OTHER else choice, choice)
        self.other = QLineEdit()
        self.other.setPlaceholderText("Name of the drug given")
        self.dose = QLineEdit()
        self.dose.setPlaceholderText("e.g. 4")
        self.unit = QComboBox()
        self.unit.addItems(UNITS)
        self.route = QComboBox()
        self.route.addItems(ROUTES)
        self.given_at = QLineEdit()
        self.given_at.setPlaceholderText("now (or HH:MM, or -10 for ten minutes ago)")
        self.given_by = QComboBox()
        for username, name in handlers.users:
            self.given_by.addItem(f"{name} ({username})", username)
        mine = self.given_by.findData(handlers.actor)
        self.given_by.setCurrentIndex(max(mine, 0))
        self.treated = QComboBox()
        self.treated.addItem("(not for a side effect)", None)
        for effect_id, text in handlers.side_effects:
            self.treated.addItem(text, effect_id)
        self.note = QLineEdit()
        form = QFormLayout()
        for key, label, widget in (
            ("drug", "Drug", self.drug),
            ("other_drug", "Other drug name", self.other),
            ("dose", "Dose", self.dose),
            ("unit", "Unit", self.unit),
            ("route", "Route", self.route),
            ("given_at", "Time given", self.given_at),
            ("given_by", "Given by", self.given_by),
            ("side_effect_id", "For side effect", self.treated),
            ("note", "Note", self.note),
        ):
            form.addRow(label, widget)
            form.addRow("", self.errors.label(key, widget))
        self.drug.currentIndexChanged.connect(self._drug_changed)
        self._drug_changed()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        # The allergy status, in words, above the form (listed or not recorded: bold red).
        self.allergies = QLabel(allergy_html(handlers.patient))
        self.allergies.setObjectName("medicationAllergies")
        self.allergies.setTextFormat(Qt.TextFormat.RichText)
        self.allergies.setWordWrap(True)
        self.allergies.setVisible(handlers.patient is not None)
        layout = QVBoxLayout(self)
        layout.addWidget(self.allergies)
        layout.addLayout(form)
        layout.addWidget(self.errors.message)
        layout.addWidget(self.buttons)

    def _drug_changed(self, *_args) -> None:
        other = self.drug.currentData() == OTHER
        self.other.setEnabled(other)
        if other:
            self.other.setFocus()

    def draft(self) -> MedicationDraft:
        """What is typed, as a draft (raises FieldError for an unreadable time)."""
        return MedicationDraft(
            drug=str(self.drug.currentData() or ""),
            dose=parse_dose(self.dose.text()),
            unit=self.unit.currentText(),
            route=self.route.currentText(),
            given_at=parse_clinical_time(
                self.given_at.text(), self.handlers.now(), "given_at", "Time given"
            ),
            given_by=str(self.given_by.currentData() or ""),
            side_effect_id=self.treated.currentData(),
            note=self.note.text(),
            other_drug=self.other.text() if self.drug.currentData() == OTHER else "",
        )

    def save(self) -> bool:
        """Submit; on a refusal show it at the field and keep everything typed."""
        self.errors.clear()
        with guard(self.errors) as refused:
            draft = self.draft()
            try:
                self.saved = self.handlers.give(draft)
            except AllergyConflict as conflict:
                reason = AllergyOverrideDialog.ask(self, conflict)
                if reason is None:  # gone back: nothing stored, everything typed kept
                    self.errors.message.setText(str(conflict))
                    return False
                self.saved = self.handlers.give(replace(draft, allergy_override_reason=reason))
        if refused:
            return False
        self.accept()
        return True

    def answer(self) -> object | None:
        """The saved entry, or None if the nurse cancelled."""
        return self.saved


def describe(
    med,
    effects: dict[int, str] | None = None,
    names: dict[str, str] | None = None,
) -> str:
    """One line for the list: "14:05 ondansetron 4 mg ODT by Kim Lee, RN, for Nausea"
    (`names`: username -> display name)."""
    given_by = (names or {}).get(med.given_by, med.given_by)
    text = f"{local_time(med.given_at)}  {med.summary}  by {given_by}"
    if med.side_effect_id is not None:
        text += f", for {(effects or {}).get(med.side_effect_id, 'a side effect')}"
    override = getattr(med, "allergy_override_reason", "")
    if override:
        text += f"  · NAMED IN ALLERGIES, given because: {override}"
    if med.status != RecordStatus.CURRENT:
        text = f"{RecordStatus.VOIDED.label} ({med.status_reason}): {text}"
    return text
