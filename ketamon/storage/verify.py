"""Verification of the audit trail against itself and against every audited record.

Finds: an audit row changed, inserted or removed (the chain breaks there); a record
changed, inserted or deleted behind the application's back, in integer-keyed and
text-keyed tables alike; a secret (a password hash) replaced, through the digest the trail
keeps of it. What the chain alone cannot show (its newest rows removed, or the whole chain
recomputed) is for the anchors (storage/anchors.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.storage.audit import (
    GENESIS,
    SECRET_MARK,
    UNAUDITED_FIELDS,
    Problem,
    audited_models,
    encode,
    is_secret,
    row_hash,
    secret_digest,
    table_of,
)
from ketamon.storage.models import AuditRow

# Trail actions that bring a record into existence (or record it as existing).
_EXISTENCE = ("create", "baseline")
# How a secret column is named to a reader; any other secret is named by its column.
SECRET_LABELS = {"password_hash": "password"}

Key = int | str  # a record's primary key: an id, or a text key (clinic settings)


@dataclass
class _Trail:
    """What the trail says: each field's latest value, and where each record was created."""

    latest: dict[tuple[str, Key, str], str | None] = field(default_factory=dict)
    created: dict[tuple[str, Key], int] = field(default_factory=dict)


def _trail_key(row: dict) -> tuple[Key, str] | None:
    """(record key, column) of a trail row, or None for rows about no field (sign-ins)."""
    if not row["field"]:
        return None
    if row["entity_id"] is not None:
        return row["entity_id"], row["field"]
    key, dot, column = row["field"].rpartition(".")
    return (key, column) if dot else None


def _walk_chain(tx: Session, problems: list[Problem]) -> _Trail:
    trail = _Trail()
    prev, expected_seq = GENESIS, 1
    columns = [c.key for c in AuditRow.__table__.columns]
    for record in tx.execute(select(AuditRow.__table__).order_by(AuditRow.seq)):
        row = dict(zip(columns, record, strict=True))
        if row["seq"] != expected_seq:
            missing = (
                f"audit row {expected_seq} is missing"
                if row["seq"] == expected_seq + 1
                else f"audit rows {expected_seq}-{row['seq'] - 1} are missing"
            )
            problems.append(Problem(row["seq"], missing))
        if row["prev_hash"] != prev or row_hash(row, prev) != row["row_hash"]:
            problems.append(Problem(row["seq"], f"audit row {row['seq']} was altered"))
        prev, expected_seq = row["row_hash"], row["seq"] + 1
        keyed = _trail_key(row)
        if keyed is None:
            continue
        key, column = keyed
        trail.latest[(row["entity"], key, column)] = row["new_value"]
        if row["action"] in _EXISTENCE:
            trail.created.setdefault((row["entity"], key), row["seq"])
    return trail


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


def _compare_records(tx: Session, trail: _Trail, problems: list[Problem]) -> None:
    for model in audited_models():
        table = table_of(model)
        pk = next(iter(table.primary_key.columns))
        present: set[Key] = set()
        for record in tx.execute(select(table).order_by(pk)):
            values = dict(record._mapping)
            key = values[pk.key]
            present.add(key)
            for column in table.columns:
                if (table.name, column.key) in UNAUDITED_FIELDS:
                    continue
                audit_key = (table.name, key, column.key)
                if audit_key not in trail.latest:
                    problems.append(
                        Problem(
                            None, f"{table.name} {key} has no audit trail (written outside KetaMon)"
                        )
                    )
                    break
                said, value = trail.latest[audit_key], values[column.key]
                if is_secret(table.name, column.key):
                    found = _compare_secret(table.name, key, column.key, said, value, values)
                    if found is not None:
                        problems.append(found)
                elif said != encode(value):
                    problems.append(
                        Problem(
                            None,
                            f"{table.name} {key} field {column.key} is {encode(value)!r} but the "
                            f"audit trail says {said!r} (changed outside KetaMon)",
                        )
                    )
        for (entity, key), seq in sorted(
            (item for item in trail.created.items() if item[0][0] == table.name),
            key=lambda item: item[1],
        ):
            if key not in present:
                problems.append(
                    Problem(
                        seq,
                        f"{entity} {key} was deleted (the audit trail created it in row {seq}; "
                        "records are never deleted)",
                    )
                )


def verify(tx: Session) -> list[Problem]:
    """Recompute the chain, then compare every audited record with what the trail says.

    Failures and warnings (Problem.warning: a secret set before digests were kept) in the
    order found: the chain first, then the records table by table.
    """
    problems: list[Problem] = []
    trail = _walk_chain(tx, problems)
    _compare_records(tx, trail, problems)
    return problems
