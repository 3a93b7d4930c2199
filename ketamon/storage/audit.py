"""The audit trail: every change flushed through an ORM session is recorded, hash-chained.

Services open a write transaction with an AuditContext (who, when, why). A flush that
changes an audited table without one is refused, so nothing changes anonymously. Deletes
of audited rows are refused outright: records are voided, never deleted.

A record's creation is one trail row holding all its fields (field RECORD, new_value a
JSON object of each field's text); a change is one row per changed field with its old and
new text. Trails written before migration 0013 hold a creation as one row per field: both
forms are read through `fields_of`, and both are hashed alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import Connection, Table, event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from ketamon.domain.audit import AuditEntry
from ketamon.domain.changes import Change, Kind
from ketamon.domain.errors import DomainError
from ketamon.storage.models import AuditRow, Base

GENESIS = "0" * 64
CHAIN_LOCK_ID = 0x4B65_7461  # "Keta": PostgreSQL advisory lock for the chain head
# Tables whose every field change is audited; per table, fields kept out of the values.
AUDITED_TABLES = (
    "chair",
    "patient",
    "course",
    "infusion_session",
    "session_event",
    "clinic_setting",
    "app_user",
    "vitals_set",
    "side_effect",
    "medication_given",
    "dose_record",
    "discharge_record",
    "signature",
    "addendum",
    "user_key",
    "outcome_score",
)
# (table, column) whose values never enter the trail: each change is written as
# "(changed) sha256:<hex of the value>", so verification compares them without revealing
# them (the values are salted hashes or sealed keys: their digest gives nothing usable).
SECRET_FIELDS = {("app_user", "password_hash"), ("user_key", "sealed_private_key")}
# A record's version counter (storage/versions.py, migration 0011) is technical, like the
# lockout count: it is kept out of the trail (the trail already has every change it counts).
VERSIONED_TABLES = (
    "discharge_record",
    "patient",
    "dose_record",
    "side_effect",
    "clinic_setting",
    "app_user",
    "chair",
)
UNAUDITED_FIELDS = {("app_user", "failed_sign_ins"), ("app_user", "locked_until")} | {
    (t, "version") for t in VERSIONED_TABLES
}
# The field of a row recording a record's creation whole ("<key>.*" for text-keyed rows).
RECORD = "*"
SECRET_MARK = "(changed)"  # alone: written before digests were kept (cannot be compared)
# What a change to each audited table is, for the screens (ketamon.domain.changes).
TABLE_KINDS = {
    "chair": Kind.CHAIRS,
    "patient": Kind.PATIENT,
    "course": Kind.PATIENT,
    "infusion_session": Kind.PHASE,
    "session_event": Kind.PHASE,
    "clinic_setting": Kind.SETTINGS,
    "app_user": Kind.USERS,
    "user_key": Kind.USERS,
    "vitals_set": Kind.VITALS,
    "side_effect": Kind.SIDE_EFFECTS,
    "medication_given": Kind.MEDICATIONS,
    "dose_record": Kind.DOSE,
    "discharge_record": Kind.CHECKLIST,
    "signature": Kind.SIGNATURE,
    "addendum": Kind.SIGNATURE,
    "outcome_score": Kind.OUTCOMES,
}
CHAIN_LOCKED = "chain_locked"  # Session.info key: this transaction holds the chain lock
CHANGED_ROWS = "changed_rows"  # Session.info key: (table, session id, patient id) flushed
WRITTEN_ROWS = "written_rows"  # Session.info key: (seq, row_hash) of the data-change rows written


@dataclass(frozen=True)
class AuditContext:
    actor: str
    at: datetime
    reason: str = ""


def encode(value: object) -> str | None:
    """A stable text form of a column value (the same in the trail and in verification)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # -0.0 reads back as 0.0 from a REAL column: the same text for both
        return repr(value + 0.0)
    return str(value)


def secret_digest(value: object) -> str | None:
    """What the trail holds for a secret value: a mark and the SHA-256 of the value."""
    if value is None:
        return None
    raw = bytes(value) if isinstance(value, bytes | bytearray | memoryview) else None
    data = raw if raw is not None else (encode(value) or "").encode("utf-8")
    return f"{SECRET_MARK} sha256:{hashlib.sha256(data).hexdigest()}"


def is_secret(entity: str, field: str) -> bool:
    """Whether a trail field (a column, or "<key>.<column>" for text-keyed rows) is secret."""
    return (entity, field.rpartition(".")[2]) in SECRET_FIELDS


