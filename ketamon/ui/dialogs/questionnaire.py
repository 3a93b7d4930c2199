"""A questionnaire (PHQ-9, GAD-7, PCL-5, pain) read with the patient, item by item.

Keyboard-fast: the answers line takes one digit per item ("210110002" for a PHQ-9), and
the rows below show the instrument's own wording with each answer as a choice; the two
follow each other. The total and its band show as the answers are given; a positive PHQ-9
item 9 says, in words, that a clinician must review it before the infusion. Enter saves;
a refused answer is shown under its item and nothing chosen is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import FieldError, ValidationErrors
from ketamon.domain.instruments import PHQ9_ITEM9, QUESTIONNAIRES, Instrument
from ketamon.domain.outcomes import OutcomeRecord, item_field, score
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, guard, set_state

Submit = Callable[[list[int], bool], OutcomeRecord]  # (answers, self-completed) -> stored
QUICK = "answers"
BLANKS = ("", "·", "?")  # not answered yet


class QuestionnaireDialog(KitDialog):
    def __init__(
        self, parent: QWidget | None, instrument: Instrument, patient: str, submit: Submit
    ) -> None:
        super().__init__(parent)
        self.questionnaire = QUESTIONNAIRES[instrument]
        self.submit = submit
        self.saved: OutcomeRecord | None = None
        q = self.questionnaire
        self.setWindowTitle(f"{q.instrument.value}: {patient}")
        self.setMinimumWidth(760)
        self.errors = FieldErrors(hide_empty_message=True, focus=True)

        heading = QLabel(f"<b>{q.title}</b><br>{q.stem}")
        heading.setWordWrap(True)
        many = len(q.items) > 1
        self.quick = QLineEdit()
        self.quick.setObjectName("quickAnswers")
        self.quick.setPlaceholderText(
            f"{len(q.items)} digits, 0–{q.max_item} each" if many else f"0–{q.max_item}"
        )
        quick_label = QLabel(
            f"&Answers ({'one digit per item, in order' if many else 'the number'}):"
        )
        quick_label.setBuddy(self.quick)
        quick_error = self.errors.label(QUICK, self.quick)
        self.quick.textEdited.connect(self._from_quick)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.groups: list[QButtonGroup] = []
        self.rows: list[QLabel] = []
        for index, wording in enumerate(q.items):
            row = index * 2
            text = QLabel(f"{index + 1}. {wording}" if many else wording)
            text.setObjectName("questionnaireItem")
            text.setWordWrap(True)
            self.rows.append(text)
            grid.addWidget(text, row, 0, 1, 2)
            group = QButtonGroup(self)
            group.setExclusive(True)
            choices = QWidget()
            choice_grid = QGridLayout(choices)
            choice_grid.setContentsMargins(16, 0, 0, 0)
            for value, answer in enumerate(q.answers):
                button = QRadioButton(f"{value} {answer}" if many else answer)
                group.addButton(button, value)
                choice_grid.addWidget(button, 0, value)
            group.idClicked.connect(self._from_choices)
            self.groups.append(group)
            grid.addWidget(choices, row + 1, 0, 1, 2)
            grid.addWidget(self.errors.label(item_field(q.instrument, index)), row + 1, 2)
        items = QWidget()
        items.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(items)
        scroll.setMinimumHeight(200)
        self.items_scroll, self.items = scroll, items

        self.total = QLabel("")
        self.total.setObjectName("questionnaireTotal")
        self.alert = QLabel("")
        self.alert.setObjectName("questionnaireAlert")
        self.alert.setWordWrap(True)
        self.alert.hide()
        self.self_completed = QCheckBox("The patient &completed it themselves")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setDefault(True)
        save.setAutoDefault(True)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(quick_label)
        layout.addWidget(self.quick)
        layout.addWidget(quick_error)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.alert)
        layout.addWidget(self.self_completed)
        layout.addWidget(self.errors.message)
        layout.addWidget(self.buttons)
        self._show_total()

    # -- the two ways in, kept in step ---------------------------------------------------
    def answers(self) -> list[int | None]:
        return [g.checkedId() if g.checkedId() >= 0 else None for g in self.groups]

    def _entries(self, text: str) -> list[str]:
        """What the answers line holds for each item ("" when nothing yet)."""
        keys = [c for c in text if not c.isspace() and c != ","]
        if len(self.groups) == 1:
            keys = ["".join(keys)] if keys else []
        return [keys[i] if i < len(keys) else "" for i in range(len(self.groups))]

    def _from_quick(self, text: str) -> None:
        self.errors.clear()
        for index, (group, value) in enumerate(zip(self.groups, self._entries(text), strict=True)):
            if value in BLANKS:
                self._uncheck(group)
            elif value.isdigit() and int(value) <= self.questionnaire.max_item:
                group.button(int(value)).setChecked(True)
            else:
                self._uncheck(group)
                field = item_field(self.questionnaire.instrument, index)
                self.errors.show(
                    QUICK, f"{field} must be 0–{self.questionnaire.max_item}; {value!r} typed"
                )
        self._show_total()

    def _from_choices(self, _value: int) -> None:
        self.errors.clear()
        separator = " " if self.questionnaire.max_item > 9 else ""
        self.quick.setText(
            separator.join("·" if a is None else str(a) for a in self.answers()).rstrip("·")
        )
        self._show_total()

    @staticmethod
    def _uncheck(group: QButtonGroup) -> None:
        checked = group.checkedButton()
        if checked is not None:
            group.setExclusive(False)
            checked.setChecked(False)
            group.setExclusive(True)

    def _show_total(self) -> None:
        answers = self.answers()
        given = [a for a in answers if a is not None]
        q = self.questionnaire
        if len(given) < len(answers):
            self.total.setText(f"{len(given)} of {len(answers)} answered")
            set_state(self.total, "grade", "")
        else:
            result = score(q.instrument, given)
            self.total.setText(f"Total {result.total} of {q.max_total}: {result.band}")
        item9 = answers[PHQ9_ITEM9] if q.instrument is Instrument.PHQ9 else None
        if item9:
            self.alert.setText(
                f"⚠ PHQ-9 item 9 = {item9}: thoughts of death or self-harm. A clinician must "
                "review it and record a decision before the infusion starts."
            )
            self.alert.show()
            set_state(self.rows[PHQ9_ITEM9], "grade", "red")
        else:
            self.alert.hide()
            set_state(self.rows[min(PHQ9_ITEM9, len(self.rows) - 1)], "grade", "")

    # -- saving --------------------------------------------------------------------------
    def _save(self) -> None:
        self.errors.clear()
        answers = self.answers()
        entries = self._entries(self.quick.text())
        bad = {i for i, e in enumerate(entries) if e not in BLANKS and answers[i] is None}
        if bad:  # the domain's words for each key it would refuse, under the answers line
            probe: list[object] = [e if i in bad else 0 for i, e in enumerate(entries)]
            with guard(self._refused):
                score(self.questionnaire.instrument, probe)
            return
        missing = [i for i, a in enumerate(answers) if a is None]
        if missing:
            first = item_field(self.questionnaire.instrument, missing[0])
            self.errors.show(
                QUICK, f"{first} is not answered ({len(missing)} of {len(answers)} missing)"
            )
            return
        given = [a for a in answers if a is not None]
        with guard(self._refused) as refused:
            self.saved = self.submit(given, self.self_completed.isChecked())
        if not refused:
            self.accept()

    def _refused(self, error: Exception) -> None:
        if isinstance(error, ValidationErrors):
            self.errors.show_fields(error.errors)
            self.errors.show(QUICK, "; ".join(error.errors.values()))
        elif isinstance(error, FieldError) and error.field == self.questionnaire.instrument.value:
            self.errors.show(QUICK, error.message)
        else:
            self.errors.show_error(error)

    def showEvent(self, event: QShowEvent) -> None:
        """Every item in view when the screen is tall enough (the rows scroll otherwise),
        never taller than the screen; the answers line has the keyboard."""
        super().showEvent(event)
        screen = self.screen().availableGeometry()
        extra = self.items.sizeHint().height() - self.items_scroll.viewport().height() + 4
        height = min(self.height() + max(0, extra), int(screen.height() * 0.88))
        self.resize(self.width(), max(height, self.minimumSizeHint().height()))
        frame = self.frameGeometry()
        frame.moveCenter(screen.center())
        self.move(frame.topLeft())
        self.quick.setFocus()
