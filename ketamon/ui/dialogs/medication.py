"""Give a medication: drug, dose and unit, route, time, who gave it, the side effect treated.

The dialog stays open, with everything typed, until the entry is saved: a refused field
shows its message beside the field, naming the allowed range.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.interventions import OTHER, ROUTES, UNITS, MedicationDraft, parse_dose
from ketamon.storage.database import StorageError
from ketamon.ui.timefmt import local_time


def parse_time(text: str, now: datetime, field: str = "given_at") -> datetime | None:
    """ "" = now (None); "14:05" or "1405" = today at that local time; "-10" = 10 min ago."""
    typed = text.strip()
    if not typed:
        return None
    if re.fullmatch(r"-\s*\d{1,3}", typed):
        return now - timedelta(minutes=int(typed[1:].strip()))
    match = re.fullmatch(r"(\d{1,2})[:.h]?(\d{2})", typed)
    if match and int(match[1]) < 24 and int(match[2]) < 60:  # noqa: PLR2004
        local = now.astimezone()
        return local.replace(hour=int(match[1]), minute=int(match[2]), second=0, microsecond=0)
    raise FieldError(field, "Time: type HH:MM (e.g. 14:05), or -10 for ten minutes ago")


class FieldErrors:
    """Error labels beside fields, and the invalid look on the field itself."""

    def __init__(self) -> None:
        self.labels: dict[str, QLabel] = {}
        self.widgets: dict[str, QWidget] = {}
        self.message = QLabel("")
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)

    def label(self, key: str, widget: QWidget | None = None) -> QLabel:
        label = QLabel("")
        label.setObjectName("fieldError")
        label.setWordWrap(True)
        label.hide()
        self.labels[key] = label
        if widget is not None:
            self.widgets[key] = widget
        return label

    def show(self, key: str, text: str) -> None:
        label = self.labels.get(key)
        if label is None:
            self.message.setText(text)
            return
        label.setText(text)
        label.show()
        self._mark(self.widgets.get(key), True)

    def show_error(self, error: Exception) -> None:
        if isinstance(error, ValidationErrors):
            for key, text in error.errors.items():
                self.show(key, text)
        elif isinstance(error, FieldError):
            self.show(error.field, error.message)
        else:
            self.message.setText(str(error))

    def clear(self) -> None:
        self.message.setText("")
        for key, label in self.labels.items():
            label.hide()
            label.setText("")
            self._mark(self.widgets.get(key), False)

    def text(self, key: str) -> str:
        label = self.labels.get(key)
        return label.text() if label is not None and not label.isHidden() else ""

    @staticmethod
    def _mark(widget: QWidget | None, invalid: bool) -> None:
        if widget is None or bool(widget.property("invalid")) == invalid:
            return
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


@dataclass(frozen=True)
class MedicationHandlers:
    give: Callable[[MedicationDraft], object]  # -> the saved Medication
    now: Callable[[], datetime]
    choices: Sequence[str]  # the clinic's medication list (settings.medication_choices)
    users: Sequence[tuple[str, str]]  # active users: (username, display name)
    actor: str  # the acting user: "given by" starts here
    side_effects: Sequence[tuple[int, str]] = ()  # this session's current side effects


class MedicationDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, handlers: MedicationHandlers):
        super().__init__(parent)
        self.handlers = handlers
        self.saved: object | None = None
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
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors.message)
        layout.addWidget(self.buttons)
        self.setStyleSheet("QLabel, QLineEdit, QComboBox, QPushButton { font-size: 16px; }")

    def _drug_changed(self, *_args) -> None:  # noqa: ANN002
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
            given_at=parse_time(self.given_at.text(), self.handlers.now()),
            given_by=str(self.given_by.currentData() or ""),
            side_effect_id=self.treated.currentData(),
            note=self.note.text(),
            other_drug=self.other.text() if self.drug.currentData() == OTHER else "",
        )

    def save(self) -> bool:
        """Submit; on a refusal show it at the field and keep everything typed."""
        self.errors.clear()
        try:
            self.saved = self.handlers.give(self.draft())
        except (DomainError, StorageError) as error:
            self.errors.show_error(error)
            return False
        self.accept()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, handlers: MedicationHandlers) -> object | None:
        """The saved entry, or None if the nurse cancelled."""
        dialog = cls(parent, title, handlers)
        dialog.exec()
        saved = dialog.saved
        dialog.deleteLater()  # a closed dialog would keep the patient's name in the tree
        return saved


def describe(
    med,  # noqa: ANN001
    effects: dict[int, str] | None = None,
    names: dict[str, str] | None = None,
) -> str:
    """One line for the list: "14:05 ondansetron 4 mg ODT by Kim Lee, RN, for Nausea"
    (`names`: username -> display name)."""
    given_by = (names or {}).get(med.given_by, med.given_by)
    text = f"{local_time(med.given_at)}  {med.summary}  by {given_by}"
    if med.side_effect_id is not None:
        text += f", for {(effects or {}).get(med.side_effect_id, 'a side effect')}"
    if med.status != "current":
        text = f"VOIDED ({med.status_reason}): {text}"
    return text