# json.dumps with options builds an encoder per call; one made once gives the same text
# (verify hashes every row of the trail: this is a third of its time).
_CHAIN_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# The columns a row's hash covers, in the order hashed (with its predecessor's hash last).
HASHED_COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "field",
    "old_value",
    "new_value",
    "reason",
)


def record_value(values: dict[str, str | None]) -> str:
    """The new_value of a creation row: each field's trail text, in the table's order."""
    return _CHAIN_JSON.encode(values)


def fields_of(field: str, new_value: str | None) -> list[tuple[str, str | None]]:
    """The (field, new text) pairs a trail row records: every field of a record for a
    creation row (RECORD, or "<key>.*": each field "<key>.<column>"), else the one field.
    A creation row whose value is not a JSON object of texts (only a hand-made row can be:
    the chain then breaks at it) records no field."""
    head, dot, last = field.rpartition(".")
    if last != RECORD:
        return [(field, new_value)]
    try:
        values = json.loads(new_value or "")
    except ValueError:
        return []
    if not isinstance(values, dict):
        return []
    prefix = f"{head}." if dot else ""
    return [
        (f"{prefix}{name}", value)
        for name, value in values.items()
        if value is None or isinstance(value, str)
    ]


def entries_of(row: AuditRow) -> list[AuditEntry]:
    """A trail row as the screens read it: one entry per field it records."""
    return [
        AuditEntry(
            row.seq,
            row.at,
            row.actor,
            row.action,
            row.entity,
            row.entity_id,
            field,
            row.old_value,
            value,
            row.reason,
        )
        for field, value in fields_of(row.field, row.new_value)
    ]


def chain_hash(values: Sequence[object], prev_hash: str) -> str:
    """The hash of a row given its HASHED_COLUMNS values in order, and its predecessor's."""
    content = list(values)
    content[1] = encode(content[1])
    content.append(prev_hash)
    return hashlib.sha256(_CHAIN_JSON.encode(content).encode("utf-8")).hexdigest()


def row_hash(row: dict[str, object], prev_hash: str) -> str:
    return chain_hash([row[column] for column in HASHED_COLUMNS], prev_hash)


def table_of(model: Base | type[Base]) -> Table:
    """The table a model (or one of its rows) is stored in: every model here maps a Table."""
    return cast(Table, model.__table__)


def _entity_id(obj: Base) -> int | None:
    table = table_of(obj)
    pk = list(table.primary_key.columns)
    value = getattr(obj, pk[0].key) if len(pk) == 1 else None
    return value if isinstance(value, int) else None


def _field(obj: Base, column: str) -> str:
    """The field name; rows keyed by text (clinic settings) carry their key in it."""
    if _entity_id(obj) is not None:
        return column
    pk = next(iter(table_of(obj).primary_key.columns)).key
    return f"{getattr(obj, pk)}.{column}"


_Change = tuple[str, Base, str, object, object]
_Entry = tuple[str, str, int | None, str, object, object]


