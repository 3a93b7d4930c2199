"""Verification of the audit trail against itself and against every audited record.

Finds: an audit row changed, inserted or removed (the chain breaks there); a record
changed, inserted or deleted behind the application's back, in integer-keyed and
text-keyed tables alike; a secret (a password hash) replaced, through the digest the trail
keeps of it. What the chain alone cannot show (its newest rows removed, or the whole chain
recomputed) is for the anchors (storage/anchors.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC

from sqlalchemy import Row, Select, String, Table, select, type_coerce
from sqlalchemy.orm import Session

from ketamon.storage.audit import (
    GENESIS,
    HASHED_COLUMNS,
    RECORD,
    SECRET_MARK,
    UNAUDITED_FIELDS,
    Problem,
    audited_models,
    chain_hash,
    encode,
    fields_of,
    is_secret,
    secret_digest,
    table_of,
)
from ketamon.storage.models import AuditRow
from ketamon.storage.types import UTCDateTime

# Trail actions that bring a record into existence (or record it as existing).
_EXISTENCE = ("create", "baseline")
# How a secret column is named to a reader; any other secret is named by its column.
SECRET_LABELS = {"password_hash": "password"}

Key = int | str  # a record's primary key: an id, or a text key (clinic settings)


# Rows fetched at a time: verify streams the trail and the records, so its memory stays flat
# however many years the clinic has (issue 19: 5.1 GB at ten years when held whole).
BATCH = 2000


def _streamed(tx: Session, statement: Select) -> Iterator[Row]:
    """Core rows on the transaction's own connection (one snapshot; no ORM row handling)."""
    result = tx.connection().execute(statement.execution_options(yield_per=BATCH))
    for batch in result.partitions():  # a batch at a time: no per-row fetch call
        yield from batch


def _walk_chain(tx: Session, problems: list[Problem], start: tuple[int, str] | None = None) -> None:
    """Each row's hash recomputed from its content and its predecessor's hash, in order;
    from the row after `start` (seq, its hash: an anchor's, checked by the caller) when
    given, else from the first."""
    prev, expected_seq = GENESIS, 1
    table = AuditRow.__table__
    hashed = [table.c[name] for name in HASHED_COLUMNS]
    statement = select(*hashed, table.c.prev_hash, table.c.row_hash).order_by(table.c.seq)
    if start is not None:
        expected_seq, prev = start[0] + 1, start[1]
        statement = statement.where(table.c.seq > start[0])
    for record in _streamed(tx, statement):
        seq, stored_prev, stored_hash = record[0], record[-2], record[-1]
        if seq != expected_seq:
            missing = (
                f"audit row {expected_seq} is missing"
                if seq == expected_seq + 1
                else f"audit rows {expected_seq}-{seq - 1} are missing"
            )
            problems.append(Problem(seq, missing))
        if stored_prev != prev or chain_hash(record[:-2], prev) != stored_hash:
            problems.append(Problem(seq, f"audit row {seq} was altered"))
        prev, expected_seq = stored_hash, seq + 1


@dataclass
class _Said:
    """What the trail says of one record: each field's latest value, and the first row
    that brought it into existence (None: the trail never created it)."""

    key: Key
    latest: dict[str, str | None] = field(default_factory=dict)
    created: int | None = None

    def add(self, column: str, value: str | None, action: str, seq: int) -> None:
        self.latest[column] = value
        if self.created is None and action in _EXISTENCE:
            self.created = seq


def _trail_of(table: Table) -> Select:
    return select(
        AuditRow.entity_id, AuditRow.field, AuditRow.new_value, AuditRow.action, AuditRow.seq
    ).where(AuditRow.entity == table.name, AuditRow.field.is_not(None), AuditRow.field != "")


def _said_by_id(tx: Session, table: Table) -> Iterator[_Said]:
    """An integer-keyed table's trail, one record at a time in key order (the index on
    entity, entity_id serves it), each record's rows in their order."""
    statement = (
        _trail_of(table)
        .where(AuditRow.entity_id.is_not(None))
        .order_by(AuditRow.entity_id, AuditRow.seq)
    )
    said: _Said | None = None
    latest: dict[str, str | None] = {}
    for entity_id, column, value, action, seq in _streamed(tx, statement):
        if said is None or said.key != entity_id:  # the next record's rows begin
            if said is not None:
                yield said
            said = _Said(entity_id)
            latest = said.latest
        if column == RECORD:  # a creation row holds every field of the record
            latest.update(fields_of(column, value))
        else:
            latest[column] = value  # _Said.add, inline: this loop sees every row of the trail
        if said.created is None and action in _EXISTENCE:
            said.created = seq
    if said is not None:
        yield said


def _said_by_text(tx: Session, table: Table) -> Iterator[_Said]:
    """A text-keyed table's trail (clinic settings: field "key.column"), in key order:
    these tables are small, so they are gathered whole."""
    found: dict[str, _Said] = {}
    statement = _trail_of(table).where(AuditRow.entity_id.is_(None)).order_by(AuditRow.seq)
    for _entity_id, named_row, row_value, action, seq in _streamed(tx, statement):
        for named, value in fields_of(named_row, row_value):
            key, dot, column = named.rpartition(".")
            if dot:
                found.setdefault(key, _Said(key)).add(column, value, action, seq)
    yield from sorted(found.values(), key=lambda said: said.key)


