"""Users, roles and what each role may do (enforced in the services, not only the UI).

Roles: nurse and physician chart; physician also signs (a later release); admin manages
users and clinic settings. An admin does not chart unless the account also has a clinical
role: a charge nurse who administers the system has roles {nurse, admin}.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ketamon.domain import fields
from ketamon.domain.errors import DomainError, FieldError

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_SIGN_INS = 5
LOCKOUT_MINUTES = 5
MAX_USERNAME_LENGTH = fields.USERNAME_LENGTH
MAX_PASSWORD_LENGTH = 1000
SIGN_IN_REFUSED = (
    "Wrong username or password. After 5 wrong attempts in a row an account is locked "
    "for 5 minutes."
)


class Role(StrEnum):
    NURSE = "nurse"
    PHYSICIAN = "physician"
    ADMIN = "admin"


class Permission(StrEnum):
    CHART = "chart"
    SIGN = "sign"
    MANAGE_USERS = "manage users"
    MANAGE_SETTINGS = "manage clinic settings"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.NURSE: frozenset({Permission.CHART}),
    Role.PHYSICIAN: frozenset({Permission.CHART, Permission.SIGN}),
    Role.ADMIN: frozenset({Permission.MANAGE_USERS, Permission.MANAGE_SETTINGS}),
}


def parse_roles(text: str | list[str] | tuple[str, ...] | frozenset) -> frozenset[Role]:
    if isinstance(text, str):
        items = text.replace(";", ",").split(",")
    elif isinstance(text, list | tuple | set | frozenset):
        items = list(text)
    else:
        raise FieldError("roles", "Roles must be text, e.g. nurse,admin")
    roles = set()
    for item in items:
        if not isinstance(item, str) or fields.controls_as_spaces(item) != item:
            raise FieldError("roles", "Roles must be text, e.g. nurse,admin")
        name = item.strip().lower()
        if not name:
            continue
        try:
            roles.add(Role(name))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise FieldError("roles", f"Unknown role {name!r}; roles are {allowed}") from None
    if not roles:
        raise FieldError("roles", "A user needs at least one role (nurse, physician, admin)")
    return frozenset(roles)


def format_roles(roles: frozenset[Role]) -> str:
    return ",".join(r.value for r in Role if r in roles)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    full_name: str
    credentials: str
    roles: frozenset[Role]
    active: bool
    # Set by an administrator's reset (or a new account's temporary password): the user
    # chooses their own password at the next sign-in, and only then can sign.
    must_change_password: bool = False
    version: int = 0  # the stored row's (storage/versions.py): passed back with a change

    @property
    def display_name(self) -> str:
        return f"{self.full_name}, {self.credentials}" if self.credentials else self.full_name

    def may(self, permission: Permission) -> bool:
        return any(permission in GRANTS[r] for r in self.roles)


def clean_username(username: object) -> str:
    if not isinstance(username, str):
        raise FieldError("username", "Username must be text")
    name = username.strip().lower()
    if not name:
        raise FieldError("username", "Username is required")
    # ASCII only: a username is who the audit trail names, and one written with a letter of
    # another script that looks the same ("nurse.jо", Cyrillic о) would pass for another user.
    if len(name) > MAX_USERNAME_LENGTH or not all(
        c.isascii() and (c.isalnum() or c in "._-") for c in name
    ):
        raise FieldError(
            "username",
            f"Username: up to {MAX_USERNAME_LENGTH} letters a–z, digits, dots, dashes or "
            "underscores",
        )
    return name


def check_password_policy(password: object) -> None:
    if not isinstance(password, str):
        raise FieldError("password", "Password must be text")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise FieldError("password", f"Password must be at most {MAX_PASSWORD_LENGTH} characters")
    if fields.controls_as_spaces(password) != password:
        raise FieldError("password", "Password must not contain control characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise FieldError("password", f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password or not password.strip():
        raise FieldError("password", "Password must not start or end with spaces")


def require_permission(user: User, permission: Permission) -> None:
    if not user.active:
        raise DomainError(f"{user.username} is deactivated and cannot make changes")
    if not user.may(permission):
        raise DomainError(f"{user.display_name} is not allowed to {permission.value}")


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def after_password_check(failed: int, ok: bool, now: datetime) -> tuple[int, datetime | None]:
    """(failed attempts in a row, locked until) after one password was checked on an active,
    unlocked account: a right one clears both; the fifth wrong one in a row locks the
    account for LOCKOUT_MINUTES and starts the count again."""
    if ok:
        return 0, None
    if failed + 1 >= MAX_FAILED_SIGN_INS:
        return 0, now + timedelta(minutes=LOCKOUT_MINUTES)
    return failed + 1, None


def clean_person(full_name: object, credentials: object) -> tuple[str, str]:
    """A user's full name (required) and credentials ("RN", "MD"), as they are printed."""
    name = fields.one_line_text(
        "full_name",
        full_name,
        fields.PERSON_NAME_LENGTH,
        label="Full name",
        required=True,
        collapse=True,
        letters=True,
    )
    creds = fields.one_line_text(
        "credentials", credentials, fields.CREDENTIALS_LENGTH, label="Credentials", collapse=True
    )
    return name, creds
