"""Signing in: the start-up screen, and the same form on the lock panel to switch user.

The refusal is shown exactly as the service words it: the same message for an unknown
user, a wrong password, a locked or a deactivated account.

A user whose password an administrator set (a new account, or a reset) chooses their own,
typed twice, before entering: that password seals their new signing key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import DomainError, StorageError

if TYPE_CHECKING:  # the first window does not import the user rules (issue 19)
    from ketamon.domain.users import User

SignIn = Callable[[str, str], "User"]  # (username, password) -> the user, or DomainError
# (username, temporary password, own new password) -> the user, or DomainError
ChoosePassword = Callable[[str, str, str], "User"]
CHOOSE_INTRO = (
    "An administrator set the password you typed. Choose your own now (at least 10 "
    "characters, known only to you): it locks your signing key, and you can sign only "
    "after choosing it."
)


class SignInPanel(QWidget):
    """Username, password, Sign in. Emits `signed_in(User)`; `cancelled` from Back."""

    signed_in = Signal(object)
    cancelled = Signal()
    # Declared here: the Return-key hops of the fields before them reach them by name.
    password: QLineEdit
    repeat_password: QLineEdit

    def __init__(
        self,
        sign_in: SignIn,
        *,
        button_text: str = "Sign in",
        back_text: str | None = None,
        in_a_row: bool = False,
        choose_password: ChoosePassword | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.sign_in = sign_in
        self.choose_password = choose_password
        self.button_text = button_text
        self.pending: tuple[str, str] | None = None  # (username, temporary password)
        self.username = QLineEdit()
        self.username.setObjectName("signInUsername")
        self.username.setPlaceholderText("e.g. nurse.rivera")
        self.username.returnPressed.connect(lambda: self.password.setFocus())
        self.password = QLineEdit()
        self.password.setObjectName("signInPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.submit)
        self.new_password = QLineEdit()
        self.new_password.setObjectName("signInNewPassword")
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.returnPressed.connect(lambda: self.repeat_password.setFocus())
        self.repeat_password = QLineEdit()
        self.repeat_password.setObjectName("signInRepeatPassword")
        self.repeat_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_password.returnPressed.connect(self.submit)
        self.choose_box = self._build_choose_box()
        self.message = QLabel()
        self.message.setObjectName("signInError")
        self.message.setWordWrap(True)
        self.message.hide()
        self.sign_in_button = QPushButton(button_text)
        self.sign_in_button.setObjectName("primaryButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.back_button: QPushButton | None = None
        if back_text:
            self.back_button = QPushButton(back_text)
            self.back_button.clicked.connect(self.cancelled)
        labels = []
        for text, edit in (("Username", self.username), ("Password", self.password)):
            label = QLabel(text)
            label.setObjectName("signInLabel")
            label.setBuddy(edit)
            labels.append(label)
        if in_a_row:  # the lock panel: one line, so the board below keeps its room
            self._lay_out_in_a_row(labels)
        else:
            self._lay_out_in_a_column(labels)

    def _build_choose_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 10, 0, 0)
        intro = QLabel(CHOOSE_INTRO)
        intro.setObjectName("signInHint")
        intro.setWordWrap(True)
        column.addWidget(intro)
        for text, edit in (
            ("New password", self.new_password),
            ("New password again", self.repeat_password),
        ):
            label = QLabel(text)
            label.setObjectName("signInLabel")
            label.setBuddy(edit)
            column.addWidget(label)
            column.addWidget(edit)
        box.hide()
        return box

    def _lay_out_in_a_column(self, labels: list[QLabel]) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label, edit in zip(labels, (self.username, self.password), strict=True):
            layout.addWidget(label)
            layout.addWidget(edit)
        layout.addWidget(self.choose_box)
        layout.addSpacing(6)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        if self.back_button is not None:
            buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        layout.addLayout(buttons)

    def _lay_out_in_a_row(self, labels: list[QLabel]) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        for column, (label, edit) in enumerate(
            zip(labels, (self.username, self.password), strict=True)
        ):
            edit.setMinimumWidth(300)
            grid.addWidget(label, 0, column)
            grid.addWidget(edit, 1, column)
        grid.addWidget(self.sign_in_button, 1, 2)
        if self.back_button is not None:
            grid.addWidget(self.back_button, 1, 3)
        grid.setColumnStretch(4, 1)
        grid.addWidget(self.choose_box, 2, 0, 1, 5)
        grid.addWidget(self.message, 3, 0, 1, 5)

    def reset(self, username: str = "") -> None:
        self._leave_choosing()
        self.username.setText(username)
        self.password.clear()
        self.message.hide()
        (self.password if username else self.username).setFocus()

    def submit(self) -> None:
        self.message.hide()
        if self.pending is not None:
            self._choose()
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self._say("Type your username")
            self.username.setFocus()
            return
        try:
            user = self.sign_in(username, password)
        except StorageError as error:
            self._say(f"Could not sign in: {error}")
            return
        except DomainError as error:
            self._say(str(error))
            self.password.clear()
            self.password.setFocus()
            return
        if user.must_change_password and self.choose_password is not None:
            self._start_choosing(username, password)
            return
        self.password.clear()
        self.signed_in.emit(user)

    # -- choosing one's own password after an administrator set it ---------------------------
    def _start_choosing(self, username: str, temporary: str) -> None:
        self.pending = (username, temporary)
        self.username.setEnabled(False)
        self.password.setEnabled(False)
        self.choose_box.show()
        self.sign_in_button.setText("Choose password and sign in")
        self.new_password.setFocus()

    def _choose(self) -> None:
        assert self.pending is not None and self.choose_password is not None
        new, again = self.new_password.text(), self.repeat_password.text()
        if new != again:
            self._retry_choice("The two new passwords differ: type them again")
            return
        username, temporary = self.pending
        try:
            user = self.choose_password(username, temporary, new)
        except StorageError as error:
            self._say(f"Could not save the password: {error}")
            return
        except DomainError as error:
            self._retry_choice(str(error))
            return
        self._leave_choosing()
        self.password.clear()
        self.signed_in.emit(user)

    def _retry_choice(self, text: str) -> None:
        self.new_password.clear()
        self.repeat_password.clear()
        self._say(text)
        self.new_password.setFocus()

    def _leave_choosing(self) -> None:
        self.pending = None
        self.new_password.clear()
        self.repeat_password.clear()
        self.choose_box.hide()
        self.username.setEnabled(True)
        self.password.setEnabled(True)
        self.sign_in_button.setText(self.button_text)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


class SignInWindow(QWidget):
    """The first screen: the clinic's name and the sign-in form, centred on the screen."""

    def __init__(
        self,
        clinic_name: str,
        sign_in: SignIn,
        username: str = "",
        choose_password: ChoosePassword | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("signInWindow")
        self.setWindowTitle("KetaMon: sign in")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        card = QFrame()
        card.setObjectName("signInCard")
        card.setFixedWidth(560)
        title = QLabel("KetaMon")
        title.setObjectName("signInTitle")
        clinic = self.clinic_label = QLabel(clinic_name)
        clinic.setObjectName("signInClinic")
        clinic.setWordWrap(True)
        self.progress = _Progress()
        hint = QLabel("Sign in with your own account: every entry is recorded under your name.")
        hint.setObjectName("signInHint")
        hint.setWordWrap(True)
        self.panel = SignInPanel(sign_in, choose_password=choose_password)
        self.signed_in = self.panel.signed_in
        inner = QVBoxLayout(card)
        inner.setContentsMargins(36, 30, 36, 30)
        inner.setSpacing(10)
        inner.addWidget(title)
        inner.addWidget(clinic)
        inner.addWidget(self.progress)
        inner.addWidget(hint)
        inner.addSpacing(8)
        inner.addWidget(self.panel)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.panel.reset(username)

    def set_clinic_name(self, name: str) -> None:
        self.clinic_label.setText(name)

    def show_progress(self, words: str, number: int, total: int) -> None:
        """A schema upgrade's step (launch.py): what it does, a bar, the seconds so far."""
        self.progress.show_step(words, number, total)

    def hide_progress(self) -> None:
        self.progress.stop()


class _Progress(QWidget):
    """What a long start is doing: the step in words, a bar of steps done, and a clock of
    seconds that keeps moving, so that it is not taken for a hang."""

    def __init__(self) -> None:
        super().__init__()
        self.words = QLabel()
        self.words.setObjectName("signInProgress")
        self.words.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(14)
        self.since = QLabel()
        self.since.setObjectName("signInHint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(4)
        layout.addWidget(self.words)
        layout.addWidget(self.bar)
        layout.addWidget(self.since)
        self.clock = QElapsedTimer()
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        self.hide()

    def show_step(self, words: str, number: int, total: int) -> None:
        if not self.ticker.isActive():
            self.clock.start()
            self.ticker.start()
        self.words.setText(words + "…")
        self.bar.setRange(0, total)
        self.bar.setValue(number - 1)
        self._tick()
        self.show()

    def _tick(self) -> None:
        seconds = self.clock.elapsed() // 1000 if self.clock.isValid() else 0
        self.since.setText(f"{seconds} s so far · please do not switch the computer off")

    def stop(self) -> None:
        self.ticker.stop()
        self.hide()