def _name(table: str, key: Key, values: dict) -> str:
    if table == "app_user" and values.get("username"):
        return f"{values['username']} (app_user {key})"
    return f"{table} {key}"


def _compare_secret(
    table: str, key: Key, column: str, said: str | None, value: object, values: dict
) -> Problem | None:
    label = SECRET_LABELS.get(column, column)
    if said == SECRET_MARK:
        return Problem(
            None,
            f"{label} of {_name(table, key, values)} set before digests were kept: not checked"
            " (its next change brings it under the check)",
            warning=True,
        )
    if said != secret_digest(value):
        return Problem(
            None,
            f"{label} of {_name(table, key, values)} does not match the digest in the audit "
            "trail (changed outside KetaMon)",
        )
    return None


# SQLite keeps a time as the text SQLAlchemy wrote, and orders and compares it as text: a
# time rewritten in another spelling ('2026-03-02T14:00:00') reads back as the same instant
# but sorts apart from its neighbours (the baseline set counted as the latest). The stored
# text is checked against the one form KetaMon writes.
SQLITE_TIME_FORM = "%Y-%m-%d %H:%M:%S.%f"
_STORED = "stored text of "


def _stored_text_columns(tx: Session, table: Table) -> list:
    """On SQLite, each time column's stored text, as written (labelled _STORED + name)."""
    if tx.get_bind().dialect.name != "sqlite":
        return []
    return [
        type_coerce(c, String).label(_STORED + c.key)
        for c in table.columns
        if isinstance(c.type, UTCDateTime)
    ]


def _time_spelling(table: Table, key: Key, values: dict) -> Iterator[Problem]:
    for label, stored in values.items():
        if not label.startswith(_STORED) or stored is None:
            continue
        column = label.removeprefix(_STORED)
        written = values[column].astimezone(UTC).strftime(SQLITE_TIME_FORM)
        if stored != written:
            yield Problem(
                None,
                f"{table.name} {key} field {column} is stored as {stored!r}, not as KetaMon "
                f"writes it ({written!r}): changed outside KetaMon (it sorts out of order)",
            )


def _compare_record(
    table: Table, key: Key, values: dict, said: dict[str, str | None], problems: list[Problem]
) -> None:
    for column in table.columns:
        if (table.name, column.key) in UNAUDITED_FIELDS:
            continue
        if column.key not in said:
            problems.append(
                Problem(None, f"{table.name} {key} has no audit trail (written outside KetaMon)")
            )
            return
        claimed, value = said[column.key], values[column.key]
        if is_secret(table.name, column.key):
            found = _compare_secret(table.name, key, column.key, claimed, value, values)
            if found is not None:
                problems.append(found)
        elif claimed != encode(value):
            problems.append(
                Problem(
                    None,
                    f"{table.name} {key} field {column.key} is {encode(value)!r} but the "
                    f"audit trail says {claimed!r} (changed outside KetaMon)",
                )
            )
    problems.extend(_time_spelling(table, key, values))


def _compare_table(tx: Session, table: Table, problems: list[Problem]) -> None:
    """A merge of two streams in key order: the table's records and what the trail says of
    each. A record the trail does not know was written outside KetaMon; a record the trail
    created that is not there was deleted."""
    pk = next(iter(table.primary_key.columns))
    by_id = pk.type.python_type is int
    everything = select(table, *_stored_text_columns(tx, table)).order_by(pk)
    records = (dict(r._mapping) for r in _streamed(tx, everything))
    trail = _said_by_id(tx, table) if by_id else _said_by_text(tx, table)
    deleted: list[Problem] = []
    record, said = next(records, None), next(trail, None)
    while record is not None or said is not None:
        if record is not None and (said is None or record[pk.key] < said.key):
            _compare_record(table, record[pk.key], record, {}, problems)
            record = next(records, None)
        elif said is not None and (record is None or said.key < record[pk.key]):
            if said.created is not None:
                deleted.append(
                    Problem(
                        said.created,
                        f"{table.name} {said.key} was deleted (the audit trail created it in "
                        f"row {said.created}; records are never deleted)",
                    )
                )
            said = next(trail, None)
        else:
            assert record is not None and said is not None  # the same key on both sides
            _compare_record(table, said.key, record, said.latest, problems)
            record, said = next(records, None), next(trail, None)
    problems += sorted(deleted, key=lambda problem: problem.seq or 0)


def verify(tx: Session, chain_from: tuple[int, str] | None = None) -> list[Problem]:
    """Recompute the chain, then compare every audited record with what the trail says.
    `chain_from` (seq, hash of a row an anchor holds): the chain from the row after it
    only (`ketamon audit verify --since-last-anchor`); the records are compared whole.

    Failures and warnings (Problem.warning: a secret set before digests were kept) in the
    order found: the chain first, then the records table by table.
    """
    problems: list[Problem] = []
    _walk_chain(tx, problems, chain_from)
    for model in audited_models():
        _compare_table(tx, table_of(model), problems)
    return problems
