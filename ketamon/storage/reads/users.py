"""Users as the domain sees them, and the display names shown beside who did what."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.users import User, parse_roles
from ketamon.storage.models import UserRow


def to_user(row: UserRow) -> User:
    return User(
        row.id,
        row.username,
        row.full_name,
        row.credentials,
        parse_roles(row.roles),
        row.active,
        bool(row.must_change_password),
        row.version or 0,
    )


def user_names(tx: Session) -> dict[str, str]:
    """username -> display name, for every account (a clinic has tens, not thousands)."""
    return {row.username: to_user(row).display_name for row in tx.scalars(select(UserRow))}
