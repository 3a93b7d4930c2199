"""Check a patient in to a chair: find them, or register them quickly, and pick the target.

The dialog stays open, with everything typed, until the check-in is saved: a refused
field shows its message beside the field; a database fault shows a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.board import SessionSnapshot
from ketamon.domain.discharge import Escort
from ketamon.domain.discharge_entry import escort_plan
from ketamon.domain.errors import FieldError, StorageError, ValidationErrors
from ketamon.domain.patients import Patient, PatientDraft
from ketamon.domain.settings import MAX_TARGET_MINUTES, MIN_TARGET_MINUTES, ClinicSettings
from ketamon.ui.dialogs.escort import EscortFields
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard
from ketamon.ui.dialogs.messages import show_message
from ketamon.ui.dialogs.patient_form import PatientForm, allergy_html

# In the search field: key -> rows the highlighted match moves
NAVIGATION_KEYS = {
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageUp: -8,
    Qt.Key.Key_PageDown: 8,
}


@dataclass(frozen=True)
class CheckInHandlers:
    search: Callable[[str], list[Patient]]
    register: Callable[[PatientDraft], Patient]
    check_in: Callable[[int, int, Escort | None], SessionSnapshot]  # (patient, minutes, escort)
    occupied: dict[int, str] = field(default_factory=dict)  # patient id -> chair name
    # patient id -> "Infusion 4 of 6 · PHQ-9 19 → 11": what this check-in opens
    course_line: Callable[[int], str] = lambda _patient_id: ""


class CheckInDialog(KitDialog):
    def __init__(
        self,
        parent: QWidget | None,
        chair_name: str,
        handlers: CheckInHandlers,
        settings: ClinicSettings,
    ) -> None:
        super().__init__(parent)
        self.handlers = handlers
        self.course_lines: dict[int, str] = {}  # patient id -> course line, read once
        self.setWindowTitle(f"Check in patient: {chair_name}")
        self.setMinimumWidth(1040)  # a match reads whole: name, MRN, born, kg, allergies, chair
        # One FieldErrors for the whole dialog: the new patient's fields, the escort's, the
        # patient chosen; the general line for the rest.
        self.general_error = error_label()
        self.errors = FieldErrors(self.general_error, hide_empty_message=True, focus=True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_find(), "Find patient")
        self.tabs.addTab(self._build_new(), "New patient")
        self.target = QComboBox()
        for minutes in settings.target_choices:
            self.target.addItem(f"{minutes} min", minutes)
        self.target.addItem("Custom…", None)
        index = self.target.findData(settings.default_target_minutes)
        self.target.setCurrentIndex(max(0, index))
        self.custom = QSpinBox()
        self.custom.setRange(MIN_TARGET_MINUTES, MAX_TARGET_MINUTES)
        self.custom.setSuffix(" min")
        self.custom.setValue(settings.default_target_minutes)
        self.custom.setEnabled(False)
        self.target.currentIndexChanged.connect(
            lambda _: self.custom.setEnabled(self.target.currentData() is None)
        )
        target_row = QHBoxLayout()
        target_label = QLabel("Target infusion duration:")
        target_label.setBuddy(self.target)
        target_row.addWidget(target_label)
        target_row.addWidget(self.target)
        target_row.addWidget(self.custom)
        target_row.addStretch(1)
        self.phone_region = settings.phone_region
        escort_box = self._build_escort()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.check_in_button = self.buttons.addButton(
            "Check in", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        title = QLabel(f"Check in to {chair_name}")
        title.setObjectName("dialogTitle")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.tabs)
        layout.addLayout(target_row)
        layout.addWidget(escort_box)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        # Enter checks in, on either tab (the kit keeps it the default: KitDialog)
        self.set_primary(self.check_in_button)
        self.search_edit.setFocus()

    # -- escort plan -----------------------------------------------------------------------
    def _build_escort(self) -> QWidget:
        box = EscortFields(self.errors)
        self.escort_fields: dict[str, QLineEdit] = box.edits
        self.escort_errors: dict[str, QLabel] = box.error_labels  # key -> its error label
        self.escort_box = box
        return box

    def escort_plan(self) -> Escort | None:
        """The escort typed (validated), or None when left empty; ValidationErrors if bad."""
        escort = self.escort_box.typed()
        return None if escort is None else escort_plan(escort, self.phone_region)

    # -- find ------------------------------------------------------------------------------
    def _build_find(self) -> QWidget:
        page = QWidget()
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Type a name, an MRN or a date of birth (YYYY-MM-DD)")
        self.search_edit.textChanged.connect(self._search)
        self.search_edit.installEventFilter(self)  # Up/Down move the highlighted match
        self.results = QListWidget()
        self.results.itemDoubleClicked.connect(lambda _: self.submit())
        # The chosen patient and their allergy status, in words, before Check in.
        self.chosen = QLabel("")
        self.chosen.setObjectName("checkInChosen")
        self.chosen.setTextFormat(Qt.TextFormat.RichText)
        self.chosen.setWordWrap(True)
        self.results.currentItemChanged.connect(lambda *_: self._show_chosen())
        self.find_error = self.errors.label("patient")  # no patient chosen
        self.no_match = QPushButton("No match: register a new patient")
        self.no_match.hide()
        self.no_match.clicked.connect(self._to_new_from_search)
        layout = QVBoxLayout(page)
        label = QLabel("Search by name, MRN or date of birth:")
        label.setBuddy(self.search_edit)
        layout.addWidget(label)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.results)
        layout.addWidget(self.chosen)
        layout.addWidget(self.no_match)
        layout.addWidget(self.find_error)
        return page

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the search field, Up/Down (and Page Up/Down) move the highlighted match, so
        typing, arrows and Enter check a patient in without leaving the field."""
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and Qt.Key(event.key()) in NAVIGATION_KEYS
        ):
            self._move_highlight(NAVIGATION_KEYS[Qt.Key(event.key())])
            return True
        return super().eventFilter(watched, event)

    def _move_highlight(self, step: int) -> None:
        """The highlight `step` rows on (negative: up), over patients already in a chair,
        stopping at the first or last that can be checked in."""
        direction = 1 if step > 0 else -1
        row, target = self.results.currentRow(), None
        candidate = row + direction
        while 0 <= candidate < self.results.count():
            if self.results.item(candidate).flags() & Qt.ItemFlag.ItemIsEnabled:
                target = candidate
                if abs(candidate - row) >= abs(step):
                    break
            candidate += direction
        if target is not None:
            self.results.setCurrentRow(target)

    def _search(self, text: str) -> None:
        self.results.clear()
        self.errors.clear_field("patient")
        with guard(self._refused) as refused:
            found = self.handlers.search(text)
        if refused:
            return
        first_free = None
        for patient in found:
            text = (
                f"{patient.full_name}  ·  MRN {patient.mrn}  ·  born "
                f"{patient.date_of_birth.isoformat()}  ·  {patient.weight_kg:g} kg  ·  "
                f"{patient.allergy_text}"
            )
            chair = self.handlers.occupied.get(patient.id)
            item = QListWidgetItem(f"{text}  ·  already in {chair}" if chair else text)
            item.setData(Qt.ItemDataRole.UserRole, patient)
            if chair:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            elif first_free is None:
                first_free = item
            self.results.addItem(item)
        if first_free is not None:
            self.results.setCurrentItem(first_free)
        self._show_chosen()
        self.no_match.setVisible(bool(text.strip()) and not found)

    def _show_chosen(self) -> None:
        item = self.results.currentItem()
        patient = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if patient is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.chosen.setText("")
            return
        line = self.course_lines.get(patient.id)
        if line is None and self.tabs.currentIndex() == 0:  # found, not just registered
            line = ""
            with guard(lambda _error: None):  # the course line is a help, never a stop
                line = self.handlers.course_line(patient.id)
            self.course_lines[patient.id] = line
        course = f"<br><b>{escape(line)}</b>" if line else ""
        self.chosen.setText(
            f"Checking in <b>{escape(patient.full_name)}</b> (MRN {escape(patient.mrn)}): "
            + allergy_html(patient)
            + course
        )

    def _to_new_from_search(self) -> None:
        text = self.search_edit.text().strip()
        if any(ch.isdigit() for ch in text):
            self.fields["mrn"].setText(text)
        else:
            self.fields["full_name"].setText(text)
        self.tabs.setCurrentIndex(1)

    # -- new patient -----------------------------------------------------------------------
    def _build_new(self) -> QWidget:
        self.form = PatientForm(errors=self.errors)
        self.fields = self.form.fields  # key -> line edit
        return self.form

    def _draft(self) -> PatientDraft:
        """Parse what was typed; raise ValidationErrors for what cannot be parsed."""
        return self.form.draft()

    # -- submit ----------------------------------------------------------------------------
    def target_minutes(self) -> int:
        data = self.target.currentData()
        return int(data) if data is not None else self.custom.value()

    def submit(self) -> None:
        self.errors.say("")
        with guard(self.errors) as refused:
            escort = self.escort_plan()  # refused: under the escort's fields
        if refused:
            return
        with guard(self._refused) as refused:
            patient = self._chosen_patient()
            if patient is None:
                return
            if escort is not None:  # never the patient: asked before anything is checked in
                escort = escort_plan(escort, self.phone_region, patient.full_name)
            self.handlers.check_in(patient.id, self.target_minutes(), escort)
        if refused:
            return
        self.accept()

    def _chosen_patient(self) -> Patient | None:
        if self.tabs.currentIndex() == 0:
            item = self.results.currentItem()
            if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
                self.errors.show("patient", "Choose a patient from the list, or register a new one")
                return None
            return item.data(Qt.ItemDataRole.UserRole)
        patient = self.handlers.register(self._draft())
        # Registered: switch to it so a later check-in failure does not register twice.
        self.search_edit.setText(patient.mrn)
        self.tabs.setCurrentIndex(0)
        return patient

    def _refused(self, error: Exception) -> None:
        """A refusal of the search, registration or check-in: a new patient's field on its
        tab; a database fault in the general line and a message (nothing typed is lost)."""
        if isinstance(error, StorageError):
            self._show_storage_error(error)
            return
        if isinstance(error, ValidationErrors):
            keys = set(error.errors)
        else:
            keys = {error.field} if isinstance(error, FieldError) else set()
        if keys & set(self.form.widgets):
            self.tabs.setCurrentIndex(1)
        self.errors.show_error(error)

    def _show_storage_error(self, error: StorageError) -> None:
        self.errors.say(f"Not saved. Nothing was lost from this form. {error}")
        if error.unreachable:
            return  # the band across the board and this dialog says so, and retries
        show_message(
            self, "Database problem", f"Nothing was lost from this form.\n\n{error}", critical=True
        )

    def answer(self) -> bool:
        """True when a patient was checked in."""
        return self.result() == QDialog.DialogCode.Accepted
