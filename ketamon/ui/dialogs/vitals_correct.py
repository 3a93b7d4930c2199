"""Correct a vitals set: the same fields as entry, prefilled, and a required reason.

The dialog stays open, with everything typed, until the correction is saved: a refused
field (the parser's or the service's) shows its message beside the field.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import FieldError
from ketamon.domain.vitals import (
    DISSOCIATION_LEVELS,
    MOAAS_LEVELS,
    VitalsDraft,
    VitalsSet,
    parse_vitals,
)
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, guard
from ketamon.ui.timefmt import local_time

CORRECTION_REASONS = (
    "Typing error",
    "Value entered in the wrong field",
    "Reading repeated: first one was an artefact",
    "Entered for the wrong patient",
)
VOID_REASONS = (
    "Entered for the wrong patient",
    "Entered twice",
    "Reading was an artefact (cuff moved, probe off)",
)
FIELDS = (  # (key, label); "bp" takes "128/84"
    ("bp", "BP (mmHg)"),
    ("heart_rate", "Heart rate (/min)"),
    ("spo2", "SpO2 (%)"),
    ("resp_rate", "Resp. rate (/min)"),
    ("temperature", "Temperature (°C)"),
    ("pain", "Pain (0–10)"),
    ("sedation", "MOAA/S (0–5)"),
    ("dissociation", "Dissociation (0–3)"),
    ("cadss", "CADSS total (0–92)"),
    ("note", "Note"),
)

TIPS = {
    "bp": "Leave BP, HR, SpO2 and RR empty for MOAA/S and dissociation scores on their own",
    "sedation": "\n".join(f"{level}: {words}" for level, words in MOAAS_LEVELS),
    "dissociation": " · ".join(f"{level} {words}" for level, words in DISSOCIATION_LEVELS),
}

Submit = Callable[[VitalsDraft, str], VitalsSet]  # (corrected values, reason) -> saved set


def _text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class CorrectVitalsDialog(KitDialog):
    def __init__(self, parent: QWidget | None, original: VitalsSet, submit: Submit) -> None:
        super().__init__(parent)
        self.submit = submit
        self.saved: object | None = None
        self.setWindowTitle("Correct vitals set")
        self.setMinimumWidth(560)
        v = original.values
        title = QLabel(
            f"Correcting the set taken at {local_time(original.taken_at)} by "
            f"{original.entered_by_label}. The original stays in the record, marked corrected."
        )
        title.setWordWrap(True)
        prefill = {
            "bp": f"{_text(v.systolic)}/{_text(v.diastolic)}" if v.systolic is not None else "",
            "heart_rate": _text(v.heart_rate),
            "spo2": _text(v.spo2),
            "resp_rate": _text(v.resp_rate),
            "temperature": _text(v.temperature),
            "pain": _text(v.pain),
            "sedation": _text(v.sedation),
            "dissociation": _text(v.dissociation),
            "cadss": _text(v.cadss),
            "note": v.note,
        }
        self.edits: dict[str, QLineEdit] = {}
        self.errors = FieldErrors()
        self.message = self.errors.message
        form = QFormLayout()
        for key, label in FIELDS:
            edit = QLineEdit(prefill[key])
            edit.setObjectName(f"correct_{key}")
            if key in TIPS:
                edit.setToolTip(TIPS[key])
            self.edits[key] = edit
            form.addRow(label, edit)
            form.addRow("", self.errors.label(key, edit))
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(CORRECTION_REASONS)
        self.reason.setCurrentIndex(-1)
        reason_line = self.reason.lineEdit()
        assert reason_line is not None  # an editable combo box has its line edit
        reason_line.setPlaceholderText("Type or choose a reason")
        form.addRow("Reason (required)", self.reason)
        form.addRow("", self.errors.label("reason"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def typed(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.edits.items()}

    def save(self) -> bool:
        """Parse and submit; on a refusal show it at the field and keep everything typed."""
        self.errors.clear()
        reason = self.reason.currentText().strip()
        with guard(self.errors) as refused:
            draft = parse_vitals(self.typed())
            if not reason:
                raise FieldError("reason", "A reason is required to correct a vitals set")
            self.saved = self.submit(draft, reason)
        if refused:
            return False
        self.accept()
        return True

    def answer(self) -> object | None:
        """The saved correction, or None if the nurse cancelled."""
        return self.saved
