"""What a chair tile says when a key does nothing there: "Chair 2 is empty — press C to
check a patient in" (V or S on an empty chair), or which keys the chair offers now. The
key names come from the tile's own action table (ketamon.ui.tile.ACTIONS), passed in, so
the hint cannot drift from the buttons and shortcuts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QStatusBar

HINT_SECONDS = 10


class KeyedAction(Protocol):
    """A tile action as the hint needs it (ketamon.ui.tile.TileAction)."""

    @property
    def key(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def shortcut(self) -> str: ...


def unavailable_hint(
    chair_name: str,
    empty: bool,
    key: str,
    offered: Iterable[str],
    actions: Iterable[KeyedAction],
) -> str:
    """The status-bar line for action `key` pressed on a chair that does not offer it."""
    table = list(actions)
    by_key = {a.key: a for a in table}
    pressed = by_key.get(key)
    asked = f"{pressed.text} ({pressed.shortcut})" if pressed is not None else "That key"
    now = [by_key[k] for k in offered if k in by_key]
    if empty:
        check_in = by_key.get("check_in")
        letter = check_in.shortcut if check_in is not None else "C"
        return f"{chair_name} is empty — press {letter} to check a patient in"
    if not now:
        return f"{chair_name}: {asked} is not possible now"
    keys = ", ".join(f"{a.shortcut} {a.text.lower()}" for a in now)
    return f"{chair_name}: {asked} is not possible now — keys here: {keys}"


def show_hint(bar: QStatusBar, text: str) -> None:
    """`text` on the status bar for HINT_SECONDS, then the line it replaced again (the
    window's version, database and keys line), unless something else was shown since."""
    before = bar.property("hintReplaced")
    if before is None or bar.currentMessage() != bar.property("hintShown"):
        before = bar.currentMessage()
    bar.setProperty("hintReplaced", before)
    bar.setProperty("hintShown", text)
    _look(bar, hint=True)  # QSS: QStatusBar[hint="true"], large and bold, seen from the chair
    bar.showMessage(text)

    def restore() -> None:
        if bar.currentMessage() == text:
            bar.showMessage(before)
            bar.setProperty("hintReplaced", None)
            _look(bar, hint=False)

    QTimer.singleShot(HINT_SECONDS * 1000, bar, restore)


def _look(bar: QStatusBar, *, hint: bool) -> None:
    bar.setProperty("hint", hint)
    bar.style().unpolish(bar)
    bar.style().polish(bar)
