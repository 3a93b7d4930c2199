"""record versions: a `version` counter on every record a user edits from a view (the
discharge checklist, the patient, the dose record, a side effect, clinic settings, user
accounts, chairs), so a save from a screen loaded before another workstation's change is
refused instead of silently writing over it; existing rows start at 1

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = (
    "discharge_record",
    "patient",
    "dose_record",
    "side_effect",
    "clinic_setting",
    "app_user",
    "chair",
)


# Plain ADD COLUMNs, not batch copies: on SQLite a batch rebuild would drop the
# signed-session lock triggers of 0006. The counter is kept out of the audit trail (a
# technical value, like a lockout count), so no baseline entries are written.
def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    for table in reversed(VERSIONED):
        op.drop_column(table, "version")
