"""What the audit trail says, as the UI and reports see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str  # create, update, baseline, sign_in, sign_in_refused, lock, unlock, ...
    entity: str
    entity_id: int | None
    field: str
    old_value: str | None
    new_value: str | None
    reason: str
