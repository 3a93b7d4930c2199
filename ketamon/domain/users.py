"""Users, roles and what each role may do (enforced in the services, not only the UI).

Roles: nurse and physician chart; physician also signs (a later release); admin manages
users and clinic settings. An admin does not chart unless the account also has a clinical
role: a charge nurse who administers the system has roles {nurse, admin}.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ketamon.domain.errors import DomainError, FieldError

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_SIGN_INS = 5
LOCKOUT_MINUTES = 5
MAX_USERNAME_LENGTH = 64
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
    items = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    roles = set()
    for item in items:
        name = str(item).strip().lower()
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

    @property
    def display_name(self) -> str:
        return f"{self.full_name}, {self.credentials}" if self.credentials else self.full_name

    def may(self, permission: Permission) -> bool:
        return any(permission in GRANTS[r] for r in self.roles)


def clean_username(username: str) -> str:
    name = username.strip().lower()
    if not name:
        raise FieldError("username", "Username is required")
    if len(name) > MAX_USERNAME_LENGTH or not all(c.isalnum() or c in "._-" for c in name):
        raise FieldError(
            "username",
            f"Username: up to {MAX_USERNAME_LENGTH} letters, digits, dots, dashes or underscores",
        )
    return name


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise FieldError("password", f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password or not password.strip():
        raise FieldError("password", "Password must not start or end with spaces")


def require_permission(user: User, permission: Permission) -> None:
    if not user.active:
        raise DomainError(f"{user.username} is deactivated and cannot make changes")
    if not user.may(permission):
        raise DomainError(f"{user.display_name} is not allowed to {permission.value}")
