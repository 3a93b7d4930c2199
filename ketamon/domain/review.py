"""Physician review: who may sign what, the signature's manifestation, and the content hash
that links a signature to exactly the record it signed (21 CFR 11.50, 11.70, 11.200).

The hash is over a canonical JSON form of the session's content, so any later change to
the record, through any path, makes the signature read as invalid.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from ketamon.domain import fields
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.sessions import Phase
from ketamon.domain.users import Role, User

DEFAULT_MEANINGS = ("Reviewed", "Reviewed and approved")


class ReviewStatus(StrEnum):
    AWAITING = "awaiting_review"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        return {"awaiting_review": "Awaiting review", "signed": "Signed"}[self.value]


@dataclass(frozen=True)
class Signature:
    session_id: int
    signer: str  # username
    printed_name: str
    credentials: str
    meaning: str
    comment: str
    signed_at: datetime
    content_hash: str
    valid: bool = True  # the record still hashes to content_hash

    def manifestation(self, tz: tzinfo | None = None) -> str:
        """'Electronically signed by <full name>, <credentials> — <meaning> — <local time>'."""
        when = self.signed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
        name = f"{self.printed_name}, {self.credentials}" if self.credentials else self.printed_name
        return f"Electronically signed by {name} — {self.meaning} — {when}"


@dataclass(frozen=True)
class Addendum:
    id: int
    session_id: int
    author: str  # username
    author_name: str
    at: datetime
    reason: str
    text: str


def review_status_after(phase: Phase) -> ReviewStatus | None:
    """Every session that ends (discharged, left against advice, cancelled) awaits the
    physician's review; an active one is not in the queue."""
    return None if phase.active else ReviewStatus.AWAITING


def check_may_sign(user: User, phase: Phase, already_signed: bool) -> None:
    if Role.PHYSICIAN not in user.roles:
        raise DomainError(f"Only a physician can sign; {user.display_name} is not one")
    if not user.active:
        raise DomainError(f"{user.username} is deactivated and cannot sign")
    if phase not in (Phase.DISCHARGED, Phase.CANCELLED):
        raise DomainError(
            f"This session is {phase.label.lower()}: only a discharged, cancelled or "
            "left-against-advice session can be signed"
        )
    if already_signed:
        raise DomainError("This session is already signed; add an addendum instead")


def check_meaning(meaning: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(meaning, str) or meaning not in allowed:
        raise FieldError("meaning", f"Choose the meaning of the signature: {', '.join(allowed)}")
    return meaning


def check_addendum(text: object, reason: object) -> tuple[str, str]:
    body = fields.multiline_text("addendum", text, fields.LONG_TEXT_LENGTH, label="Addendum")
    why = fields.multiline_text("addendum", reason, fields.REASON_LENGTH, label="Addendum reason")
    problems = []
    if not body:
        problems.append("The addendum text is empty")
    if not why:
        problems.append("Say why the addendum is added")
    if problems:
        raise FieldError("addendum", "; ".join(problems))
    return body, why


def check_comment(comment: object) -> str:
    """The signer's optional comment."""
    return fields.multiline_text("comment", comment, fields.NOTE_LENGTH, label="Comment")


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def content_hash(content: dict[str, list[dict[str, object]]]) -> str:
    """sha256 over the canonical JSON of table -> rows (each row a column -> value dict)."""
    canonical = {
        table: sorted(
            ({k: _plain(v) for k, v in row.items()} for row in rows),
            key=lambda r: json.dumps(r, sort_keys=True),
        )
        for table, rows in content.items()
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
