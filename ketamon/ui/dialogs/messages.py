"""Messages to the nurse. Non-blocking (open(), not exec()), so the board keeps running."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from ketamon.ui.dialogs.kit import run_box


def show_message(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    critical: bool = False,
    info: bool = False,
) -> QMessageBox:
    """A message box, opened without blocking: a warning, or `critical` (a fault), or
    `info` (something done, e.g. "Summary saved": the information icon, not a warning)."""
    box = QMessageBox(parent)
    box.setProperty("large", "text")  # QSS: 16px text
    icon = QMessageBox.Icon.Warning
    if critical:
        icon = QMessageBox.Icon.Critical
    elif info:
        icon = QMessageBox.Icon.Information
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class Confirm:
    """Yes/no questions before actions that cannot be taken back.

    The safe answer is the default: Enter and Esc both go back; the risky action needs a
    click or its own mnemonic (Alt + the underlined letter)."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, yes: str) -> bool:
        box = QMessageBox(parent)
        box.setProperty("large", True)  # QSS: 16px text and buttons
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(text)
        yes_button = box.addButton(f"&{yes}", QMessageBox.ButtonRole.AcceptRole)
        yes_button.setAutoDefault(False)
        back = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        return run_box(box) is yes_button
