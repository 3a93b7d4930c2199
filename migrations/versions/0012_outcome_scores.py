"""outcome scores: PHQ-9, GAD-7, PCL-5 and pain answered item by item before an infusion
or at a follow-up visit, with the clinician's review of a positive PHQ-9 item 9; never
deleted, and locked with the session once it is signed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "outcome_score"
LOCKED = "KetaMon: this session is signed and locked; add an addendum instead"


def upgrade() -> None:
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
