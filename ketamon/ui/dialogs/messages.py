"""Messages to the nurse. Non-blocking (open(), not exec()), so the board keeps running."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

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


class Discharged:
    """After a discharge: the time in words, and the take-home summary one key away.

    Printing is safe and is what comes next, so Enter prints; Esc (or "Later") goes back to
    the board (Recent discharges prints it any time in the next 24 hours)."""

    @classmethod
    def build(cls, parent: QWidget | None, text: str) -> tuple[QMessageBox, QPushButton]:
        box = QMessageBox(parent)
        box.setProperty("large", True)  # QSS: 16px text and buttons
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Discharged")
        box.setText(text)
        print_button = box.addButton("&Print summary…", QMessageBox.ButtonRole.AcceptRole)
        later = box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(print_button)
        box.setEscapeButton(later)
        return box, print_button

    @classmethod
    def ask(cls, parent: QWidget | None, text: str) -> bool:
        box, print_button = cls.build(parent, text)
        return run_box(box) is print_button
