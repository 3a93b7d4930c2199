"""What the audit trail says, as the UI and reports see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AnchorState(StrEnum):
    """What `audit verify` found of one anchor file, with the words it prints."""

    CHECKED = "checked"
    MISSING = "missing"
    UNREADABLE = "unreadable"

    @property
    def label(self) -> str:
        return {
            "checked": "checked",
            "missing": "no anchor file yet",
            "unreadable": "could not be read",
        }[self.value]


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
