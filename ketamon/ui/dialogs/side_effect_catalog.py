"""Clinic settings: the side effects list (administrators add, rename and retire entries).

Entries are never deleted: a retired one is no longer offered for new ticks, but sessions
that have it still show it under the name it had. Keys never change, so a rename does not
touch old records. Adding back the name of a retired entry brings that entry back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.side_effects import SideEffectKind
from ketamon.ui.buttons import add_buttons
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard, guarded
from ketamon.ui.dialogs.messages import Confirm


@dataclass(frozen=True)
class CatalogHandlers:
    catalog: Callable[[], Sequence[SideEffectKind]]
    add: Callable[[str], Sequence[SideEffectKind]]
    rename: Callable[[str, str], Sequence[SideEffectKind]]
    retire: Callable[[str], Sequence[SideEffectKind]]


def item_text(kind: SideEffectKind) -> str:
    extra = " (free text)" if kind.free_text else ""
    return f"{kind.name}{extra}" + ("   — RETIRED, not offered" if kind.retired else "")


class SideEffectCatalogDialog(KitDialog):
    message: QLabel  # the refusal line, built after the name field that hides it on typing

    def __init__(self, parent: QWidget | None, handlers: CatalogHandlers) -> None:
        super().__init__(parent)
        self.handlers = handlers
        self.changed = False
        self.setWindowTitle("Settings: side effects list")
        self.setMinimumSize(640, 720)
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._selected_changed)
        self.name = QLineEdit()
        self.name.setObjectName("catalogName")
        self.name.setPlaceholderText("Side effect name (1–120 characters)")
        self.name.textEdited.connect(lambda _t: self.message.hide())
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(self.name, 1)
        specs = (
            ("Add", "Add the name typed as a new entry at the end", self.add),
            ("Rename", "Give the selected entry the name typed", self.rename),
            ("Retire…", "No longer offer the selected entry (old records keep it)", self.retire),
        )
        add_buttons(row, specs, self.buttons)
        self.errors = FieldErrors(error_label(), hide_empty_message=True)
        self.message = self.errors.message
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.accept)
        info = QLabel(
            "The checkboxes offered for every session, in this order. A retired entry is no "
            "longer offered but stays on the sessions that have it. Type a retired entry's "
            "name and press Add to bring it back."
        )
        info.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.refresh()

    def refresh(self, select_key: str | None = None) -> None:
        with guard(self.errors) as refused:
            catalog = self.handlers.catalog()
        if refused:
            return
        self.list.clear()
        for kind in catalog:
            item = QListWidgetItem(item_text(kind))
            item.setData(Qt.ItemDataRole.UserRole, kind)
            if kind.retired:
                font = item.font()
                font.setItalic(True)
                item.setFont(font)
                item.setForeground(Qt.GlobalColor.darkGray)
            self.list.addItem(item)
            if kind.key == select_key:
                self.list.setCurrentItem(item)
        self._update_buttons()

    def selected(self) -> SideEffectKind | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, key: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole).key == key:
                self.list.setCurrentRow(i)

    def _selected_changed(self, *_args: object) -> None:
        kind = self.selected()
        if kind is not None:
            self.name.setText(kind.name)
        self._update_buttons()

    def _update_buttons(self) -> None:
        kind = self.selected()
        self.buttons["Rename"].setEnabled(kind is not None)
        self.buttons["Retire…"].setEnabled(kind is not None and not kind.retired)

    def add(self) -> bool:
        name = self.name.text()
        before = {k.key for k in self.handlers.catalog()}
        done = self._run(lambda: self.handlers.add(name))
        if done is None:
            return False
        new = next((k.key for k in done if k.key not in before), None)
        match = next((k.key for k in done if k.name.casefold() == name.strip().casefold()), None)
        self.refresh(new or match)
        return True

    def rename(self) -> bool:
        kind = self.selected()
        if kind is None:
            return False
        name = self.name.text()
        if self._run(lambda: self.handlers.rename(kind.key, name)) is None:
            return False
        self.refresh(kind.key)
        return True

    def retire(self) -> bool:
        kind = self.selected()
        if kind is None or kind.retired:
            return False
        if not Confirm.ask(
            self,
            "Retire side effect",
            f"Stop offering {kind.name!r} for new sessions? Sessions that have it keep it.",
            "Retire",
        ):
            return False
        if self._run(lambda: self.handlers.retire(kind.key)) is None:
            return False
        self.refresh(kind.key)
        return True

    def _run(self, action: Callable[[], Sequence[SideEffectKind]]):
        self.errors.clear()
        result = guarded(self.errors, action)
        if result is not None:
            self.changed = True
        return result

    def _say(self, text: str) -> None:
        self.errors.say(text)

    def answer(self) -> bool:
        """Whether the catalog changed."""
        return self.changed
