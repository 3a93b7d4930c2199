"""Digital signatures of sessions and addenda: the payload rebuilt from the rows stored now,
and the check of the Ed25519 signature with the signer's own public key.

A signature (or an addendum) is valid only when all of these hold:
- the key it names (user_key.id) is on file, belongs to the signer, and has the fingerprint
  the signature recorded;
- that key entered the audit trail before the signature did: its first creation entry
  (with this very public key) comes no later than the chain head the signature recorded,
  and the head comes before the signature's own first creation entry, which recorded these
  very signature bytes (a key added afterwards, a key changed in place, or a signature
  re-made later with another key, fails);
- the audit row at the recorded chain head still has the recorded hash (the trail up to the
  signing was not rewritten);
- the signature verifies over the canonical payload (domain/review.py) built from the
  session's clinical rows, the patient's name, MRN and date of birth as they were when it
  was signed, and the signer, meaning, time and chain head stored with the signature.

The patient's details may be corrected after signing (PatientService.correct, with a
reason): the identity is then taken back to the signing by undoing, newest first, each
audited correction made after the recorded chain head. A correction is undone only if the
row still holds the value the trail says it wrote and the entry carries the reason the
service requires, so an edit of the patient row made outside the application (no trail
entry, or one appended without a reason) is never undone and reads as SIGNATURE INVALID
(and `audit verify` names a row edited without a trail entry). A forger who appends a
well-formed correction entry, reason and all, is not caught by the signature: the change
is shown with it as a correction after signing, under the name the forger gave. The
corrections made after signing are shown with the signature (Signature.corrected_after).

Signatures made before migration 0007 carry no signature bytes: they are checked against
their content hash, as before, and only if the trail shows they existed at the upgrade.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketamon.domain.errors import NotFound
from ketamon.domain.patients import PatientCorrection
from ketamon.domain.review import (
    PAYLOAD_VERSION,
    PAYLOAD_VERSIONS,
    Addendum,
    ChainHead,
    PatientIdentity,
    Signature,
    Signer,
    content_hash,
    payload_digest,
    reviewed_digest,
    signed_payload,
)
from ketamon.services import keys
from ketamon.storage.audit import CHAIN_LOCK_ID, RECORD, encode, fields_of, table_of
from ketamon.storage.models import (
    AddendumRow,
    AuditRow,
    DischargeRow,
    DoseRecordRow,
    MedicationRow,
    OutcomeRow,
    PatientRow,
    SessionEventRow,
    SessionRow,
    SideEffectRow,
    SignatureRow,
    UserKeyRow,
    VitalsRow,
)
from ketamon.storage.reads.users import user_names

ADDENDUM_MEANING = "Addendum"
# What a signature covers: the session row (but its review status, which signing sets) and
# every row that belongs to it, but their `version` counters (0011: a count of saves, not
# content; left out of every payload version, so no existing signature changes).
CONTENT_TABLES = (
    SessionEventRow,
    VitalsRow,
    SideEffectRow,
    MedicationRow,
    DoseRecordRow,
    DischargeRow,
    OutcomeRow,  # since payload version 4 (TABLE_COVERED_SINCE)
)


# Columns added to the signed tables later, with the first payload version that covers
# them. A signature is checked against the columns of its own version (0: the content hash
# of signatures made before 0007), so adding a column never invalidates an old signature;
# a migration that adds a column to a signed table adds it here and bumps PAYLOAD_VERSION.
COVERED_SINCE = {
    ("vitals_set", "oxygen"): 2,
    ("side_effect", "physician_decision"): 3,
    ("side_effect", "physician_decision_by"): 3,
    ("side_effect", "physician_decision_at"): 3,
    ("medication_given", "allergy_override_reason"): 3,
}
# Tables added to the signed content later, with the first payload version that covers
# them: a signature of an older version is checked without the table, as it was signed.
TABLE_COVERED_SINCE = {"outcome_score": 4}
WHOLE_TABLE = "*"  # in not_covered(): the table itself is not covered


def not_covered(version: int) -> dict[str, tuple[str, ...]]:
    """table -> the columns a signature of payload `version` did not cover."""
    out: dict[str, tuple[str, ...]] = {}
    for (table, column), since in COVERED_SINCE.items():
        if version < since:
            out[table] = (*out.get(table, ()), column)
    for table, since in TABLE_COVERED_SINCE.items():
        if version < since:
            out[table] = (WHOLE_TABLE,)
    return out


ADDED_AFTER_HASH_SIGNATURES = not_covered(0)


def session_content(
    tx: Session, session_id: int, *, without: dict[str, tuple[str, ...]] | None = None
) -> dict[str, list[dict[str, object]]]:
    """Every clinical row of the session, as column -> value (but the columns `without`)."""
    without = without or {}
    owner = tx.get(SessionRow, session_id)
    if owner is None:
        raise NotFound(f"Session {session_id} not found")
    columns = [c.key for c in SessionRow.__table__.columns if c.key != "review_status"]
    content = {"infusion_session": [{c: getattr(owner, c) for c in columns}]}
    for model in CONTENT_TABLES:
        table = table_of(model)
        skip = (*without.get(table.name, ()), "version")
        if WHOLE_TABLE in skip:
            continue
        selected = [c for c in table.columns if c.key not in skip]
        rows = tx.execute(select(*selected).where(table.c.session_id == session_id))
        content[table.name] = [dict(r._mapping) for r in rows]
    return content


IDENTITY_FIELDS = ("full_name", "mrn", "date_of_birth")


def _patient_of(tx: Session, session_id: int) -> PatientRow:
    patient = tx.scalar(
        select(PatientRow)
        .join(SessionRow, SessionRow.patient_id == PatientRow.id)
        .where(SessionRow.id == session_id)
    )
    if patient is None:
        raise NotFound(f"Session {session_id} not found")
    return patient


def _patient_updates(tx: Session, patient_id: int, after_seq: int) -> list[AuditRow]:
    """The audited corrections of the patient after trail row `after_seq`, oldest first."""
    return list(
        tx.scalars(
            select(AuditRow)
            .where(
                AuditRow.entity == "patient",
                AuditRow.entity_id == patient_id,
                AuditRow.action == "update",
                AuditRow.seq > after_seq,
            )
            .order_by(AuditRow.seq)
        )
    )


def _undoable(update: AuditRow) -> bool:
    """A trail entry PatientService.correct can have written: an identity field, with the
    reason it always requires (an entry without one did not come through that door)."""
    return update.field in IDENTITY_FIELDS and bool((update.reason or "").strip())


def patient_identity(tx: Session, session_id: int, as_of_seq: int | None = None) -> PatientIdentity:
    """The patient's name, MRN and date of birth now, or (`as_of_seq`) as they were at
    that trail row: each audited correction after it undone, newest first, only where the
    row still holds what the correction wrote (a value edited outside the application
    stays, so the signature over the old one no longer verifies)."""
    patient = _patient_of(tx, session_id)
    values = {f: encode(getattr(patient, f)) for f in IDENTITY_FIELDS}
    if as_of_seq is not None:
        for update in reversed(_patient_updates(tx, patient.id, as_of_seq)):
            if _undoable(update) and values.get(update.field, "") == update.new_value:
                values[update.field] = update.old_value
    born = values["date_of_birth"]
    try:
        dob = date.fromisoformat(born) if born else None
    except ValueError:  # not a date: it cannot match what was signed
        dob = None
    return PatientIdentity(values["full_name"] or "", values["mrn"] or "", dob)


def corrections_after(tx: Session, session_id: int, seq: int) -> tuple[PatientCorrection, ...]:
    """The patient's details corrected after trail row `seq` (who, when, old -> new, why)."""
    patient = _patient_of(tx, session_id)
    return tuple(
        PatientCorrection(u.field, u.old_value, u.new_value, u.at, u.actor, u.reason)
        for u in _patient_updates(tx, patient.id, seq)
    )


