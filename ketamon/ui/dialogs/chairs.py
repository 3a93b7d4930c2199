"""Clinic settings: the chairs (add, rename, reorder, retire)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.board import Chair
from ketamon.domain.errors import StaleRecord
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard


@dataclass(frozen=True)
class ChairHandlers:
    load: Callable[[], list[Chair]]
    add: Callable[[str], object]
    # (chair id, name, the Chair.version listed): StaleRecord when changed since elsewhere
    rename: Callable[[int, str, int], object]
    move: Callable[[int, int], object]
    retire: Callable[[int], object]


class NameDialog:
    @classmethod
    def ask(cls, parent: QWidget, title: str, current: str = "") -> str | None:
        text, ok = QInputDialog.getText(parent, title, "Chair name:", text=current)
        return text if ok else None


class ChairsDialog(KitDialog):
    def __init__(self, parent: QWidget | None, handlers: ChairHandlers) -> None:
        super().__init__(parent)
        self.handlers = handlers
        self.setWindowTitle("Settings: chairs")
        self.setMinimumSize(520, 420)
        self.list = QListWidget()
        self.errors = FieldErrors(error_label(), hide_empty_message=True)
        self.message = self.errors.message
        buttons = QVBoxLayout()
        for text, slot in (
            ("Add chair…", self._add),
            ("Rename…", self._rename),
            ("Move up", lambda: self._move(-1)),
            ("Move down", lambda: self._move(1)),
            ("Retire", self._retire),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Chairs in board order. A retired chair keeps its history."))
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.changed = False
        self.versions: dict[int, int] = {}
        self.kept: tuple[int, str] | None = None  # a refused rename's name, offered again
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        self.list.clear()
        chairs = self.handlers.load()
        self.versions = {chair.id: chair.version for chair in chairs}
        for chair in chairs:
            item = QListWidgetItem(chair.name)
            item.setData(Qt.ItemDataRole.UserRole, chair.id)
            self.list.addItem(item)
            if chair.id == select_id:
                self.list.setCurrentItem(item)

    def _selected(self) -> int | None:
        item = self.list.currentItem()
        if item is None:
            self._say("Select a chair first")
            return None
        return item.data(Qt.ItemDataRole.UserRole)

    def _run(self, action: Callable[[], object], select_id: int | None = None) -> None:
        self.errors.clear()
        with guard(self.errors) as refused:
            result = action()
        if isinstance(refused.error, StaleRecord):  # the list as stored now; Rename offers
            self.refresh(select_id)  # the typed name again
            self.errors.say(f"Not saved: {refused.error}")
        if refused:
            return
        self.changed = True
        chosen = getattr(result, "id", select_id)
        self.refresh(chosen)

    def _say(self, text: str) -> None:
        self.errors.say(text)

    def _add(self) -> None:
        name = NameDialog.ask(self, "Add chair")
        if name is not None:
            self._run(lambda: self.handlers.add(name))

    def _rename(self) -> None:
        chair_id = self._selected()
        if chair_id is None:
            return
        shown = self.list.currentItem().text()
        if self.kept is not None and self.kept[0] == chair_id:
            shown = self.kept[1]  # what was typed before the refusal
        name = NameDialog.ask(self, "Rename chair", shown)
        if name is None:
            return
        version = self.versions.get(chair_id, 0)
        self.kept = (chair_id, name)
        self._run(lambda: self.handlers.rename(chair_id, name, version), chair_id)
        if not self.message.text():
            self.kept = None

    def _move(self, offset: int) -> None:
        chair_id = self._selected()
        if chair_id is not None:
            self._run(lambda: self.handlers.move(chair_id, offset), chair_id)

    def _retire(self) -> None:
        chair_id = self._selected()
        if chair_id is not None:
            self._run(lambda: self.handlers.retire(chair_id))

    def answer(self) -> bool:
        """Whether any chair changed."""
        return self.changed
