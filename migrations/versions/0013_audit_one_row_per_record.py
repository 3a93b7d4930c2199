"""the audit trail's compact form: a record's creation is one trail row holding every
field (field "*", its value a JSON object of each field's text), not one row per field;
the rows already written stay as they are and verify as before. No table changes: the
revision marks the new form, so a KetaMon older than this one refuses the file instead of
misreading new records as written outside it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 21:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change in the tables: every trail row keeps its columns and its hash."""


def downgrade() -> None:
    """Nothing to change either. Compact rows written since stay in the trail, and a
    KetaMon older than 0013 would misread them: the way back is the backup taken before
    the upgrade."""
