"""The escort plan: who takes the patient home (a responsible adult, never the patient
driving), confirmed before the dose (CLINICAL.md, county policy).

`EscortFields` is the three fields (name, relationship, phone) with their error labels,
in the check-in dialog and in `EscortPlanDialog`. The start asks for the plan when the
session has none (`ask_escort_first`): enter it now (Enter), start without it with a
reason (its own key, Alt+W), or go back (Esc).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.discharge import Escort
from ketamon.domain.errors import StorageError
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard
from ketamon.ui.dialogs.reason import ReasonDialog
from ketamon.ui.dialogs.start import ask_first

ESCORT_TITLE = "Escort home (confirm transport before dosing; the patient must not drive)"
NO_ESCORT_REASONS = (
    "Escort confirmed by the patient; details to be taken when they arrive",
    "Clinic-arranged medical transport with an attendant",
    "Physician ordered start; escort being reached by phone",
)


class EscortFields(QGroupBox):
    """Name, relationship and phone of the escort, each with its error label in `errors`."""

    FIELDS = (
        ("escort_name", "Name", "Responsible adult"),
        ("escort_relationship", "Relationship", "e.g. Partner"),
        ("escort_phone", "Phone", "e.g. (212) 555-0143"),
    )

    def __init__(self, errors: FieldErrors, title: str = ESCORT_TITLE) -> None:
        super().__init__(title)
        row = QHBoxLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        self.error_labels: dict[str, QLabel] = {}  # key -> its error label
        for key, label, placeholder in self.FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"field_{key}")
            edit.setPlaceholderText(placeholder)
            error = errors.label(key, edit)
            column = QVBoxLayout()
            caption = QLabel(f"{label}:")
            caption.setBuddy(edit)
            column.addWidget(caption)
            column.addWidget(edit)
            column.addWidget(error)
            column.addStretch(1)  # a wrapped error under one field leaves the others on top
            row.addLayout(column, 1)
            edit.textEdited.connect(lambda _t, k=key: errors.clear_field(k))
            self.edits[key] = edit
            self.error_labels[key] = error

    def typed(self) -> Escort | None:
        """The escort as typed (trimmed), or None when all three are empty."""
        text = {k: e.text().strip() for k, e in self.edits.items()}
        if not any(text.values()):
            return None
        return Escort(text["escort_name"], text["escort_relationship"], text["escort_phone"])


class EscortPlanDialog(KitDialog):
    """Enter the escort plan of one session; `save(escort)` keeps it (the service checks
    each field; a refusal shows under its field and nothing typed is lost)."""

    def __init__(
        self,
        parent: QWidget | None,
        patient_name: str,
        save: Callable[[Escort], object],
    ) -> None:
        super().__init__(parent)
        self.save = save
        self.setWindowTitle(f"Escort plan: {patient_name}")
        self.setMinimumWidth(760)
        self.general_error = error_label()
        self.errors = FieldErrors(self.general_error, hide_empty_message=True, focus=True)
        prompt = QLabel(
            f"Who takes <b>{escape(patient_name)}</b> home? A responsible adult, confirmed "
            "before the dose; the patient must not drive until the next day."
        )
        prompt.setTextFormat(Qt.TextFormat.RichText)
        prompt.setWordWrap(True)
        self.fields = EscortFields(self.errors, "Escort home")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton(
            "Save escort plan", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.fields)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.set_primary(self.save_button)
        self.fields.edits["escort_name"].setFocus()

    def submit(self) -> None:
        self.errors.say("")
        typed = self.fields.typed() or Escort("", "", "")
        with guard(self._refused) as refused:
            self.save(typed)
        if refused:
            self.adjustSize()  # a wrapped refusal reads whole
            return
        self.saved = typed
        self.accept()

    def _refused(self, error: Exception) -> None:
        if isinstance(error, StorageError):
            self.errors.say(f"Not saved. Nothing was lost from this form. {error}")
            return
        self.errors.show_error(error)


def ask_escort_first(parent: QWidget | None, patient_name: str) -> str | None:
    """PLAN, WITHOUT, or None (go back: nothing starts)."""
    return ask_first(
        "No escort plan",
        f"No escort plan for {patient_name}.\n\n"
        "Who takes the patient home (a responsible adult; never driving) is confirmed "
        "before the dose. Enter the escort now and the start goes on; or start without it "
        "and record why.",
        "&Enter the escort…",
        "Start &without it…",
        parent,
    )


def ask_no_escort_reason(parent: QWidget | None, patient_name: str) -> str | None:
    """The reason to start without an escort plan (required), or None (nothing starts)."""
    return ReasonDialog.ask(
        parent,
        "Start without an escort plan",
        f"Reason to start the infusion for {patient_name} before the escort home is "
        "confirmed (recorded with the start: who, when, why)",
        NO_ESCORT_REASONS,
    )