def chain_head(tx: Session) -> ChainHead:
    """The audit trail's last row, read in the signing transaction (on PostgreSQL under the
    chain's lock, so no other workstation appends in between)."""
    connection = tx.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_ID})")
    last = connection.execute(
        select(AuditRow.seq, AuditRow.row_hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    return ChainHead(last[0], last[1]) if last else ChainHead(0, "0" * 64)


def record_digest(tx: Session, session_id: int) -> str:
    """The digest of what a signature made now would cover (domain.review.reviewed_digest)."""
    content = session_content(tx, session_id, without=not_covered(PAYLOAD_VERSION))
    return reviewed_digest(content, patient_identity(tx, session_id))


def signature_payload(tx: Session, row: SignatureRow) -> bytes:
    return signed_payload(
        kind="signature",
        session_id=row.session_id,
        content=session_content(
            tx, row.session_id, without=not_covered(row.payload_version or PAYLOAD_VERSION)
        ),
        patient=patient_identity(tx, row.session_id, row.chain_seq),
        signer=Signer(row.signer, row.printed_name, row.credentials),
        meaning=row.meaning,
        signed_at=row.signed_at,
        chain=ChainHead(row.chain_seq or 0, row.chain_hash or ""),
        details={"comment": row.comment},
        version=row.payload_version or PAYLOAD_VERSION,
    )


def addendum_payload(tx: Session, row: AddendumRow, signed: SignatureRow | None) -> bytes:
    """An addendum covers the same record, its own text and reason, and the signature it
    follows."""
    return signed_payload(
        kind="addendum",
        session_id=row.session_id,
        content=session_content(
            tx, row.session_id, without=not_covered(row.payload_version or PAYLOAD_VERSION)
        ),
        patient=patient_identity(tx, row.session_id, row.chain_seq),
        signer=Signer(row.author, row.printed_name, row.credentials),
        meaning=ADDENDUM_MEANING,
        signed_at=row.at,
        chain=ChainHead(row.chain_seq or 0, row.chain_hash or ""),
        details={
            "text": row.text,
            "reason": row.reason,
            "follows_signature": signed.signature if signed is not None else None,
        },
        version=row.payload_version or PAYLOAD_VERSION,
    )


def signature_of(tx: Session, session_id: int) -> Signature | None:
    """The session's signature, checked against the record as stored now."""
    row = tx.scalar(select(SignatureRow).where(SignatureRow.session_id == session_id))
    if row is None:
        return None
    corrected = corrections_after(tx, session_id, _signed_seq(tx, row))
    return to_signature(row, _signature_problem(tx, row), corrected)


def _signed_seq(tx: Session, row: SignatureRow) -> int:
    """The trail row the signing follows: the recorded chain head, or (signatures made
    before 0007 have none) the signature's first entry in the trail."""
    if row.chain_seq is not None:
        return row.chain_seq
    first = tx.scalar(
        select(AuditRow.seq)
        .where(AuditRow.entity == "signature", AuditRow.entity_id == row.id)
        .order_by(AuditRow.seq)
        .limit(1)
    )
    return first or 0


def addenda_of(tx: Session, session_id: int) -> list[Addendum]:
    signed = tx.scalar(select(SignatureRow).where(SignatureRow.session_id == session_id))
    names = user_names(tx)
    rows = tx.scalars(
        select(AddendumRow)
        .where(AddendumRow.session_id == session_id)
        .order_by(AddendumRow.at, AddendumRow.id)
    )
    return [to_addendum(a, names, _addendum_problem(tx, a, signed)) for a in rows]


def check_signatures(tx: Session) -> list[str]:
    """Every signature and addendum that does not verify, in words (for `audit verify`)."""
    problems = []
    for row in tx.scalars(select(SignatureRow).order_by(SignatureRow.id)):
        problem = _signature_problem(tx, row)
        if problem:
            problems.append(f"signature {row.id} (session {row.session_id}): {problem}")
        for addendum in tx.scalars(
            select(AddendumRow).where(AddendumRow.session_id == row.session_id)
        ):
            problem = _addendum_problem(tx, addendum, row)
            if problem:
                problems.append(f"addendum {addendum.id} (session {row.session_id}): {problem}")
    orphans = tx.scalars(
        select(AddendumRow.id).where(AddendumRow.session_id.not_in(select(SignatureRow.session_id)))
    )
    problems.extend(f"addendum {i}: its session has no signature" for i in orphans)
    return problems


def to_signature(
    row: SignatureRow, problem: str, corrected_after: tuple[PatientCorrection, ...] = ()
) -> Signature:
    return Signature(
        row.session_id,
        row.signer,
        row.printed_name,
        row.credentials,
        row.meaning,
        row.comment,
        row.signed_at,
        row.content_hash,
        valid=not problem,
        problem=problem,
        key_fingerprint=row.key_fingerprint or "",
        corrected_after=corrected_after,
    )


def to_addendum(row: AddendumRow, names: dict[str, str], problem: str) -> Addendum:
    printed = (
        f"{row.printed_name}, {row.credentials}" if row.credentials else row.printed_name
    ) or names.get(row.author, row.author)
    return Addendum(
        row.id,
        row.session_id,
        row.author,
        printed,
        row.at,
        row.reason,
        row.text,
        valid=not problem,
        problem=problem,
    )


def _signature_problem(tx: Session, row: SignatureRow) -> str:
    if row.signature is None:
        if not _from_before_digital_signatures(tx, "signature", row.id):
            return "it carries no digital signature"
        content = session_content(tx, row.session_id, without=ADDED_AFTER_HASH_SIGNATURES)
        if content_hash(content) != row.content_hash:
            return "the record changed after signing"
        return ""
    payload = signature_payload(tx, row)
    return _problem(tx, "signature", row, row.signer, payload)


def _addendum_problem(tx: Session, row: AddendumRow, signed: SignatureRow | None) -> str:
    if row.signature is None:
        if _from_before_digital_signatures(tx, "addendum", row.id):
            return ""  # added before digital signatures, when addenda were not signed
        return "it carries no digital signature"
    return _problem(tx, "addendum", row, row.author, addendum_payload(tx, row, signed))


def _problem(
    tx: Session, entity: str, row: SignatureRow | AddendumRow, signer: str, payload: bytes
) -> str:
    """Why the digital signature on `row` is not valid ("" when it is)."""
    if row.payload_version not in PAYLOAD_VERSIONS:
        return f"unknown signed payload version {row.payload_version}"
    key = tx.get(UserKeyRow, row.key_id) if row.key_id is not None else None
    if key is None:
        return "the signing key it names is not on file"
    if key.username != signer:
        return f"the signing key it names is not {signer}'s"
    if keys.fingerprint(key.public_key) != row.key_fingerprint:
        return "the signing key it names is not the one it was made with"
    # The first creation entries in the trail (later ones can only be appended forgeries).
    key_seq, key_value = _created(tx, "user_key", key.id, "public_key")
    own_seq, own_value = _created(tx, entity, row.id, "signature")
    if key_seq is None or own_seq is None or row.chain_seq is None:
        return "the audit trail has no record of the key or of the signature being made"
    if key_value != key.public_key:
        return "the signing key was changed after it was made"
    if not key_seq <= row.chain_seq < own_seq:
        return "the signing key entered the audit trail after the signature"
    if own_value != row.signature:
        return "the signature was replaced after it was made"
    head = tx.get(AuditRow, row.chain_seq)
    if head is None or head.row_hash != row.chain_hash:
        return "the audit trail up to the signing was rewritten"
    if row.signature is None or not keys.verifies(key.public_key, row.signature, payload):
        if not isinstance(row, SignatureRow):
            return "the addendum, or the record it follows, changed after signing"
        if payload_digest(payload) != row.content_hash:
            return "the signed record changed after signing"
        return "the signature does not verify with the signer's key"
    return ""


def _created(tx: Session, entity: str, entity_id: int, field: str) -> tuple[int | None, str | None]:
    """(seq, value) of the earliest audit entry that created `field` of this row (a row of
    that field, or the row holding the whole record's creation)."""
    first = tx.execute(
        select(AuditRow.seq, AuditRow.field, AuditRow.new_value)
        .where(
            AuditRow.entity == entity,
            AuditRow.entity_id == entity_id,
            AuditRow.action == "create",
            AuditRow.field.in_((field, RECORD)),
        )
        .order_by(AuditRow.seq)
        .limit(1)
    ).first()
    if first is None:
        return None, None
    values = dict(fields_of(first[1], first[2]))
    return (first[0], values[field]) if field in values else (None, None)


MIGRATION_0007 = "(migration 0007)"


def _from_before_digital_signatures(tx: Session, entity: str, entity_id: int) -> bool:
    """Whether the upgrade to digital signatures (migration 0007) found this row.

    The upgrade wrote one baseline entry per row it found, all in one run at the end of the
    trail as it was then, before any signing key existed. An entry claiming to be one of
    them is believed only if it is in that first run (no other entry between the run's
    first and it), no key's creation comes before it, and the row's own creation comes
    before it: one appended later by someone with the file, to pass a forged unsigned
    signature or addendum off as an old one, is not (found by an attack battery)."""
    baseline = tx.scalar(
        select(AuditRow.seq)
        .where(
            AuditRow.entity == entity,
            AuditRow.entity_id == entity_id,
            AuditRow.action == "baseline",
            AuditRow.field == "signature",
            AuditRow.actor == MIGRATION_0007,
        )
        .order_by(AuditRow.seq)
        .limit(1)
    )
    if baseline is None:
        return False
    run_start = tx.scalar(select(func.min(AuditRow.seq)).where(AuditRow.actor == MIGRATION_0007))
    interrupted = tx.scalar(
        select(AuditRow.seq)
        .where(AuditRow.seq > run_start, AuditRow.seq < baseline, AuditRow.actor != MIGRATION_0007)
        .limit(1)
    )
    first_key = tx.scalar(
        select(func.min(AuditRow.seq)).where(
            AuditRow.entity == "user_key", AuditRow.action == "create"
        )
    )
    created = tx.scalar(
        select(func.min(AuditRow.seq)).where(
            AuditRow.entity == entity, AuditRow.entity_id == entity_id, AuditRow.action == "create"
        )
    )
    return (
        interrupted is None
        and (first_key is None or baseline < first_key)
        and created is not None
        and created < baseline
    )
