"""Physician review: who may sign what, the signature's manifestation, and the canonical
bytes a digital signature is made over (21 CFR 11.50, 11.70, 11.200).

`signed_payload` is the one serialization of what a signature (or an addendum) covers:
every clinical field of the session, the patient's name, MRN and date of birth, the
signer's username, printed name and credentials, the meaning, the UTC time and the audit
chain head at that moment. The signer's Ed25519 key signs these bytes; verification
rebuilds them from the rows stored now, so any later change, through any path, reads as
SIGNATURE INVALID.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum

from ketamon.domain import fields
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.patients import PatientCorrection
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
    valid: bool = True  # the signature verifies over the record as stored now
    problem: str = ""  # why not, in words
    key_fingerprint: str = ""  # sha256 of the signer's public key ("" before 0007)
    # The patient's details corrected (with a reason) after the signing: the signature
    # covers them as they were when signed; these say what changed since.
    corrected_after: tuple[PatientCorrection, ...] = ()

    def manifestation(self, tz: tzinfo | None = None) -> str:
        """'Electronically signed by <full name>, <credentials> — <meaning> — <local time>'."""
        when = self.signed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
        name = f"{self.printed_name}, {self.credentials}" if self.credentials else self.printed_name
        return f"Electronically signed by {name} — {self.meaning} — {when}"

    @property
    def verdict(self) -> str:
        """What checking the signature found, in words (shown under the manifestation)."""
        if not self.valid:
            return f"SIGNATURE INVALID: {self.problem}"
        if self.key_fingerprint:
            return (
                "Digital signature verified with the signer's key "
                f"(Ed25519, fingerprint {short_fingerprint(self.key_fingerprint)})"
            )
        return "Signed before digital signatures: checked against its content hash only"


@dataclass(frozen=True)
class Addendum:
    id: int
    session_id: int
    author: str  # username
    author_name: str
    at: datetime
    reason: str
    text: str
    valid: bool = True  # its author's signature verifies (False also when unsigned)
    problem: str = ""

    @property
    def verdict(self) -> str:
        """ "" when the addendum's signature verifies; otherwise why not, in words."""
        return "" if self.valid else f"ADDENDUM SIGNATURE INVALID: {self.problem}"


def short_fingerprint(fingerprint: str) -> str:
    """The first 16 hex digits in groups of four, as people compare them."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, 16, 4))


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
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


# 2: the vitals' oxygen tick (migration 0008) is covered; 3: a physician's decision on a
# severe side effect and a medication's allergy override (migration 0009)
PAYLOAD_VERSION = 4
PAYLOAD_VERSIONS = (1, 2, 3, 4)  # the same serialization; each covers the columns of its time


@dataclass(frozen=True)
class PatientIdentity:
    full_name: str
    mrn: str
    date_of_birth: date | None


@dataclass(frozen=True)
class Signer:
    username: str
    printed_name: str
    credentials: str


@dataclass(frozen=True)
class ChainHead:
    """The audit trail's last row when the signature was made."""

    seq: int
    hash: str


def signed_payload(
    *,
    kind: str,
    session_id: int,
    content: dict[str, list[dict[str, object]]],
    patient: PatientIdentity,
    signer: Signer,
    meaning: str,
    signed_at: datetime,
    chain: ChainHead,
    details: dict[str, object] | None = None,
    version: int = PAYLOAD_VERSION,
) -> bytes:
    """The canonical bytes of one signature ('signature') or addendum ('addendum').

    `details`: what else the signer attests (the comment; an addendum's text and reason
    and the signature it follows). Keys sorted, no spaces, UTF-8, times in UTC."""
    if version not in PAYLOAD_VERSIONS:
        raise DomainError(f"Unknown signed payload version {version}")
    document = {
        "kind": kind,
        "version": version,
        "session_id": session_id,
        "content": _canonical_content(content),
        "patient": {
            "full_name": patient.full_name,
            "mrn": patient.mrn,
            "date_of_birth": _plain(patient.date_of_birth),
        },
        "signer": {
            "username": signer.username,
            "printed_name": signer.printed_name,
            "credentials": signer.credentials,
        },
        "meaning": meaning,
        "signed_at": _plain(signed_at),
        "chain": {"seq": chain.seq, "hash": chain.hash},
        "details": {k: _plain(v) for k, v in (details or {}).items()},
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"KetaMon signed record v{version}\n{encoded}".encode()


def payload_digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _canonical_content(
    content: dict[str, list[dict[str, object]]],
) -> dict[str, list[dict[str, object]]]:
    return {
        table: sorted(
            ({k: _plain(v) for k, v in row.items()} for row in rows),
            key=lambda r: json.dumps(r, sort_keys=True),
        )
        for table, rows in content.items()
    }


def reviewed_digest(content: dict[str, list[dict[str, object]]], patient: PatientIdentity) -> str:
    """What a physician read before signing: the content a signature would cover and the
    patient's identity, as one sha256. The review view keeps the digest of what it shows;
    signing refuses when the record's digest is no longer that one."""
    identity: dict[str, object] = {
        "full_name": patient.full_name,
        "mrn": patient.mrn,
        "date_of_birth": patient.date_of_birth,
    }
    return content_hash({**content, "patient identity": [identity]})


def content_hash(content: dict[str, list[dict[str, object]]]) -> str:
    """sha256 over the canonical JSON of table -> rows: signatures made before digital
    signatures (migration 0007) are checked against it."""
    canonical = _canonical_content(content)
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
