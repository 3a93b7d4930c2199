"""Administration: the user accounts (added, deactivated, reactivated, reset; never deleted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import StaleRecord
from ketamon.domain.users import User, format_roles
from ketamon.ui.dialogs.accounts import PasswordDialog, UserDraft, UserFormDialog
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard
from ketamon.ui.dialogs.reason import ReasonDialog

DEACTIVATE_REASONS = ("Left the clinic", "Extended leave", "Account no longer needed")
REACTIVATE_REASONS = ("Returned to the clinic", "Deactivated by mistake")
COLUMNS = ("Username", "Name", "Credentials", "Roles", "Status")


@dataclass(frozen=True)
class UserHandlers:
    load: Callable[[], list[User]]
    add: Callable[[UserDraft], User]
    # (username, reason or new password, the User.version listed): StaleRecord when the
    # account was changed since on another workstation
    deactivate: Callable[[str, str, int], User]
    reactivate: Callable[[str, str, int], User]
    reset_password: Callable[[str, str, int], User]


class UsersDialog(KitDialog):
    def __init__(self, parent: QWidget | None, handlers: UserHandlers) -> None:
        super().__init__(parent)
        self.handlers = handlers
        self.users: list[User] = []
        self.setWindowTitle("Users")
        self.setMinimumSize(900, 520)
        title = QLabel("Users")
        title.setObjectName("dialogTitle")
        intro = QLabel(
            "Accounts are deactivated, never deleted, so every entry keeps its author. "
            "Each person signs in with their own account."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.errors = FieldErrors(error_label(), hide_empty_message=True)
        self.message = self.errors.message
        # (action, username) -> the reason typed before a stale refusal, offered again
        self.kept_reasons: dict[tuple[str, str], str] = {}
        self.buttons: dict[str, QPushButton] = {}
        column = QVBoxLayout()
        for text, slot in (
            ("Add user…", self._add),
            ("Deactivate…", self._deactivate),
            ("Reactivate…", self._reactivate),
            ("Reset password…", self._reset_password),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            column.addWidget(button)
            self.buttons[text] = button
        column.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addLayout(column)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        with guard(self.errors) as refused:
            self.users = self.handlers.load()
        if refused:
            return
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            cells = (
                user.username,
                user.full_name,
                user.credentials,
                format_roles(user.roles),
                "active" if user.active else "deactivated",
            )
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
            if user.username == select:
                self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> User | None:
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        user = self.selected()
        self.buttons["Deactivate…"].setEnabled(user is not None and user.active)
        self.buttons["Reactivate…"].setEnabled(user is not None and not user.active)
        self.buttons["Reset password…"].setEnabled(user is not None and user.active)

    def _run(self, action: Callable[[], object], select: str) -> Exception | None:
        """Run `action`; its refusal (None when done)."""
        self.errors.clear()
        with guard(self.errors) as refused:
            action()
        if isinstance(refused.error, StaleRecord):  # the accounts as they are now
            self.refresh(select)
            self._say(f"Not done: {refused.error}")
        if refused:
            return refused.error
        self.refresh(select)
        return None

    def _reset(self, username: str, password: str) -> User:
        """Reset over the account as listed; changed since: refused, and the list reloaded,
        so the password typed, tried again, goes over the account as it is now."""
        listed = next((u.version for u in self.users if u.username == username), 0)
        try:
            return self.handlers.reset_password(username, password, listed)
        except StaleRecord:
            self.refresh(username)
            raise

    def _say(self, text: str) -> None:
        self.errors.say(text)

    def _add(self) -> None:
        self.message.hide()
        user = UserFormDialog.ask(self, self.handlers.add)
        if user is not None:
            self.refresh(user.username)

    def _deactivate(self) -> None:
        user = self.selected()
        if user is not None:
            self._with_reason(
                user,
                "Deactivate user",
                f"Why is {user.display_name} ({user.username}) being deactivated?",
                DEACTIVATE_REASONS,
                lambda reason: self.handlers.deactivate(user.username, reason, user.version),
            )

    def _reactivate(self) -> None:
        user = self.selected()
        if user is not None:
            self._with_reason(
                user,
                "Reactivate user",
                f"Why is {user.display_name} ({user.username}) being reactivated?",
                REACTIVATE_REASONS,
                lambda reason: self.handlers.reactivate(user.username, reason, user.version),
            )

    def _with_reason(
        self,
        user: User,
        title: str,
        prompt: str,
        presets: tuple[str, ...],
        call: Callable[[str], object],
    ) -> None:
        """Ask the reason (the one typed before a refusal offered again), then act."""
        key = (title, user.username)
        reason = ReasonDialog.ask(self, title, prompt, presets, self.kept_reasons.get(key, ""))
        if not reason:
            return
        if isinstance(self._run(lambda: call(reason), user.username), StaleRecord):
            self.kept_reasons[key] = reason  # offered again over the account as it is now
        else:
            self.kept_reasons.pop(key, None)

    def _reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        self.message.hide()
        if PasswordDialog.ask(self, user.username, lambda pw: self._reset(user.username, pw)):
            self.refresh(user.username)
            self._say(f"New password set for {user.username}")
