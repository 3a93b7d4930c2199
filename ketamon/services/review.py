"""Physician review: the queue of finished sessions, signing with re-authentication, the
signature's validity, and addenda after signing.

Signing opens the signer's private key with the password just typed and signs the canonical
payload of the session (services/signatures.py says what it covers and how it is checked),
so a change made afterwards through any path (even raw SQL past the triggers, with the
audit trail re-hashed) shows as invalid, and a forgery needs the signer's password. Once
signed, services refuse changes (the lock triggers of migration 0006 refuse them too).
Addenda are signed the same way by their author.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Exists,
    Select,
    and_,
    bindparam,
    exists,
    false,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import InstrumentedAttribute

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.discharge import Outcome
from ketamon.domain.errors import ChangedSinceRead, DomainError, NotFound
from ketamon.domain.news2 import Chart
from ketamon.domain.patients import search_words
from ketamon.domain.review import (
    DEFAULT_MEANINGS,
    PAYLOAD_VERSION,
    Addendum,
    ReviewStatus,
    Signature,
    check_addendum,
    check_comment,
    check_may_sign,
    check_meaning,
    payload_digest,
)
from ketamon.domain.sessions import Phase
from ketamon.domain.side_effects import Severity
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.users import Permission, Role
from ketamon.domain.vitals import Band, scale2_band
from ketamon.services import keys
from ketamon.services.base import Service, acting_user, like_literal, retried
from ketamon.services.signatures import (
    addenda_of,
    addendum_payload,
    chain_head,
    check_signatures,
    record_digest,
    signature_of,
    signature_payload,
    to_addendum,
    to_signature,
)
from ketamon.services.users import AuthService, open_signing_key
from ketamon.storage.models import (
    AddendumRow,
    ChairRow,
    DischargeRow,
    PatientRow,
    SessionEventRow,
    SessionRow,
    SideEffectRow,
    SignatureRow,
    VitalsRow,
)
from ketamon.storage.reads.settings import bands_from_stored, chart_from_stored, stored_bands
from ketamon.storage.reads.users import user_names
from ketamon.storage.versions import last_session_change

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReviewFilter:
    since: datetime | None = None
    until: datetime | None = None
    patient: str = ""  # name or MRN, part of it
    chair_id: int | None = None
    nurse: str = ""  # username of a nurse who recorded an event
    status: str = ""  # 'awaiting_review' | 'signed' | 'cancelled' | 'ama' | ''
    alerts_only: bool = False  # had a red vital or a severe side effect


def check_filter(where: ReviewFilter) -> None:
    """FieldError for a filter value the query cannot take (naive times, non-text)."""
    fields.optional_datetime("since", where.since, label="From")
    fields.optional_datetime("until", where.until, label="To")
    search_words(where.patient)
    fields.optional_record_id("chair_id", where.chair_id, label="Chair")
    fields.one_line_text("nurse", where.nurse, fields.USERNAME_LENGTH, label="Nurse")
    fields.one_line_text("status", where.status, fields.CODE_LENGTH, label="Status")
    fields.flag("alerts_only", where.alerts_only, label="Only with alerts")


class ReviewRow(NamedTuple):
    """One line of the list (a named tuple: a page of 200 is built in microseconds)."""

    session_id: int
    checked_in_at: datetime
    patient_name: str
    mrn: str
    chair_name: str
    phase: str
    outcome: str | None
    review_status: str | None
    red_alert: bool
    severe_effect: bool
    patient_id: int = 0  # the course beside the session

    @property
    def status_text(self) -> str:
        if self.review_status == ReviewStatus.SIGNED.value:
            return "Signed"
        if self.phase == Phase.CANCELLED.value:
            return "Cancelled · awaiting review"
        if self.outcome == Outcome.AMA:
            return "LEFT AMA · awaiting review"
        return "Awaiting review"


class ReviewService(Service):
    # -- the queue -----------------------------------------------------------------------------
    def awaiting_count(self) -> int:
        with self.db.transaction(write=False) as tx:
            return (
                tx.scalar(
                    select(func.count())
                    .select_from(SessionRow)
                    .where(SessionRow.review_status == ReviewStatus.AWAITING.value)
                )
                or 0
            )

    def count(self, where: ReviewFilter) -> int:
        check_filter(where)
        with self.db.reading() as connection:
            return connection.scalar(_count_query(where, stored_bands(connection))) or 0

    def page(self, where: ReviewFilter, offset: int, limit: int) -> list[ReviewRow]:
        """One page of the list, newest first (keyed by check-in time, then id).

        The statement is built once per filter and band table (cached) and run at the Core
        level: the list is read-only and needs no ORM identity map."""
        check_filter(where)
        offset = fields.integer("offset", offset, 0, 2**62, label="Page offset")
        limit = fields.integer("limit", limit, 1, 10_000, label="Page size")
        with self.db.reading() as connection:
            query = _page_query(where, stored_bands(connection))
            rows = connection.execute(query, {"offset": offset, "limit": limit}).all()
            return [ReviewRow._make(row) for row in rows]

    # -- signing ---------------------------------------------------------------------------
    @retried
    def sign(
        self,
        actor: Actor,
        session_id: int,
        password: str,
        meaning: str,
        comment: str = "",
        *,
        reviewed: str,
        username: str | None = None,
        meanings: tuple[str, ...] = DEFAULT_MEANINGS,
    ) -> Signature:
        """Sign after re-authentication (user ID and password, 21 CFR 11.200).

        `reviewed`: the `record_digest` of the record as the physician's view showed it; a
        record changed since is refused (ChangedSinceRead), nothing signed.

        `username`, when given (the first signing of a sign-in), must be the signed-in user.
        A wrong password signs nothing (the refused attempt is on the audit trail); the
        same password opens the signer's private key, which signs the session's payload."""
        if username is not None and (
            not isinstance(username, str) or username.strip().lower() != actor.username
        ):
            raise DomainError("Sign with your own username: you are signed in as " + actor.username)
        check_meaning(meaning, meanings)
        comment = check_comment(comment)
        session_id = fields.record_id("session_id", session_id, label="Session")
        AuthService(self.db, self.clock).sign_in(actor.username, password)
        with self.db.transaction(audit=self.audit(actor, f"signed: {meaning}")) as tx:
            user = acting_user(tx, actor, Permission.SIGN)
            owner = tx.get(SessionRow, session_id)
            if owner is None:
                raise NotFound(f"Session {session_id} not found")
            signed = tx.scalar(select(SignatureRow).where(SignatureRow.session_id == session_id))
            check_may_sign(user, Phase(owner.phase), signed is not None)
            if not isinstance(reviewed, str) or reviewed != record_digest(tx, session_id):
                last = last_session_change(tx, session_id)
                by, at = last if last is not None else (None, None)
                raise ChangedSinceRead(by, at, self.now())
            key, private = open_signing_key(tx, user.username, password)
            head = chain_head(tx)  # before this transaction writes to the trail
            row = SignatureRow(
                session_id=session_id,
                signer=user.username,
                printed_name=user.full_name,
                credentials=user.credentials,
                meaning=meaning,
                comment=comment,
                signed_at=self.now(),
                key_id=key.id,
                key_fingerprint=keys.fingerprint(key.public_key),
                payload_version=PAYLOAD_VERSION,
                chain_seq=head.seq,
                chain_hash=head.hash,
            )
            payload = signature_payload(tx, row)
            row.signature = keys.sign(private, payload)
            row.content_hash = payload_digest(payload)
            tx.add(row)
            owner.review_status = ReviewStatus.SIGNED.value
            tx.flush()
            log.info("session %d signed by %s", session_id, user.username)
            return to_signature(row, "")

    def record_digest(self, session_id: int) -> str:
        """The digest of the session's record as it stands (what `sign` must be given back
        as `reviewed`), read in one snapshot."""
        session_id = fields.record_id("session_id", session_id, label="Session")
        with self.db.transaction(write=False) as tx:
            return record_digest(tx, session_id)

    def signature(self, session_id: int) -> Signature | None:
        with self.db.transaction(write=False) as tx:
            return signature_of(tx, session_id)

    def check_signatures(self) -> list[str]:
        """Every signature or addendum whose digital signature does not verify, in words."""
        with self.db.transaction(write=False) as tx:
            return check_signatures(tx)

    # -- addenda -----------------------------------------------------------------------------
    @retried
    def add_addendum(
        self, actor: Actor, session_id: int, text: str, reason: str, password: str
    ) -> Addendum:
        """An addendum to a signed session, signed by its author with the password just
        typed (a wrong password adds nothing)."""
        body, why = check_addendum(text, reason)
        session_id = fields.record_id("session_id", session_id, label="Session")
        AuthService(self.db, self.clock).sign_in(actor.username, password)
        with self.db.transaction(audit=self.audit(actor, why)) as tx:
            user = acting_user(tx, actor, None)
            if not (Role.NURSE in user.roles or Role.PHYSICIAN in user.roles):
                raise DomainError("Only nurses and physicians add to a clinical record")
            signed = tx.scalar(select(SignatureRow).where(SignatureRow.session_id == session_id))
            if signed is None:
                raise DomainError("This session is not signed yet: correct the record itself")
            key, private = open_signing_key(tx, user.username, password)
            head = chain_head(tx)
            row = AddendumRow(
                session_id=session_id,
                author=user.username,
                printed_name=user.full_name,
                credentials=user.credentials,
                at=self.now(),
                reason=why,
                text=body,
                key_id=key.id,
                key_fingerprint=keys.fingerprint(key.public_key),
                payload_version=PAYLOAD_VERSION,
                chain_seq=head.seq,
                chain_hash=head.hash,
            )
            row.signature = keys.sign(private, addendum_payload(tx, row, signed))
            tx.add(row)
            tx.flush()
            return to_addendum(row, user_names(tx), "")

    def addenda(self, session_id: int) -> list[Addendum]:
        with self.db.transaction(write=False) as tx:
            return addenda_of(tx, session_id)


@lru_cache(maxsize=64)
def _count_query(where: ReviewFilter, stored: tuple[tuple[str, str], ...]) -> Select:
    chart = chart_from_stored(stored)
    return _filtered(select(func.count(SessionRow.id)), where, bands_from_stored(stored), chart)


@lru_cache(maxsize=64)
def _page_query(where: ReviewFilter, stored: tuple[tuple[str, str], ...]) -> Select:
    """The page statement for one filter; offset and limit are bound when it runs."""
    bands, chart = bands_from_stored(stored), chart_from_stored(stored)
    query = (
        select(
            SessionRow.id,
            SessionRow.checked_in_at,
            PatientRow.full_name,
            PatientRow.mrn,
            ChairRow.name,
            SessionRow.phase,
            DischargeRow.outcome,
            SessionRow.review_status,
            type_coerce(_red(bands, chart), Boolean).label("red"),
            type_coerce(_severe(), Boolean).label("severe"),
            SessionRow.patient_id,
        )
        .join(PatientRow, PatientRow.id == SessionRow.patient_id)
        .join(ChairRow, ChairRow.id == SessionRow.chair_id)
        .outerjoin(DischargeRow, DischargeRow.session_id == SessionRow.id)
    )
    return (
        _filtered(query, where, bands, chart)
        .order_by(SessionRow.checked_in_at.desc(), SessionRow.id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


def _red(bands: dict[str, Band], chart: Chart) -> Exists:
    """SQL for "this session had a red vital", from the clinic's bands (current sets); a
    patient on SpO2 scale 2 has SpO2 graded on scale 2 (RED at 3 points, on oxygen too)."""
    limits: list[ColumnElement[bool]] = []
    for key, band in bands.items():
        column = getattr(VitalsRow, key, None)
        if column is None:
            continue
        if key == "spo2":
            limits.append(and_(PatientRow.spo2_scale2.is_not(True), _red_limits(column, band)))
            continue
        limits.append(_red_limits(column, band))
    air, oxygen = scale2_band(chart), scale2_band(chart, oxygen=True)
    scale2 = [_red_limits(VitalsRow.spo2, air)]
    if oxygen.red_high is not None:
        scale2.append(and_(VitalsRow.oxygen.is_(True), VitalsRow.spo2 >= oxygen.red_high))
    limits.append(and_(PatientRow.spo2_scale2.is_(True), or_(*scale2)))
    return exists().where(
        VitalsRow.session_id == SessionRow.id,
        VitalsRow.status == RecordStatus.CURRENT.value,
        PatientRow.id == SessionRow.patient_id,
        or_(*limits),
    )


def _red_limits(column: InstrumentedAttribute[float | None], band: Band) -> ColumnElement[bool]:
    limits: list[ColumnElement[bool]] = []
    if band.red_low is not None:
        limits.append(column <= band.red_low)
    if band.red_high is not None:
        limits.append(column >= band.red_high)
    return or_(false(), *limits)


def _severe() -> Exists:
    return exists().where(
        SideEffectRow.session_id == SessionRow.id,
        SideEffectRow.status == RecordStatus.CURRENT.value,
        SideEffectRow.severity == Severity.SEVERE.value,
    )


def _filtered(
    query: Select[*tuple[Any, ...]], where: ReviewFilter, bands: dict[str, Band], chart: Chart
) -> Select[*tuple[Any, ...]]:
    conditions: list[ColumnElement[bool]] = [SessionRow.review_status.is_not(None)]
    if where.since is not None:
        conditions.append(SessionRow.checked_in_at >= where.since)
    if where.until is not None:
        conditions.append(SessionRow.checked_in_at < where.until)
    if where.chair_id is not None:
        conditions.append(SessionRow.chair_id == where.chair_id)
    if where.status == ReviewStatus.SIGNED:
        conditions.append(SessionRow.review_status == ReviewStatus.SIGNED.value)
    elif where.status == ReviewStatus.AWAITING:
        conditions.append(SessionRow.review_status == ReviewStatus.AWAITING.value)
    elif where.status == Phase.CANCELLED:
        conditions.append(SessionRow.phase == Phase.CANCELLED.value)
    elif where.status == Outcome.AMA:
        conditions.append(
            exists().where(
                DischargeRow.session_id == SessionRow.id, DischargeRow.outcome == Outcome.AMA.value
            )
        )
    patient = " ".join(search_words(where.patient)).lower()
    if patient:
        like = f"%{like_literal(patient)}%"
        # Not correlated: the page query joins the patient table already (a correlated
        # EXISTS there would have no FROM left).
        conditions.append(
            SessionRow.patient_id.in_(
                select(PatientRow.id).where(
                    or_(
                        func.lower(PatientRow.full_name).like(like, escape="\\"),
                        func.lower(PatientRow.mrn).like(like, escape="\\"),
                    )
                )
            )
        )
    if where.nurse.strip():
        conditions.append(
            exists().where(
                SessionEventRow.session_id == SessionRow.id,
                SessionEventRow.actor == where.nurse.strip(),
            )
        )
    if where.alerts_only:
        conditions.append(or_(_red(bands, chart), _severe()))
    return query.where(and_(*conditions))
