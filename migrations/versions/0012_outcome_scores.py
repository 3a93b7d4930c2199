"""the course across visits: outcome scores (PHQ-9, GAD-7, PCL-5 and pain answered item by
item before an infusion or at a follow-up visit, with the clinician's review of a positive
PHQ-9 item 9; never deleted, locked with the session once it is signed); each patient's
course plan (series length, maintenance interval; empty: the clinic's); a course closed
with a reason

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 22:00:00.000000
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "outcome_score"
REASON = "column added by the upgrade (the course: a patient's plan, a course closed)"
ADDED = {
    "patient": ("plan_series_length", "plan_interval_min_days", "plan_interval_max_days"),
    "course": ("ended_at", "end_kind", "end_reason", "ended_by"),
}
LOCKED = "KetaMon: this session is signed and locked; add an addendum instead"


def upgrade() -> None:
    # Plain ADD COLUMNs (a batch rebuild would drop the triggers of 0002-0006).
    for column in ADDED["patient"]:
        op.add_column("patient", sa.Column(column, sa.Integer(), nullable=True))
    op.add_column("course", sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("course", sa.Column("end_kind", sa.String(length=16), nullable=True))
    op.add_column("course", sa.Column("end_reason", sa.Text(), server_default="", nullable=False))
    op.add_column("course", sa.Column("ended_by", sa.String(length=64), nullable=True))
    _baseline(ADDED)  # so verify still compares every row's fields
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.String(length=64), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("self_completed", sa.Boolean(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("review_decision", sa.String(length=16), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("review_cssrs", sa.String(length=200), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "instrument IN ('PHQ-9', 'GAD-7', 'PCL-5', 'Pain NRS')",
            name=op.f("ck_outcome_score_instrument"),
        ),
        sa.CheckConstraint("total >= 0", name=op.f("ck_outcome_score_total")),
        sa.CheckConstraint(
            "status IN ('current', 'corrected', 'voided')", name=op.f("ck_outcome_score_status")
        ),
        sa.CheckConstraint(
            "review_decision IS NULL OR review_decision IN ('proceed', 'delay', 'escalate')",
            name=op.f("ck_outcome_score_review_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_outcome_score_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_outcome_score_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["infusion_session.id"],
            name=op.f("fk_outcome_score_session_id_infusion_session"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["outcome_score.id"],
            name=op.f("fk_outcome_score_corrects_id_outcome_score"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_score")),
    )
    op.create_index("ix_outcome_score_session_id", TABLE, ["session_id"], unique=False)
    op.create_index(
        "ix_outcome_score_patient_taken", TABLE, ["patient_id", "taken_at"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        # The functions of 0002 (refuse) and 0006 (refuse once the session is signed).
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ketamon_refuse()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_signed_lock BEFORE INSERT OR UPDATE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ketamon_refuse_signed()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} BEGIN "
            f"SELECT RAISE(ABORT, 'KetaMon: {TABLE} rows are never deleted'); END"
        )
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD")):
            op.execute(
                f"CREATE TRIGGER {TABLE}_signed_lock_{event.lower()} BEFORE {event} ON {TABLE} "
                f"WHEN (SELECT review_status FROM infusion_session WHERE id = {row}.session_id)"
                f" = 'signed' BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END"
            )


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
        table = sa.table(name, sa.column("id", sa.Integer), *(sa.column(c) for c in new))
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
    pg = op.get_bind().dialect.name == "postgresql"
    names = [f"{TABLE}_no_delete"]
    names += (
        [f"{TABLE}_signed_lock"]
        if pg
        else [f"{TABLE}_signed_lock_{e}" for e in ("insert", "update")]
    )
    for name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {TABLE}" if pg else ""))
    op.drop_index("ix_outcome_score_patient_taken", table_name=TABLE)
    op.drop_index("ix_outcome_score_session_id", table_name=TABLE)
    op.drop_table(TABLE)
    for table, columns in ADDED.items():
        for column in reversed(columns):
            op.drop_column(table, column)
