"""patient safety: allergy status and SpO2 scale 2 on the patient, a physician's decision
on a severe side effect left unresolved, an allergy override on a medication given

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 00:10:00.000000
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
REASON = "column added by the upgrade (patient safety: allergies, SpO2 scale 2, decisions)"
ADDED = {
    "patient": ("no_known_allergies", "spo2_scale2"),
    "side_effect": ("physician_decision", "physician_decision_by", "physician_decision_at"),
    "medication_given": ("allergy_override_reason",),
}


# Plain ADD COLUMNs, not batch copies: on SQLite a batch rebuild would drop the
# signed-session lock triggers of 0006 on side_effect and medication_given.
def upgrade() -> None:
    op.add_column(
        "patient",
        sa.Column("no_known_allergies", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "patient",
        sa.Column("spo2_scale2", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "side_effect",
        sa.Column("physician_decision", sa.Text(), server_default="", nullable=False),
    )
    op.add_column(
        "side_effect",
        sa.Column("physician_decision_by", sa.String(length=64), nullable=True),
    )
    op.add_column(
        "side_effect",
        sa.Column("physician_decision_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "medication_given",
        sa.Column("allergy_override_reason", sa.Text(), server_default="", nullable=False),
    )
    _baseline(ADDED)  # so verify still compares every row's fields


def _encode(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _row_hash(row: dict[str, object], prev_hash: str) -> str:
    content = [
        row["seq"],
        _encode(row["at"]),
        row["actor"],
        row["action"],
        row["entity"],
        row["entity_id"],
        row["field"],
        row["old_value"],
        row["new_value"],
        row["reason"],
        prev_hash,
    ]
    payload = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _baseline(columns: dict[str, tuple[str, ...]]) -> None:
    """Existing rows get one audit entry per new column (its value after the upgrade), so
    verification still tells later changes made behind the application's back."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("SELECT pg_advisory_xact_lock(1264940129)")  # the chain's lock
    entries = []
    for name, new in columns.items():
        kinds = {"no_known_allergies": sa.Boolean(), "spo2_scale2": sa.Boolean()}
        table = sa.table(
            name, sa.column("id", sa.Integer), *(sa.column(c, kinds.get(c)) for c in new)
        )
        for row in bind.execute(sa.select(table).order_by(table.c.id)):
            values = row._mapping
            entries.extend((name, values["id"], c, values[c]) for c in new)
    if not entries:
        return
    audit = sa.table(
        "audit_log",
        *(
            sa.column(c)
            for c in (
                "seq",
                "actor",
                "action",
                "entity",
                "entity_id",
                "field",
                "old_value",
                "new_value",
                "reason",
                "prev_hash",
                "row_hash",
            )
        ),  # fmt: skip
        sa.column("at", sa.DateTime(timezone=True)),
    )
    last = bind.execute(
        sa.select(audit.c.seq, audit.c.row_hash).order_by(audit.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0], last[1]) if last else (0, "0" * 64)
    at = datetime.now(UTC).replace(microsecond=0)
    stored_at = at.replace(tzinfo=None) if bind.dialect.name == "sqlite" else at
    rows = []
    for entity, entity_id, field, value in entries:
        seq += 1
        row = {
            "seq": seq,
            "at": at,
            "actor": f"(migration {revision})",
            "action": "baseline",
            "entity": entity,
            "entity_id": entity_id,
            "field": field,
            "old_value": None,
            "new_value": _encode(value),
            "reason": REASON,
            "prev_hash": prev,
        }
        row["row_hash"] = prev = _row_hash(row, prev)
        rows.append(row | {"at": stored_at})
    bind.execute(sa.insert(audit), rows)


def downgrade() -> None:
    for table, columns in ADDED.items():
        for column in reversed(columns):
            op.drop_column(table, column)
