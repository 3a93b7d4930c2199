"""Ask for a reason (pausing and cancelling need one)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ketamon.ui.dialogs.kit import KitDialog

PAUSE_REASONS = (
    "Nausea / vomiting",
    "Elevated blood pressure",
    "Patient request",
    "Anxiety / dysphoria",
    "IV line problem",
    "Bathroom break",
)
BASELINE_OVERRIDE_REASONS = (
    "Baseline taken on the ward monitor, not yet entered",
    "Monitor fault: manual readings on paper",
    "Physician ordered start",
)
CANCEL_REASONS = (
    "Patient unwell",
    "No escort available",
    "Baseline BP too high",
    "Patient declined",
    "Checked in by mistake",
)


class ReasonDialog(KitDialog):
    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        prompt: str,
        presets: tuple[str, ...] = (),
        current: str = "",
    ):
        """`current`: a reason typed before (a refused save), shown again to reuse."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.addItems(presets)
        self.combo.setCurrentIndex(-1)
        if current:
            self.combo.setEditText(current)
        reason_line = self.combo.lineEdit()
        assert reason_line is not None  # an editable combo box has its line edit
        reason_line.setPlaceholderText("Type or choose a reason")
        # Rich text said so, or the tags showed as typed; the prompt (a patient's name)
        # is escaped, so a name never turns into markup.
        self.prompt = QLabel(escape(prompt).replace("\n", "<br>") + " <b>(required)</b>")
        self.prompt.setTextFormat(Qt.TextFormat.RichText)
        self.prompt.setWordWrap(True)
        self.prompt.setBuddy(self.combo)
        label = self.prompt
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.combo.editTextChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        layout.addWidget(self.buttons)
        self._update()

    def reason(self) -> str:
        return self.combo.currentText().strip()

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason()))

    def answer(self) -> str | None:
        """The reason typed or chosen, or None (cancelled)."""
        reason = self.reason()
        return reason if self.result() == QDialog.DialogCode.Accepted and reason else None
