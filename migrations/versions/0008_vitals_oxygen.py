"""vitals: supplemental oxygen when the set was taken (NEWS2: 2 points)

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 22:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A plain ADD COLUMN, not a batch copy: on SQLite a batch rebuild would drop the
# signed-session lock triggers of 0006 on vitals_set.
def upgrade() -> None:
    op.add_column(
        "vitals_set",
        sa.Column("oxygen", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("vitals_set", "oxygen")
