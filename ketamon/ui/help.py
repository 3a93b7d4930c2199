"""F1: the keys and actions of the screen it is pressed on, and a session start to finish.

Nothing here is written twice: the rows come from the same tables and live objects the
buttons and shortcuts are built from (the tile's ACTIONS and AVAILABLE, the window's
QActions, a dialog's buttons and their tooltips), so the help cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.board import TileLevel
from ketamon.ui.tile import ACTIONS, AVAILABLE

# How a nurse names each board level in words (several levels are one phase).
LEVEL_WORDS = {
    TileLevel.EMPTY: "empty chair",
    TileLevel.WAITING: "checked in",
    TileLevel.RUNNING: "infusing",
    TileLevel.TARGET_REACHED: "infusing",
    TileLevel.OVERRUN: "infusing",
    TileLevel.PAUSED: "paused",
    TileLevel.RECOVERY: "recovery",
}
EXTRA_WHEN = {
    "acknowledge": "while a RED vital or a SEVERE side effect waits",
    "questionnaire": "and while a positive PHQ-9 item 9 waits for review",
}

IN_EVERY_DIALOG = (
    ("Enter", "The button in bold", "Saves, records or goes on; in a list, opens the row"),
    ("Esc", "Close or Cancel", "Closes without saving more (what was saved stays)"),
    ("Tab / Shift+Tab", "Next / previous field", "Leaving a field saves it where it says so"),
    ("Space", "Tick or press", "Ticks the checkbox or presses the button that has focus"),
    ("Alt + underlined letter", "That button or field", "e.g. Alt+P for Print summary…"),
)

A_SESSION = (
    "<b>Check in</b> (C on an empty chair): find or register the patient, the escort, "
    "the target minutes.",
    "<b>Before the start</b>: baseline vitals (V), the questionnaires (Q), the escort "
    "plan, the dose plan; S asks for any that is missing (or a reason to start without "
    "it). A positive PHQ-9 item 9 stops the start until a clinician has reviewed it.",
    "<b>Start</b> (S): the timer runs from the stored start time; vitals are due every "
    "interval the clinic set, sooner after red values, and the tile says when (late, then "
    "OVERDUE).",
    "<b>During</b>: vitals (V), side effects as they happen (E), Pause (P) with a reason, "
    "Resume (R). A RED vital or a SEVERE side effect shows on every board until "
    "acknowledged (A).",
    "<b>Stop</b> (T): recovery begins; the bar fills toward the minimum observation time.",
    "<b>Discharge</b> (D): the checklist will not let the patient go without an escort "
    "verified in person; then print the take-home summary (Enter).",
    "<b>Review</b>: the physician reads the session, signs it (Review on the toolbar) and "
    "may add addenda; a signed session is never changed.",
)


@dataclass(frozen=True)
class HelpRow:
    key: str
    action: str
    what: str


@dataclass(frozen=True)
class HelpSection:
    title: str
    rows: tuple[HelpRow, ...]


@dataclass(frozen=True)
class HelpPage:
    title: str
    sections: tuple[HelpSection, ...]
    story: tuple[str, ...] = A_SESSION


def plain(text: str) -> str:
    """A button's text without its mnemonic's ampersand ("&Print" -> "Print")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def mnemonic(text: str) -> str:
    """ "Alt+P" for "&Print summary…", "" when it has none."""
    stripped = text.replace("&&", "")
    at = stripped.find("&")
    return f"Alt+{stripped[at + 1].upper()}" if 0 <= at < len(stripped) - 1 else ""


def tile_rows() -> tuple[HelpRow, ...]:
    """Each tile action: its key, its name, when a chair offers it (from AVAILABLE) and
    what it does (its tooltip)."""
    rows = []
    for spec in ACTIONS:
        levels = [words for level, words in LEVEL_WORDS.items() if spec.key in AVAILABLE[level]]
        when = ", ".join(dict.fromkeys(levels))
        extra = EXTRA_WHEN.get(spec.key, "")
        when = f"{when} {extra}".strip() if when else extra
        rows.append(HelpRow(spec.shortcut, spec.text, f"{spec.tooltip}. When: {when}."))
    return tuple(rows)


