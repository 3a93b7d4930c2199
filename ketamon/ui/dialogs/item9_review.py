"""A clinician's decision on a positive PHQ-9 item 9, before the infusion.

Proceed, delay or escalate, with a note in words, and optionally the C-SSRS screener (its
six questions; 3–5 only after a yes to 2). The rules are the domain's
(ketamon.domain.outcomes.check_item9_review): a refusal shows under its field and nothing
typed is lost. Enter saves once a decision and a note are given; Esc records nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.outcomes import CssrsScreen, Decision, OutcomeRecord
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, guard

Submit = Callable[[Decision, str, CssrsScreen | None], OutcomeRecord]
DECISIONS = (
    (Decision.PROCEED, "&Proceed with the infusion today"),
    (Decision.DELAY, "&Delay: no infusion today"),
    (Decision.ESCALATE, "&Escalate: refer for urgent assessment, no infusion today"),
)
CSSRS = (  # (field, question) — the screener's wording, past month unless said
    ("wish_dead", "1. Have you wished you were dead or wished you could go to sleep and not "
     "wake up?"),
    ("suicidal_thoughts", "2. Have you actually had any thoughts of killing yourself?"),
    ("method", "3. Have you been thinking about how you might do this?"),
    ("intent", "4. Have you had these thoughts and had some intention of acting on them?"),
    ("plan", "5. Have you started to work out or worked out the details of how to kill "
     "yourself? Do you intend to carry out this plan?"),
    ("behaviour", "6. Have you ever done anything, started to do anything, or prepared to do "
     "anything to end your life?"),
    ("behaviour_within_3_months", "   …and was that within the past 3 months?"),
)  # fmt: skip
AFTER_QUESTION_2 = ("method", "intent", "plan")


class Item9ReviewDialog(KitDialog):
    def __init__(
        self, parent: QWidget | None, record: OutcomeRecord, patient: str, submit: Submit
    ) -> None:
        super().__init__(parent)
        self.submit = submit
        self.saved: OutcomeRecord | None = None
        self.setWindowTitle(f"PHQ-9 item 9 review: {patient}")
        self.setMinimumWidth(1060)  # question 5 on one line
        self.errors = FieldErrors(hide_empty_message=True, focus=True)
        item9 = record.score.item9
        summary = QLabel(
            f"<b>PHQ-9 item 9 = {item9}</b> (thoughts that they would be better off dead or of "
            f"hurting themselves), total {record.score.total} ({record.score.band}), entered "
            f"by {record.entered_by}. Record what was decided before the infusion."
        )
        summary.setWordWrap(True)

        decisions = QGroupBox("Decision")
        self.decision = QButtonGroup(self)
        column = QVBoxLayout(decisions)
        for index, (_decision, words) in enumerate(DECISIONS):
            button = QRadioButton(words)
            self.decision.addButton(button, index)
            column.addWidget(button)
        column.addWidget(self.errors.label("decision"))

        self.note = QLineEdit()
        self.note.setPlaceholderText("What was discussed and why (required)")
        note_label = QLabel("&Note:")
        note_label.setBuddy(self.note)
        note_error = self.errors.label("note", self.note)

        self.screened = QCheckBox("C-SSRS &screener asked")
        self.screen_box = QGroupBox("C-SSRS screener (yes = ticked)")
        screen_column = QVBoxLayout(self.screen_box)
        self.answers: dict[str, QCheckBox] = {}
        for field, question in CSSRS:
            box = QCheckBox(question)
            self.answers[field] = box
            screen_column.addWidget(box)
            box.toggled.connect(self._follow)
        self.risk = QLabel("")
        self.risk.setObjectName("cssrsRisk")
        screen_column.addWidget(self.risk)
        screen_column.addWidget(self.errors.label("cssrs"))
        self.screen_box.setVisible(False)
        self.screened.toggled.connect(self.screen_box.setVisible)
        self.screened.toggled.connect(lambda _on: self.adjustSize())

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("&Record decision")
        save.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)

        note_row = QHBoxLayout()
        note_row.addWidget(note_label)
        note_row.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        # Never squeezed below what it shows: an error or the screener grows the dialog.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(summary)
        layout.addWidget(decisions)
        layout.addLayout(note_row)
        layout.addWidget(note_error)
        layout.addWidget(self.screened)
        layout.addWidget(self.screen_box)
        layout.addWidget(self.errors.message)
        layout.addWidget(self.buttons)
        self._follow()

    def _follow(self, _on: bool = False) -> None:
        """Questions 3–5 only after a yes to 2; 'within 3 months' only after a yes to 6."""
        thoughts = self.answers["suicidal_thoughts"].isChecked()
        for field in AFTER_QUESTION_2:
            self.answers[field].setEnabled(thoughts)
            if not thoughts:
                self.answers[field].setChecked(False)
        behaviour = self.answers["behaviour"].isChecked()
        recent = self.answers["behaviour_within_3_months"]
        recent.setEnabled(behaviour)
        if not behaviour:
            recent.setChecked(False)
        screen = CssrsScreen(**{f: box.isChecked() for f, box in self.answers.items()})
        self.risk.setText(f"Screen result: {screen.risk.value}")

    def chosen(self) -> Decision | None:
        index = self.decision.checkedId()
        return DECISIONS[index][0] if index >= 0 else None

    def cssrs(self) -> CssrsScreen | None:
        if not self.screened.isChecked():
            return None
        return CssrsScreen(**{f: box.isChecked() for f, box in self.answers.items()})

    def _save(self) -> None:
        self.errors.clear()
        decision = self.chosen()
        if decision is None:
            self.errors.show("decision", "Choose proceed, delay or escalate")
            return
        with guard(self.errors) as refused:
            self.saved = self.submit(decision, self.note.text(), self.cssrs())
        if not refused:
            self.accept()
