from __future__ import annotations

from datetime import datetime

from ketamon.domain.clock import Clock, ensure_utc, system_clock
from ketamon.domain.errors import DomainError
from ketamon.storage.database import Database


class NotFound(DomainError):
    """The record asked for does not exist."""


class Service:
    def __init__(self, db: Database, clock: Clock = system_clock) -> None:
        self.db = db
        self.clock = clock

    def now(self) -> datetime:
        return ensure_utc(self.clock())
