from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.actors import Actor, require_actor
from ketamon.domain.clock import Clock, ensure_utc, system_clock
from ketamon.domain.errors import DomainError
from ketamon.domain.users import Permission, User, require_permission
from ketamon.storage.audit import AuditContext
from ketamon.storage.database import Database
from ketamon.storage.models import UserRow
from ketamon.storage.reads.users import to_user


def like_literal(text: str) -> str:
    """`text` for a LIKE pattern with ESCAPE '\\': its %, _ and \\ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def acting_user(tx: Session, actor: Actor, permission: Permission | None) -> User:
    """The signed-in user behind `actor`, checked to exist, be active and be allowed."""
    require_actor(actor)
    row = tx.scalar(select(UserRow).where(UserRow.username == actor.username))
    if row is None:
        raise DomainError(f"Unknown user {actor.username!r}: sign in again")
    user = to_user(row)
    if permission is None:
        if not user.active:
            raise DomainError(f"{user.username} is deactivated and cannot make changes")
    else:
        require_permission(user, permission)
    return user


class Service:
    def __init__(self, db: Database, clock: Clock = system_clock) -> None:
        self.db = db
        self.clock = clock

    def now(self) -> datetime:
        return ensure_utc(self.clock())

    def audit(self, actor: Actor, reason: str = "") -> AuditContext:
        require_actor(actor)
        return AuditContext(actor.username, self.now(), reason.strip())
