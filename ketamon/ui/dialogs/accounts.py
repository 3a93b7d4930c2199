"""Account forms: the first administrator, a new user, a reset, one's own new password.

A refused field shows the service's message under that field; the dialog stays open with
everything typed, passwords included, until the change is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import StorageError
from ketamon.domain.users import MIN_PASSWORD_LENGTH, Role, User
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard

PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters"


@dataclass(frozen=True)
class UserDraft:
    username: str
    full_name: str
    credentials: str
    roles: str  # "nurse,admin"
    password: str


class FormFields:
    """Rows of a QFormLayout, each with an error line under its input (kept by the dialog's
    FieldErrors, `errors`: key -> label)."""

    def __init__(self, form: QFormLayout, errors: FieldErrors) -> None:
        self.form = form
        self.edits: dict[str, QLineEdit] = {}
        self.widgets: dict[str, QWidget] = {}
        self.errors = errors

    def line(self, key: str, label: str, placeholder: str = "", *, secret: bool = False) -> QWidget:
        edit = QLineEdit()
        edit.setObjectName(f"field_{key}")
        edit.setPlaceholderText(placeholder)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.textEdited.connect(lambda _t: self.clear(key))
        self.edits[key] = edit
        return self.row(key, label, edit)

    def row(self, key: str, label: str, widget: QWidget) -> QWidget:
        error = self.errors.label(key, widget)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        self.form.addRow(label, column)
        self.widgets[key] = widget
        return widget

    def text(self, key: str) -> str:
        return self.edits[key].text()

    def show(self, key: str, message: str) -> bool:
        """Show `message` under field `key` (the focus goes there); False when there is no
        such field."""
        return self.errors.show(key, message)

    def clear(self, key: str) -> None:
        self.errors.clear_field(key)

    def clear_all(self) -> None:
        for key in self.widgets:
            self.clear(key)


class AccountDialog(KitDialog):
    """A form, a general message line and OK/Cancel; `save()` is the subclass's service call."""

    def __init__(self, parent: QWidget | None, title: str, intro: str, ok_text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(620)
        self.result_value: object = None
        heading = QLabel(title)
        heading.setObjectName("dialogTitle")
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.general_error = error_label()
        self.errors = FieldErrors(self.general_error, hide_empty_message=True, focus=True)
        self.fields = FormFields(self.form, self.errors)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addWidget(heading)
        self.body.addWidget(self.intro)
        self.body.addLayout(self.form)
        self.body.addWidget(self.general_error)
        self.body.addWidget(self.buttons)

    def add_passwords(self) -> None:
        self.fields.line("password", "Password:", PASSWORD_HINT, secret=True)
        self.fields.line("confirm", "Password again:", "The same password", secret=True)

    def save(self) -> object:
        raise NotImplementedError

    def submit(self) -> None:
        self.errors.clear()
        if "confirm" in self.fields.edits and self.fields.text("confirm") != self.fields.text(
            "password"
        ):
            self.fields.show("confirm", "The two passwords differ")
            return
        with guard(self._refused) as refused:
            self.result_value = self.save()
        if refused:
            return
        self.accept()

    def _refused(self, error: Exception) -> None:
        if isinstance(error, StorageError):
            self.errors.say(f"Not saved. {error}")
        else:
            self.errors.show_error(error)

    def accepted_(self) -> bool:
        return self.result() == QDialog.DialogCode.Accepted

    def answer(self) -> object | None:
        """What save() returned, or None if cancelled."""
        return self.result_value if self.accepted_() else None


class RolesBox(QWidget):
    """One checkbox per role; `fixed` roles are ticked and cannot be unticked."""

    def __init__(self, fixed: frozenset[Role] = frozenset()) -> None:
        super().__init__()
        self.boxes: dict[Role, QCheckBox] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for role in Role:
            box = QCheckBox(role.value)
            box.setObjectName(f"role_{role.value}")
            if role in fixed:
                box.setChecked(True)
                box.setEnabled(False)
            row.addWidget(box)
            self.boxes[role] = box
        row.addStretch(1)

    def roles(self) -> str:
        return ",".join(r.value for r, box in self.boxes.items() if box.isChecked())


class UserFormDialog(AccountDialog):
    """Username, full name, credentials, roles, password twice: a new account."""

    def __init__(
        self,
        parent: QWidget | None,
        save: Callable[[UserDraft], User],
        *,
        title: str = "Add user",
        intro: str = (
            "A new account with a temporary password: give it to the user in person. At "
            "their first sign-in they choose their own, which makes their signing key."
        ),
        ok_text: str = "Add user",
        fixed_roles: frozenset[Role] = frozenset(),
    ) -> None:
        super().__init__(parent, title, intro, ok_text)
        self._save = save
        self.fields.line("username", "Username:", "e.g. nurse.rivera (letters, digits, . _ -)")
        self.fields.line("full_name", "Full name:", "First and last name")
        self.fields.line("credentials", "Credentials:", 'Shown after the name, e.g. "RN", "MD"')
        self.roles = RolesBox(fixed_roles)
        self.fields.row("roles", "Roles:", self.roles)
        self.add_passwords()
        self.fields.edits["username"].setFocus()

    def draft(self) -> UserDraft:
        f = self.fields
        return UserDraft(
            f.text("username"),
            f.text("full_name"),
            f.text("credentials"),
            self.roles.roles(),
            f.text("password"),
        )

    def save(self) -> User:
        return self._save(self.draft())


class FirstAdminDialog(UserFormDialog):
    """First run on an empty database: the account that will add everyone else."""

    def __init__(self, parent: QWidget | None, save: Callable[[UserDraft], User]) -> None:
        super().__init__(
            parent,
            save,
            title="Create the first administrator",
            intro=(
                "This clinic database has no user accounts yet. Create the administrator, "
                "who then adds the nurses and physicians (Users… in the toolbar). An "
                "administrator charts only when also given the nurse or physician role."
            ),
            ok_text="Create administrator",
            fixed_roles=frozenset({Role.ADMIN}),
        )


class PasswordDialog(AccountDialog):
    """A new password for `username` (an administrator resets it)."""

    def __init__(
        self, parent: QWidget | None, username: str, save: Callable[[str], object]
    ) -> None:
        super().__init__(
            parent,
            f"Reset password: {username}",
            "The user's failed sign-ins are cleared. Give them this temporary password in "
            "person: at the next sign-in they choose their own, and get a new signing key "
            "(they cannot sign until then; their old signatures stay valid).",
            "Set password",
        )
        self._save = save
        self.add_passwords()
        self.fields.edits["password"].setFocus()

    def save(self) -> object:
        return self._save(self.fields.text("password"))

    def answer(self) -> bool:
        """Whether the new password was set."""
        return self.accepted_()


class ChangePasswordDialog(AccountDialog):
    """The signed-in user's own new password; their signing key is re-sealed under it."""

    def __init__(
        self, parent: QWidget | None, username: str, change: Callable[[str, str], User]
    ) -> None:
        super().__init__(
            parent,
            f"Change password: {username}",
            "Your signing key is locked with your password: after the change it opens only "
            "with the new one. Your signatures stay valid.",
            "Change password",
        )
        self._change = change
        self.fields.line("current", "Current password:", secret=True)
        self.add_passwords()
        self.fields.edits["current"].setFocus()

    def save(self) -> User:
        return self._change(self.fields.text("current"), self.fields.text("password"))
