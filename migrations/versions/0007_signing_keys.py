"""digital signatures: signing keys per user, signature bytes on signatures and addenda

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:40:00

Self-contained: it imports nothing from the live application (the audit baseline below
carries its own copy of the chain's row hash, as the trail was defined at this revision).
Existing users have no key yet: each chooses a new password at the next sign-in, and the key
pair is made then (an administrator may have known the password they have now).
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNED = (
    ("key_id", sa.Integer()),
    ("key_fingerprint", sa.String(length=64)),
    ("signature", sa.String(length=128)),
    ("payload_version", sa.Integer()),
    ("chain_seq", sa.Integer()),
    ("chain_hash", sa.String(length=64)),
)
REASON = "column added by the upgrade (digital signatures)"


def upgrade() -> None:
    op.create_table(
        "user_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("sealed_private_key", sa.Text(), nullable=False),
        sa.Column("kdf_salt", sa.String(length=64), nullable=False),
        sa.Column("aead_nonce", sa.String(length=32), nullable=False),
        sa.Column("kdf_params", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["app_user.username"], name=op.f("fk_user_key_username_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_key")),
        sa.UniqueConstraint("public_key", name=op.f("uq_user_key_public_key")),
    )
    with op.batch_alter_table("user_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_key_username"), ["username"], unique=False)
    # Plain ADD COLUMN everywhere (no table rebuild), so the triggers of 0002 and 0006 stay.
    op.add_column("app_user", sa.Column("public_key", sa.String(length=64), nullable=True))
    op.add_column(
        "app_user",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    # key_id names a user_key row; verification checks it (no FOREIGN KEY: adding one
    # would rebuild the table on SQLite).
    for table in ("signature", "addendum"):
        if table == "addendum":
            op.add_column(
                table,
                sa.Column("printed_name", sa.String(length=200), server_default="", nullable=False),
            )
            op.add_column(
                table,
                sa.Column("credentials", sa.String(length=32), server_default="", nullable=False),
            )
        for name, kind in SIGNED:
            op.add_column(table, sa.Column(name, kind, nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE app_user SET must_change_password = :yes"), {"yes": True})
    _baseline(
        {
            "app_user": ("public_key", "must_change_password"),
            "signature": tuple(name for name, _ in SIGNED),
            "addendum": ("printed_name", "credentials") + tuple(name for name, _ in SIGNED),
        }
    )
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER user_key_no_delete BEFORE DELETE ON user_key "
            "FOR EACH ROW EXECUTE FUNCTION ketamon_refuse()"
        )
        op.execute(
            "CREATE TRIGGER user_key_fixed BEFORE UPDATE OF id, username, public_key, created_at "
            "ON user_key FOR EACH ROW EXECUTE FUNCTION ketamon_refuse()"
        )
    else:
        op.execute(
            "CREATE TRIGGER user_key_no_delete BEFORE DELETE ON user_key BEGIN "
            "SELECT RAISE(ABORT, 'KetaMon: user_key rows are never deleted'); END"
        )
        op.execute(
            "CREATE TRIGGER user_key_fixed BEFORE UPDATE OF id, username, public_key, created_at "
            "ON user_key BEGIN "
            "SELECT RAISE(ABORT, 'KetaMon: a public key and its owner never change'); END"
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
        kinds = {"must_change_password": sa.Boolean()}
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
    on = " ON user_key" if op.get_bind().dialect.name == "postgresql" else ""
    for name in ("user_key_no_delete", "user_key_fixed"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
    for table in ("addendum", "signature"):
        names = [name for name, _ in SIGNED]
        if table == "addendum":
            names += ["printed_name", "credentials"]
        for name in names:
            op.drop_column(table, name)
    op.drop_column("app_user", "must_change_password")  # plain DROP COLUMN: triggers stay
    op.drop_column("app_user", "public_key")
    with op.batch_alter_table("user_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_key_username"))
    op.drop_table("user_key")
