"""The lock panel, above the masked board: unlock with the password, or switch user.

Helpers here also close every dialog of a window when it locks, so no patient data stays
on screen (or in the widget tree) behind the lock.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import DomainError, StorageError
from ketamon.domain.users import User
from ketamon.ui.connection import report_fault
from ketamon.ui.signin import ChoosePassword, SignIn, SignInPanel


class LockPanel(QFrame):
    """Emits `unlocked(User)` (same user, password confirmed) or `switched(User)`."""

    unlocked = Signal(object)
    switched = Signal(object)

    def __init__(
        self,
        confirm_password: Callable[[str], User],
        sign_in: SignIn,
        parent: QWidget | None = None,
        choose_password: ChoosePassword | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lockPanel")
        self.confirm_password = confirm_password
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.unlock_page = self._build_unlock()
        self.switch_panel = SignInPanel(
            sign_in,
            button_text="Sign in and unlock",
            back_text="Back",
            in_a_row=True,
            choose_password=choose_password,
        )
        self.switch_panel.signed_in.connect(self.switched)
        self.switch_panel.cancelled.connect(self.show_unlock)
        self.switch_page = self._page(
            "Switch user: sign in with your own account.", self.switch_panel
        )
        heading = QLabel("Locked · patient details hidden")
        heading.setObjectName("lockHeading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 14, 24, 16)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.unlock_page)
        layout.addWidget(self.switch_page)
        self.switch_page.hide()

    def _build_unlock(self) -> QWidget:
        self.who = QLabel()
        self.who.setObjectName("lockWho")
        self.who.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("unlockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.setMaximumWidth(420)
        self.password.returnPressed.connect(self.submit)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("primaryButton")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.switch_button = QPushButton("Switch user…")
        self.switch_button.setToolTip("Someone else signs in; their name goes on what they record")
        self.switch_button.clicked.connect(self.show_switch)
        self.message = QLabel()
        self.message.setObjectName("signInError")
        self.message.setWordWrap(True)
        self.message.hide()
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)
        row.addSpacing(24)
        row.addWidget(self.switch_button)
        row.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.who)
        layout.addLayout(row)
        layout.addWidget(self.message)
        return page

    @staticmethod
    def _page(title: str, body: QWidget) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        label = QLabel(title)
        label.setObjectName("lockWho")
        layout.addWidget(label)
        layout.addWidget(body)
        return page

    def show_for(self, who: str) -> None:
        """Ask `who` (the signed-in user) for their password."""
        self.who.setText(f"Signed in: <b>{who}</b>. Type your password to unlock.")
        self.show_unlock()

    def show_unlock(self) -> None:
        self.password.clear()
        self.message.hide()
        self.switch_page.hide()
        self.unlock_page.show()
        self.password.setFocus()

    def show_switch(self) -> None:
        self.switch_panel.reset()
        self.unlock_page.hide()
        self.switch_page.show()
        self.switch_panel.username.setFocus()

    def submit(self) -> None:
        self.message.hide()
        try:
            user = self.confirm_password(self.password.text())
        except StorageError as error:
            self._say(f"Could not check the password: {error}")
            report_fault(error)
            return
        except DomainError as error:
            self._say(str(error))
            self.password.clear()
            self.password.setFocus()
            return
        self.password.clear()
        self.unlocked.emit(user)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


def close_dialogs(window: QWidget) -> int:
    """Close and delete every open dialog of `window`, innermost first. Returns how many.

    A dialog in exec() returns Rejected to whoever opened it, which then carries on as if
    the nurse had pressed Cancel. Closed dialogs are deleted too: a hidden dialog would
    still hold a patient's name in the widget tree.
    """
    dialogs = window.findChildren(QDialog)
    dialogs.sort(key=_depth, reverse=True)
    for dialog in dialogs:
        if dialog.isVisible():
            dialog.reject()
        dialog.deleteLater()
    return len(dialogs)


def _depth(widget: QWidget) -> int:
    depth, parent = 0, widget.parentWidget()
    while parent is not None:
        depth, parent = depth + 1, parent.parentWidget()
    return depth
