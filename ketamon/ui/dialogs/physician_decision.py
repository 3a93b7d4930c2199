"""A physician's decision on a SEVERE side effect that is still open: what was decided, and
the physician's own username and password (also at a nurse's workstation, like the dose
witness). The decision is the discharge checklist's evidence and is printed on the summary.

Keyboard: Tab moves through the fields; Enter in the password field records; Esc (or
Cancel) records nothing. A refusal is said under the fields, naming the field; a refused
password is cleared, everything else typed stays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import FieldError
from ketamon.domain.side_effects import SideEffect
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard

# record(effect id, decision, physician username, physician password) -> the side effect
RecordDecision = Callable[[int, str, str, str], SideEffect]


def awaiting_decision(effects: Sequence[SideEffect]) -> list[SideEffect]:
    """The SEVERE side effects still open with no physician's decision (what blocks)."""
    return [e for e in effects if e.severe_open and not e.physician_decided]


def effect_words(effect: SideEffect) -> str:
    onset = effect.onset_at.astimezone().strftime("%H:%M %Z")
    return f"{effect.display_name} {effect.severity.label} since {onset}, not resolved"


class PhysicianDecisionDialog(KitDialog):
    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        effects: Sequence[SideEffect],
        record: RecordDecision,
        physician: str = "",
    ) -> None:
        super().__init__(parent)
        self.record_call = record
        self.recorded: SideEffect | None = None
        self.setWindowTitle("Physician's decision")
        self.setMinimumWidth(720)
        heading = QLabel(f"Physician's decision: {title}")
        heading.setObjectName("dialogTitle")
        note = QLabel(
            "A SEVERE side effect is still open. The physician documents the decision to let "
            "the patient be discharged with it, and confirms with their own username and "
            "password. It is shown on the discharge checklist and printed on the summary."
        )
        note.setWordWrap(True)
        self.effect = QComboBox()
        self.effect.setObjectName("field_effect")
        for effect in effects:
            self.effect.addItem(effect_words(effect), effect.id)
        self.decision = QPlainTextEdit()
        self.decision.setObjectName("field_physician_decision")
        self.decision.setPlaceholderText(
            "What was decided and why the patient may leave with it (required)"
        )
        self.decision.setTabChangesFocus(True)
        self.decision.setFixedHeight(96)
        self.username = QLineEdit(physician)
        self.username.setObjectName("field_physician")
        self.username.setPlaceholderText("the physician's username")
        self.password = QLineEdit()
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.setObjectName("field_physician_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("typed by the physician; Enter records")
        self.password.returnPressed.connect(self.submit)
        self.error = error_label()  # every message here, and the focus on its field
        self.errors = FieldErrors(self.error, hide_empty_message=True)
        form = QFormLayout()
        form.addRow("Side effect:", self.effect)
        form.addRow("Decision:", self.decision)
        form.addRow("Physician's username:", self.username)
        form.addRow("Physician's password:", self.password)
        self.cancel_button = QPushButton("Cancel (Esc)")
        self.cancel_button.setObjectName("btn_cancel_decision")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.record_button = QPushButton("&Record decision")
        self.record_button.setObjectName("btn_record_decision")
        self.record_button.setAutoDefault(False)  # Enter anywhere else records nothing
        self.record_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.fields = {
            "physician_decision": self.decision,
            "physician": self.username,
            "physician_password": self.password,
        }
        (self.effect if self.effect.count() > 1 else self.decision).setFocus()

    def submit(self) -> None:
        if self.recorded is not None:
            return
        effect_id = self.effect.currentData()
        if effect_id is None:
            self._say("", "There is no open SEVERE side effect to decide on")
            return
        missing = [
            (field, text)
            for field, text, value in (
                (
                    "physician_decision",
                    "Decision: say what was decided",
                    self.decision.toPlainText(),
                ),
                ("physician", "Physician's username is required", self.username.text()),
                (
                    "physician_password",
                    "The physician must type their password",
                    self.password.text(),
                ),
            )
            if not value.strip()
        ]
        if missing:
            self._say(missing[0][0], "\n".join(text for _f, text in missing))
            return
        with guard(self._refused) as refused:
            self.recorded = self.record_call(
                int(effect_id),
                self.decision.toPlainText(),
                self.username.text(),
                self.password.text(),
            )
        if refused:
            return
        self.accept()

    def _refused(self, error: Exception) -> None:
        if isinstance(error, FieldError):
            if error.field == "physician_password":
                self.password.clear()  # never keep a refused password on screen
            self._say(error.field, f"Not recorded. {error.message}")
        else:
            self.password.clear()
            self._say("", f"Not recorded. {error}")

    def _say(self, field: str, text: str) -> None:
        self.errors.say(text)
        widget = self.fields.get(field)
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def answer(self) -> SideEffect | None:
        """The side effect with the decision recorded, or None (cancelled)."""
        return self.recorded