def _changes(tx: Session) -> list[_Change]:
    """(action, obj, field, old, new) for every audited change in this flush."""
    out: list[_Change] = []
    for obj in tx.new:
        if _audited(obj):
            out.append(("create", obj, "", None, None))  # values read after the flush
    for obj in tx.dirty:
        table = getattr(obj, "__table__", None)
        if table is None or table.name not in AUDITED_TABLES:
            continue
        state = inspect(obj)
        for column in table.columns:
            if (table.name, column.key) in UNAUDITED_FIELDS:
                continue
            history = state.attrs[column.key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if encode(old) != encode(new):
                out.append(("update", obj, column.key, old, new))
    return out


def install(session_class: type[Session] | object) -> None:
    """Attach the audit listeners to a sessionmaker (or Session class)."""

    @event.listens_for(session_class, "before_flush")
    def _refuse(tx: Session, _ctx: UOWTransaction, _instances: object) -> None:
        for obj in tx.deleted:
            table = getattr(obj, "__table__", None)
            if table is not None and table.name in AUDITED_TABLES:
                raise DomainError("Records are never deleted: void or correct them with a reason")
        pending = [o for o in list(tx.new) + list(tx.dirty) if _audited(o)]
        if pending and not isinstance(tx.info.get("audit"), AuditContext):
            raise DomainError("An acting user is required for every change")
        if pending and not tx.info.get(CHAIN_LOCKED):
            lock_chain(tx.connection())  # before this flush's rows take their own locks
            tx.info[CHAIN_LOCKED] = True
        # New rows get their ids during the flush; changes are collected before it.
        tx.info["audit_pending"] = _changes(tx)

    @event.listens_for(session_class, "after_flush")
    def _record(tx: Session, _ctx: UOWTransaction) -> None:
        changes: list[_Change] = tx.info.pop("audit_pending", [])
        if not changes:
            return
        touched = tx.info.get(CHANGED_ROWS)
        if touched is not None:
            touched.extend(_touched(obj) for _action, obj, *_rest in changes)
        context: AuditContext = tx.info["audit"]
        entries: list[_Entry] = []
        for action, obj, field, old, new in changes:
            table = table_of(obj)
            if action == "create":  # ids and defaults exist only now
                entries.extend(creation_entries(obj))
            else:
                entries.append((action, table.name, _entity_id(obj), _field(obj, field), old, new))
        written = write_entries(tx.connection(), context, entries)
        tx.info.setdefault(WRITTEN_ROWS, []).extend(written)


def creation_entries(obj: Base) -> list[_Entry]:
    """A new record's entry: one, holding each audited field as the trail keeps it
    (secrets as digests), under RECORD ("<key>.*" for a text-keyed row)."""
    table = table_of(obj)
    values = {
        c.key: (secret_digest if (table.name, c.key) in SECRET_FIELDS else encode)(
            getattr(obj, c.key)
        )
        for c in table.columns
        if (table.name, c.key) not in UNAUDITED_FIELDS
    }
    entity_id = _entity_id(obj)
    field = RECORD if entity_id is not None else _field(obj, RECORD)
    return [("create", table.name, entity_id, field, None, record_value(values))]


def _touched(obj: object) -> tuple[str, int | None, int | None]:
    """(table, infusion session id, patient id) of a flushed row (ids exist after flush)."""
    table = obj.__table__.name  # type: ignore[attr-defined]
    if table == "infusion_session":
        return table, getattr(obj, "id", None), getattr(obj, "patient_id", None)
    if table == "patient":
        return table, None, getattr(obj, "id", None)
    return table, getattr(obj, "session_id", None), getattr(obj, "patient_id", None)


def change_of(touched: list[tuple[str, int | None, int | None]], actor: str) -> Change:
    """The Change a committed unit of work made, from the rows it flushed."""
    return Change(
        frozenset(s for _t, s, _p in touched if isinstance(s, int)),
        frozenset(TABLE_KINDS[t] for t, _s, _p in touched if t in TABLE_KINDS),
        frozenset(p for _t, _s, p in touched if isinstance(p, int)),
        actor,
    )


def _audited(obj: object) -> bool:
    table = getattr(obj, "__table__", None)
    return table is not None and table.name in AUDITED_TABLES


def lock_chain(connection: Connection) -> None:
    """Workstations append to the chain one at a time, until their commit (SQLite's BEGIN
    IMMEDIATE already serialises writers). On PostgreSQL the lock is taken before a unit
    of work's first audited row is flushed, so every writer takes it before the row locks
    its inserts and updates take: two writers never hold one each and wait for the other
    (a new course's flush used to take it before a check-in to the same chair did)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_ID})")


def write_entries(
    connection: Connection,
    context: AuditContext,
    entries: list[_Entry],
) -> list[tuple[int, str]]:
    """Append (action, entity, entity_id, field, old, new) entries to the chain; returns
    the (seq, row_hash) of each row written."""
    lock_chain(connection)
    last = connection.execute(
        select(AuditRow.seq, AuditRow.row_hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    rows = []
    for action, entity, entity_id, field, old, new in entries:
        seq += 1
        secret = is_secret(entity, field)
        row = {
            "seq": seq,
            "at": context.at,
            "actor": context.actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "field": field,
            "old_value": secret_digest(old) if secret else encode(old),
            "new_value": secret_digest(new) if secret else encode(new),
            "reason": context.reason,
        }
        row["prev_hash"] = prev
        row["row_hash"] = prev = row_hash(row, prev)
        rows.append(row)
    connection.execute(insert(table_of(AuditRow)), rows)
    return [(cast(int, r["seq"]), cast(str, r["row_hash"])) for r in rows]


def audited_models() -> list[type[Base]]:
    return [
        m.class_ for m in Base.registry.mappers if cast(Table, m.local_table).name in AUDITED_TABLES
    ]


@dataclass(frozen=True)
class Problem:
    """One finding of verification: a failure, or a warning (something not checkable)."""

    seq: int | None
    text: str
    warning: bool = False
