from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.actors import Actor, require_actor
from ketamon.domain.clock import Clock, ensure_utc, system_clock
from ketamon.domain.errors import DomainError, StorageError
from ketamon.domain.users import Permission, User, require_permission
from ketamon.storage.audit import AuditContext
from ketamon.storage.database import Database
from ketamon.storage.models import UserRow
from ketamon.storage.reads.users import to_user

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="Service")


def retried(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """A use case whose unit of work lost a race (StorageError.retry: a deadlock, a
    serialization failure, SQLite still locked, a unique key committed a moment earlier by
    another workstation) is run once more, whole: its transaction was rolled back, so
    nothing of the first try was committed or announced. The second run reads what the
    other workstation committed, and a rule refuses it in words (the chair is taken, the
    MRN registered), or it succeeds. A second loss is reported as is (in words)."""

    @functools.wraps(method)
    def run(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except StorageError as lost:
            if not lost.retry:
                raise
            log.info("%s lost a race (%s); running it once more", method.__qualname__, lost)
            return method(self, *args, **kwargs)

    return run


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
