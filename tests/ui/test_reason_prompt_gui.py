"""The reason dialog (start without baseline vitals, without a dose plan, pause...): its
prompt reads as words with "(required)" in bold, never as literal tags, and a patient's
name is shown as typed; typing a reason and Enter answers it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from ketamon.ui.app import application
from ketamon.ui.dialogs.reason import BASELINE_OVERRIDE_REASONS, ReasonDialog


def shown_words(html: str) -> str:
    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


def test_the_start_without_baseline_prompt_reads_as_words_then_enter_answers(qtbot):
    application()
    dialog = ReasonDialog(
        None,
        "Start without baseline vitals",
        "No baseline vitals set for this session\nWhy start the infusion for Ana <Bo> Lee "
        "without a baseline set?",
        BASELINE_OVERRIDE_REASONS,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.prompt.textFormat() == Qt.TextFormat.RichText
    assert "<b>(required)</b>" in dialog.prompt.text()
    assert shown_words(dialog.prompt.text()) == (
        "No baseline vitals set for this session\nWhy start the infusion for Ana <Bo> Lee "
        "without a baseline set? (required)"
    )
    assert dialog.prompt.wordWrap()
    line = dialog.combo.lineEdit()
    qtbot.keyClicks(line, "Monitor fault")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert dialog.answer() == "Monitor fault"
