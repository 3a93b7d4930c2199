"""Signing (meaning, comment, re-authentication) and addenda after signing."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.review import Addendum, Signature
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard

# sign(username or None, password, meaning, comment) -> the Signature
SignCall = Callable[[str | None, str, str, str], Signature]


class SignDialog(KitDialog):
    """21 CFR 11.200: the first signing after sign-in needs username and password, later
    ones the password. A wrong password signs nothing and says so at the field."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        meanings: tuple[str, ...],
        need_username: bool,
        sign: SignCall,
    ) -> None:
        super().__init__(parent)
        self.sign_call = sign
        self.signature: Signature | None = None
        self.setWindowTitle("Sign session")
        self.setMinimumWidth(620)
        heading = QLabel(f"Sign: {title}")
        heading.setObjectName("dialogTitle")
        self.meaning = QComboBox()
        self.meaning.setObjectName("field_meaning")
        self.meaning.addItems(list(meanings))
        self.comment = QLineEdit()
        self.comment.setObjectName("field_comment")
        self.comment.setPlaceholderText("optional")
        self.username = QLineEdit()
        self.username.setObjectName("field_username")
        self.password = QLineEdit()
        self.password.setObjectName("field_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label()
        self.errors = FieldErrors(self.error, hide_empty_message=True)
        form = QFormLayout()
        form.addRow("Meaning of the signature:", self.meaning)
        form.addRow("Comment:", self.comment)
        if need_username:
            form.addRow("Your username:", self.username)
        else:
            self.username.hide()
        form.addRow("Your password:", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = buttons.addButton("Sign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        note = QLabel(
            "Signing locks the record: later additions are addenda, shown under the signature."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.username if need_username else self.password).setFocus()
        self.need_username = need_username

    def submit(self) -> None:
        username = self.username.text().strip() if self.need_username else None
        if self.need_username and not username:
            self._say("Your username is required for the first signing after signing in")
            return
        if not self.password.text():
            self._say("Type your password to sign")
            return
        with guard(self._refused("Not signed. ")) as refused:
            self.signature = self.sign_call(
                username, self.password.text(), self.meaning.currentText(), self.comment.text()
            )
        if refused:
            return
        self.accept()

    def _say(self, text: str) -> None:
        self.errors.say(text)
        self.adjustSize()  # a long refusal grows the dialog instead of squeezing its rows
        self.password.setFocus()

    def _refused(self, prefix: str) -> Callable[[Exception], None]:
        """A refusal: the password cleared (never kept on screen), the reason said."""

        def show(error: Exception) -> None:
            self.password.clear()
            self._say(f"{prefix}{error}")

        return show

    def answer(self) -> Signature | None:
        """The signature, or None (cancelled)."""
        return self.signature


# add(text, reason, password) -> the Addendum
AddCall = Callable[[str, str, str], Addendum]


class AddendumDialog(KitDialog):
    """The addendum is signed by its author: the password opens their signing key."""

    def __init__(self, parent: QWidget | None, title: str, add: AddCall) -> None:
        super().__init__(parent)
        self.add_call = add
        self.addendum: Addendum | None = None
        self.setWindowTitle("Addendum after signing")
        self.setMinimumWidth(640)
        heading = QLabel(f"Addendum: {title}")
        heading.setObjectName("dialogTitle")
        self.text = QPlainTextEdit()
        self.text.setObjectName("field_text")
        self.reason = QLineEdit()
        self.reason.setObjectName("field_reason")
        self.reason.setPlaceholderText("e.g. Follow-up call, late entry")
        self.password = QLineEdit()
        self.password.setObjectName("field_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.submit)  # Enter after the password adds it
        self.error = error_label()
        self.errors = FieldErrors(self.error, hide_empty_message=True)
        form = QFormLayout()
        form.addRow("Addendum:", self.text)
        form.addRow("Why it is added:", self.reason)
        form.addRow("Your password (signs it):", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.addButton("Add and sign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.text.setFocus()

    def submit(self) -> None:
        if self.addendum is not None:
            return  # added already (Enter can reach both the field and the default button)
        if not self.password.text():
            self._say("Type your password to sign the addendum")
            return
        with guard(self._refused("Not added. ")) as refused:
            self.addendum = self.add_call(
                self.text.toPlainText(), self.reason.text(), self.password.text()
            )
        if refused:
            return
        self.accept()

    def _say(self, text: str) -> None:
        self.errors.say(text)
        self.adjustSize()  # a long refusal grows the dialog instead of squeezing its rows
        self.password.setFocus()

    def _refused(self, prefix: str) -> Callable[[Exception], None]:
        """A refusal: the password cleared (never kept on screen), the reason said."""

        def show(error: Exception) -> None:
            self.password.clear()
            self._say(f"{prefix}{error}")

        return show

    def answer(self) -> Addendum | None:
        """The addendum, or None (cancelled)."""
        return self.addendum
