"""The demo physician's review: past sessions that ended more than two days ago are signed,
a few with an addendum after, as ReviewService.sign and add_addendum sign them (the
signer's own key opened with the demo password, the canonical payload, the chain head).

A second transaction after the seeding one: a signature's chain head must come after the
signer's key entered the audit trail (services/signatures.py), so the key's transaction
has to be committed first. Signing times are in the past, the next working day.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.demo.data import ADDENDA, DEMO_PASSWORD, DEMO_PHYSICIAN, NURSES
from ketamon.domain.review import PAYLOAD_VERSION, ReviewStatus, check_may_sign, payload_digest
from ketamon.domain.sessions import Phase
from ketamon.services import keys
from ketamon.services.clinic import Clinic
from ketamon.services.signatures import addendum_payload, chain_head, signature_payload
from ketamon.services.users import open_signing_key
from ketamon.storage.audit import AuditContext
from ketamon.storage.models import (
    AddendumRow,
    SessionEventRow,
    SessionRow,
    SignatureRow,
    UserRow,
)
from ketamon.storage.reads.users import to_user

SIGNED_DAYS_AGO = 2  # sessions of the last two days (and today) wait in the review queue
ADDENDUM_EVERY = 30  # about one signed session in 30 gets a follow-up addendum


class _Signer:
    """One staff member's signing identity, opened once for the transaction."""

    def __init__(self, tx: Session, username: str) -> None:
        self.row = tx.scalars(select(UserRow).where(UserRow.username == username)).one()
        self.user = to_user(self.row)
        self.key, self.private = open_signing_key(tx, username, DEMO_PASSWORD)

    def stamp(self) -> dict[str, object]:
        return {
            "printed_name": self.row.full_name,
            "credentials": self.row.credentials,
            "key_id": self.key.id,
            "key_fingerprint": keys.fingerprint(self.key.public_key),
            "payload_version": PAYLOAD_VERSION,
        }


def sign_past_sessions(clinic: Clinic, rng: random.Random) -> int:
    """Sign every ended session older than two days as the demo physician; returns how
    many were signed."""
    now = clinic.clock()
    context = AuditContext(DEMO_PHYSICIAN, now, "demo data: physician review")
    with clinic.db.transaction(audit=context) as tx:
        physician = _Signer(tx, DEMO_PHYSICIAN)
        nurses = {n.username: _Signer(tx, n.username) for n in NURSES[:2]}
        head = chain_head(tx)  # the trail as committed by the seeding transaction
        ended = tx.execute(
            select(SessionRow, SessionEventRow.at)
            .join(SessionEventRow, SessionEventRow.session_id == SessionRow.id)
            .where(
                SessionRow.review_status == ReviewStatus.AWAITING.value,
                SessionEventRow.kind.in_(("discharge", "cancel")),
                SessionEventRow.at < _local_midnight(now, SIGNED_DAYS_AGO),
            )
            .order_by(SessionEventRow.at)
        ).all()
        signed = []
        for index, (session, ended_at) in enumerate(ended):
            check_may_sign(physician.user, Phase(session.phase), False)
            at = min(_next_working_day(ended_at, rng), now - timedelta(days=1))
            row = SignatureRow(
                session_id=session.id,
                signer=DEMO_PHYSICIAN,
                meaning="Reviewed and approved" if index % 5 else "Reviewed",
                comment="" if index % 7 else "Uneventful session; continue the course.",
                signed_at=at,
                chain_seq=head.seq,
                chain_hash=head.hash,
                **physician.stamp(),
            )
            payload = signature_payload(tx, row)
            row.signature = keys.sign(physician.private, payload)
            row.content_hash = payload_digest(payload)
            tx.add(row)
            session.review_status = ReviewStatus.SIGNED.value
            signed.append(row)
        tx.flush()
        for index, row in enumerate(signed):
            if index % ADDENDUM_EVERY == 3:
                _add_addendum(tx, row, nurses, head.seq, head.hash, rng)
        tx.flush()
        return len(signed)


def _add_addendum(
    tx: Session,
    signed: SignatureRow,
    nurses: dict[str, _Signer],
    seq: int,
    chain: str,
    rng: random.Random,
) -> None:
    author = nurses[rng.choice(sorted(nurses))]
    reason, text = rng.choice(ADDENDA)
    row = AddendumRow(
        session_id=signed.session_id,
        author=author.row.username,
        at=signed.signed_at + timedelta(hours=rng.randint(15, 17)),  # the next morning
        reason=reason,
        text=text,
        chain_seq=seq,
        chain_hash=chain,
        **author.stamp(),
    )
    row.signature = keys.sign(author.private, addendum_payload(tx, row, signed))
    tx.add(row)


def _local_midnight(now: datetime, days_ago: int) -> datetime:
    """The start of the local day `days_ago` days before `now`'s."""
    day = now.astimezone().date() - timedelta(days=days_ago)
    return datetime.combine(day, time()).astimezone()


def _next_working_day(ended: datetime, rng: random.Random) -> datetime:
    """Late afternoon of the next weekday, in the clinic's local time."""
    local = ended.astimezone()
    day = local + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    minutes = rng.randint(16 * 60, 18 * 60)
    return day.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)
