"""Vitals entry from the board: a compact popup opened with V on a chair.

MOAA/S, clinician-rated dissociation and a CADSS total may be saved with a set or on their
own (leave BP, HR, SpO2 and RR empty); each level's words show beside the field as it is
typed. Typed as numbers, Tab between fields, Enter saves: "128/84" Tab "72" Tab "98" Tab "14"
Enter is a full set (5 keystrokes beyond the digits). The popup stays open after a save:
the fields clear, the focus returns to BP, and the saved set is shown graded, each value
in words and colour (normal / AMBER / RED). Esc closes it.

A refused value shows its message beside the field; nothing is saved and nothing typed is
lost. A database fault shows a message; everything typed stays. A database that cannot be
reached is said on the line above the buttons (and on the window's banner, no message box);
when it answers again the line says so, and Enter saves what is still typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.clinical_time import parse_clinical_time
from ketamon.domain.errors import FieldError, StorageError, ValidationErrors
from ketamon.domain.vitals import (
    Band,
    VitalPhase,
    VitalsDraft,
    VitalsSet,
    parse_vitals,
)
from ketamon.ui.connection import watch_for
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard, set_state
from ketamon.ui.dialogs.messages import show_message
from ketamon.ui.timefmt import local_time
from ketamon.ui.vitals_fields import (
    CORE,
    GRADE_NAMES,
    NOTE,
    OPTIONAL,
    SCORES,
    TAKEN,
    FieldSpec,
    saved_values,
    score_words,
)


@dataclass(frozen=True)
class VitalsEntryHandlers:
    # (draft, time taken or None for now, pre-discharge set?)
    record: Callable[[VitalsDraft, datetime | None, bool], VitalsSet]
    now: Callable[[], datetime]
    saved: Callable[[VitalsSet], object] = lambda _set: None  # e.g. reload the board
    bands: dict[str, Band] | None = None  # the clinic's, to flag a typed MOAA/S (else defaults)


class VitalsEntryDialog(KitDialog):
    def __init__(self, parent: QWidget | None, title: str, handlers: VitalsEntryHandlers):
        super().__init__(parent)
        self.setObjectName("vitalsEntry")
        self.handlers = handlers
        self.saved_sets: list[VitalsSet] = []
        self._following = False  # the connection watch tells when the database is back
        self.setWindowTitle(f"Vitals: {title}")
        self.setMinimumWidth(820)
        heading = QLabel(f"Vitals · {title}")
        heading.setObjectName("dialogTitle")
        hint = QLabel("Tab between fields · Enter saves · Esc closes")
        hint.setObjectName("vitalsHint")

        self.fields: dict[str, QLineEdit] = {}
        self.general_error = error_label()
        self.errors = FieldErrors(self.general_error, hide_empty_message=True)
        self.words: dict[str, QLabel] = {}  # what a typed MOAA/S or dissociation level means
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        for column, spec in enumerate(CORE):  # each field: label, field, error, words
            self._place(grid, 0, column, spec, self._line_edit(spec))
        sedation, dissociation, cadss = SCORES
        self._place(grid, 4, 0, sedation, self._line_edit(sedation), span=2)
        self._place(grid, 4, 2, dissociation, self._line_edit(dissociation))
        self._place(grid, 4, 3, cadss, self._line_edit(cadss))
        for column, spec in enumerate(OPTIONAL):
            self._place(grid, 8, column, spec, self._line_edit(spec))
        self._place(grid, 8, 2, NOTE, self._line_edit(NOTE))
        self._place(grid, 8, 3, TAKEN, self._line_edit(TAKEN))
        self.sedation = self.fields["sedation"]
        for key in ("sedation", "dissociation"):
            self.fields[key].textChanged.connect(lambda text, k=key: self._show_words(k, text))
        for column in range(4):
            grid.setColumnStretch(column, 1)
        scores_hint = QLabel(
            "MOAA/S and dissociation can be saved on their own: leave BP, HR, SpO2 and RR empty."
        )
        scores_hint.setObjectName("vitalsHint")
        grid.addWidget(scores_hint, 12, 0, 1, 4)
        self.pre_discharge = QCheckBox(
            f"{VitalPhase.PRE_DISCHARGE.label} set: the last set before the patient leaves"
        )
        self.pre_discharge.setObjectName(VitalPhase.PRE_DISCHARGE.value)
        grid.addWidget(self.pre_discharge, 14, 0, 1, 4)
        # Stays ticked for the next set (the patient is usually still on oxygen): visible.
        self.oxygen = QCheckBox("&On supplemental oxygen (NEWS2: 2 points)")
        self.oxygen.setObjectName("onOxygen")
        grid.addWidget(self.oxygen, 13, 0, 1, 4)

        self.feedback = QFrame()
        self.feedback.setObjectName("vitalsFeedback")
        self.feedback_title = QLabel()
        self.feedback_title.setObjectName("vitalsFeedbackTitle")
        self.chips_row = QHBoxLayout()
        self.chips_row.setSpacing(6)
        self.chips: list[QLabel] = []
        self.chips_row.addStretch(1)
        feedback_layout = QVBoxLayout(self.feedback)
        feedback_layout.addWidget(self.feedback_title)
        feedback_layout.addLayout(self.chips_row)
        self.feedback.hide()

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            "Save (Enter)", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("primaryButton")
        self.save_button.setDefault(True)
        self.close_button = self.buttons.addButton(
            "Close (Esc)", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.close_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addLayout(grid)
        layout.addWidget(self.general_error)
        layout.addWidget(self.feedback)
        layout.addWidget(self.buttons)

        order = [*(s.key for s in CORE), *(s.key for s in SCORES), *(s.key for s in OPTIONAL)]
        order += ["note", "taken_at"]
        chain: list[QWidget] = [self.fields[k] for k in order]
        chain += [self.oxygen, self.pre_discharge, self.save_button, self.close_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.fields["bp"].setFocus()

    # -- building --------------------------------------------------------------------------
    def _line_edit(self, spec: FieldSpec) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(spec.placeholder)
        # QSS: an empty field's hint in grey italics (QLineEdit[empty="true"]), so it never
        # reads as a value typed.
        edit.setProperty("empty", True)
        edit.textChanged.connect(lambda text, e=edit: set_state(e, "empty", not text))
        edit.textEdited.connect(lambda _t, k=spec.key: self._clear_error(k))
        return edit

    def _show_words(self, key: str, text: str) -> None:
        words = score_words(key, text, self.handlers.bands)
        self.words[key].setText(words)
        self.words[key].setVisible(bool(words))
        self._fit()

    def _fit(self) -> None:
        """Grow to show every line (an error under its field, a level's words, the saved
        set) in full: Qt sizes a window for a wrapped label's one-line height, so the text
        overlapped the next row. Never shrinks under the nurse's hands."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        width = max(self.width(), self.minimumWidth())
        needed = (
            layout.totalHeightForWidth(width)
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        needed = max(needed, layout.totalMinimumSize().height())
        self.setMinimumHeight(needed)
        if self.height() < needed:
            self.resize(width, needed)

    def _place(
        self,
        grid: QGridLayout,
        row: int,
        column: int,
        spec: FieldSpec,
        widget: QLineEdit,
        span: int = 1,
    ) -> None:
        label = QLabel(spec.label)
        label.setObjectName("vitalsLabel")
        label.setBuddy(widget)
        widget.setObjectName(f"vitals_{spec.key}")
        widget.setToolTip(spec.tooltip)
        error = self.errors.label(spec.key, widget)
        grid.addWidget(label, row, column, 1, span)
        grid.addWidget(widget, row + 1, column, 1, span)
        # its own wrapped line(s) under the field, from the top of its row
        grid.addWidget(error, row + 2, column, 1, span, Qt.AlignmentFlag.AlignTop)
        self.fields[spec.key] = widget
        if spec.key in ("sedation", "dissociation"):
            words = QLabel()
            words.setObjectName("scoreWords")  # QSS: QDialog#vitalsEntry QLabel#scoreWords
            words.setWordWrap(True)
            words.hide()
            grid.addWidget(words, row + 3, column, 1, span)
            self.words[spec.key] = words

    # -- reading what was typed ------------------------------------------------------------
    def texts(self) -> dict[str, str]:
        return {k: w.text() for k, w in self.fields.items()}

    # -- saving ----------------------------------------------------------------------------
    def submit(self) -> None:
        self._clear_all_errors()
        texts = self.texts()
        errors: dict[str, str] = {}
        draft = taken = None
        try:
            draft = parse_vitals({k: v for k, v in texts.items() if k != "taken_at"})
        except ValidationErrors as error:
            errors |= error.errors
        try:
            taken = parse_clinical_time(
                texts["taken_at"], self.handlers.now(), "taken_at", "Time taken"
            )
        except FieldError as error:
            errors[error.field] = error.message
        if errors or draft is None:
            self._show_field_errors(errors)
            return
        with guard(self._refused) as refused:
            draft = replace(draft, oxygen=self.oxygen.isChecked())
            saved = self.handlers.record(draft, taken, self.pre_discharge.isChecked())
        if refused:
            return
        self.saved_sets.append(saved)
        self.pre_discharge.setChecked(False)
        self._show_saved(saved)
        self._clear_fields()
        self.handlers.saved(saved)

    def _show_saved(self, saved: VitalsSet) -> None:
        for chip in self.chips:
            self.chips_row.removeWidget(chip)
            chip.deleteLater()
        self.chips = []
        worst = saved.worst
        self.feedback_title.setText(
            f"Saved: taken {local_time(saved.taken_at)} ({saved.phase.value.replace('_', ' ')})"
            f" · by {saved.entered_by_label} · worst {worst.label}"
            + (f" · {saved.news2.words}" if saved.news2 is not None else "")
        )
        for key, text, grade in saved_values(saved):
            chip = QLabel(f"{text} {grade.label}")
            chip.setObjectName(f"chip_{key}")
            chip.setProperty("grade", GRADE_NAMES[grade])
            self.chips_row.insertWidget(len(self.chips), chip)
            self.chips.append(chip)
        set_state(self.feedback, "grade", GRADE_NAMES[worst])
        self.feedback.show()
        self._fit()

    def _clear_fields(self) -> None:
        for widget in self.fields.values():
            widget.clear()
        self.fields["bp"].setFocus(Qt.FocusReason.OtherFocusReason)

    # -- messages at the fields ------------------------------------------------------------
    def _refused(self, error: Exception) -> None:
        """The service refused the set: at the fields it names, or the general line (a
        database fault also in a message box); everything typed stays."""
        if isinstance(error, ValidationErrors):
            self._show_field_errors(error.errors)
        elif isinstance(error, FieldError):
            self._show_field_errors({error.field: error.message})
        elif isinstance(error, StorageError) and error.unreachable:
            # The banner says it across the window; no box each time Save is pressed.
            self._show_general(
                f"Not saved: {error}. Everything typed is still here; press Enter again when "
                "the banner at the top is gone."
            )
            self._follow_connection(error.location)
        elif isinstance(error, StorageError):
            self._show_general(f"Not saved. {error}")
            show_message(
                self, "Database problem", f"Nothing typed was lost.\n\n{error}", critical=True
            )
        else:
            self._show_general(str(error))

    def _follow_connection(self, location: str) -> None:
        """Say here too when the database answers again (once per dialog)."""
        watch = watch_for(location)
        if watch is not None and not self._following:
            self._following = True
            watch.restored.connect(self._database_back)

    def _database_back(self) -> None:
        if self.general_error.text().startswith("Not saved: "):
            self._show_general("The database answers again: press Enter to save what you typed.")

    def _show_field_errors(self, errors: dict[str, str]) -> None:
        at_fields: dict[str, str] = {}
        for key, message in errors.items():
            field = key if key in self.fields else "bp" if key in ("systolic", "diastolic") else ""
            if field:
                at_fields[field] = message
            else:
                self._show_general(message)
        self.errors.show_fields(at_fields)
        self._fit()
        if at_fields:
            widget = self.fields[min(at_fields, key=self._order)]
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            widget.selectAll()  # still there; typing replaces it

    def _order(self, key: str) -> int:
        return list(self.fields).index(key)

    def _show_general(self, text: str) -> None:
        self.errors.say(text)
        self._fit()

    def _clear_error(self, key: str) -> None:
        self.errors.clear_field(key)

    def _clear_all_errors(self) -> None:
        self.errors.clear()

    def answer(self) -> int:
        """Open the entry popup until the nurse closes it; returns how many sets were saved."""
        return len(self.saved_sets)