def action_rows(actions: Iterable[QAction]) -> tuple[HelpRow, ...]:
    """The actions that have a shortcut, as the window defines them (1–9 as one row)."""
    rows: list[HelpRow] = []
    digits = False
    for action in actions:
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if not key:
            continue
        if key.isdigit():
            if not digits:
                rows.append(HelpRow("1–9", "Select a chair", "Chair 1 to 9, in board order"))
                digits = True
            continue
        rows.append(HelpRow(key, plain(action.text()), action.toolTip()))
    return tuple(rows)


def menu_rows(actions: Iterable[QAction]) -> tuple[HelpRow, ...]:
    """Toolbar and menu items shown to this user: name and tooltip (key if it has one)."""
    rows = []
    for action in actions:
        if action.isSeparator() or not action.isVisible() or not plain(action.text()):
            continue
        if not action.isEnabled():  # e.g. the roles line under the signed-in name
            continue
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        rows.append(HelpRow(key, plain(action.text()), action.toolTip()))
    return tuple(rows)


def button_rows(buttons: Sequence[QAbstractButton]) -> tuple[HelpRow, ...]:
    """A window's buttons shown now: Alt+letter where it has one, name, tooltip."""
    return tuple(
        HelpRow(mnemonic(b.text()), plain(b.text()), b.toolTip())
        for b in buttons
        if not b.isHidden() and plain(b.text())
    )


def window_page(title: str, window: QWidget, *, story: bool = True) -> HelpPage:
    """A window's help from its own widgets: every button it shows (on every tab), with
    its tooltip, and its shortcuts."""
    seen: dict[str, QPushButton] = {}
    for button in window.findChildren(QPushButton):
        if not button.isHidden() and plain(button.text()) and button.window() is window:
            seen.setdefault(plain(button.text()), button)
    sections = [HelpSection("Buttons in this window", button_rows(list(seen.values())))]
    keys = action_rows(window.actions())
    if keys:
        sections.append(HelpSection("Keys in this window", keys))
    sections.append(dialog_section())
    return HelpPage(title, tuple(sections), A_SESSION if story else ())


def dialog_section() -> HelpSection:
    return HelpSection(
        "In every dialog", tuple(HelpRow(key, a, w) for key, a, w in IN_EVERY_DIALOG)
    )


def page_html(page: HelpPage) -> str:
    """One table for every section, so the columns line up from one section to the next."""
    parts = [f"<h2>{escape(page.title)}</h2>", '<table cellspacing="0" cellpadding="4">']
    for section in page.sections:
        parts.append(f'<tr><td colspan="3"><h3>{escape(section.title)}</h3></td></tr>')
        for row in section.rows:
            key = f"<b>{escape(row.key)}</b>" if row.key else "—"
            parts.append(
                f'<tr><td style="white-space: nowrap">{key}</td>'
                f'<td style="white-space: nowrap">{escape(row.action)}</td>'
                f"<td>{escape(row.what)}</td></tr>"
            )
    parts.append("</table>")
    if page.story:
        parts.append("<h3>A session, start to finish</h3><ol>")
        parts.extend(f"<li>{step}</li>" for step in page.story)  # trusted, written here
        parts.append("</ol>")
    return "".join(parts)


class HelpWindow(QDialog):
    """Not modal: the board keeps running behind it. Esc, F1 or Close closes it."""

    def __init__(self, parent: QWidget | None, page: HelpPage) -> None:
        super().__init__(parent)
        self.setObjectName("helpWindow")
        self.setWindowTitle(f"Help: {page.title}")
        self.page = page
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpText")
        self.browser.setHtml(page_html(page))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        close_on_f1 = QAction(self)
        close_on_f1.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        close_on_f1.triggered.connect(self.reject)
        self.addAction(close_on_f1)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(960, 720)

    def text(self) -> str:
        return self.browser.toPlainText()


def show_help(parent: QWidget, page: HelpPage) -> HelpWindow:
    window = HelpWindow(parent, page)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def install_help(window: QWidget, page: Callable[[], HelpPage]) -> QAction:
    """F1 on `window` opens its help page, built when pressed (what is shown then)."""
    action = QAction("Help", window)
    action.setToolTip("The keys and actions of this screen (F1)")
    action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

    # The help window is the window's child (find it with findChild(HelpWindow)).
    action.triggered.connect(lambda: show_help(window, page()))
    window.addAction(action)
    return action
