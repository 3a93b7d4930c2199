"""MRNs unique whatever their case: "km-1" and "KM-1" are one patient, on SQLite and on
PostgreSQL alike (two workstations registering at once both passed the service's check)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_patient_mrn_casefold"


def upgrade() -> None:
    clashes = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT lower(mrn) FROM patient GROUP BY lower(mrn) HAVING count(*) > 1 "
                "ORDER BY lower(mrn)"
            )
        )
        .scalars()
        .all()
    )
    if clashes:
        # Nothing is merged silently: the clinic decides which record is the patient's.
        raise RuntimeError(
            "Cannot make MRNs unique whatever their case: these MRNs are registered more "
            f"than once in different cases: {', '.join(clashes)}. Nothing was changed; "
            "correct the duplicates, then upgrade again."
        )
    # A plain CREATE INDEX (no batch rebuild: that would drop the lock triggers of 0006).
    op.create_index(INDEX, "patient", [sa.text("lower(mrn)")], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="patient")
