"""no record replaced in place: on SQLite, no INSERT OR REPLACE over a protected record
(SQLite resolves a REPLACE conflict
by deleting the row in the way without firing its delete trigger (unless the connection
turned recursive_triggers on)), so `INSERT OR REPLACE` rewrote a never-deleted record past
the protections (found by an attack battery; verify still reported it). A BEFORE INSERT
trigger on each protected table now refuses an insert whose key, or any unique value, is
already taken. PostgreSQL has no REPLACE: its ON CONFLICT DO UPDATE fires the update
triggers, so nothing changes there.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 11:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each protected table's keys as of this revision: the primary key and every unique
# constraint or index (a NULL never conflicts, as in the index itself).
UNIQUE_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "audit_log": (("seq",),),
    "app_user": (("id",), ("username",)),
    "chair": (("id",),),
    "patient": (("id",), ("mrn",), ("lower(mrn)",)),
    "course": (("id",),),
    "infusion_session": (("id",), ("active_chair_id",), ("active_patient_id",)),
    "session_event": (("id",), ("session_id", "seq")),
    "vitals_set": (("id",),),
    "side_effect": (("id",),),
    "medication_given": (("id",),),
    "dose_record": (("session_id",),),
    "discharge_record": (("session_id",),),
    "outcome_score": (("id",),),
    "signature": (("id",), ("session_id",)),
    "addendum": (("id",),),
    "user_key": (("id",), ("public_key",)),
}


def _new(term: str) -> str:
    """The same term over the inserted row: mrn -> NEW.mrn, lower(mrn) -> lower(NEW.mrn)."""
    if term.endswith(")"):
        function, _, column = term[:-1].partition("(")
        return f"{function}(NEW.{column})"
    return f"NEW.{term}"


def _taken(table: str, keys: tuple[tuple[str, ...], ...]) -> str:
    each = [
        " AND ".join(f"{term} = {_new(term)}" for term in key) for key in keys
    ]  # fmt: skip
    return f"EXISTS (SELECT 1 FROM {table} WHERE " + " OR ".join(f"({c})" for c in each) + ")"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, keys in UNIQUE_KEYS.items():
        named = " or ".join("(" + ", ".join(key) + ")" for key in keys)
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN {_taken(table, keys)} "
            f"BEGIN SELECT RAISE(ABORT, 'KetaMon: {table} rows are never replaced: {named} "
            "already taken'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in UNIQUE_KEYS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
