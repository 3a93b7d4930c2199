"""The demo clinic's staff accounts (one password for all: DEMO_PASSWORD)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.demo.data import DEMO_PASSWORD, DEMO_USERS
from ketamon.services.keys import KdfParams
from ketamon.services.passwords import hash_password
from ketamon.services.users import give_key
from ketamon.storage.models import UserRow


def ensure_demo_staff(tx: Session, now: datetime, by: str, kdf: KdfParams) -> None:
    """Create the demo accounts that do not exist yet (one password hash for all), each
    with its own signing key sealed under the demo password."""
    existing = set(tx.scalars(select(UserRow.username)))
    password_hash = hash_password(DEMO_PASSWORD)
    for username, full_name, credentials, roles in DEMO_USERS:
        if username not in existing:
            row = UserRow(
                username=username,
                full_name=full_name,
                credentials=credentials,
                roles=roles,
                password_hash=password_hash,
                active=True,
                failed_sign_ins=0,
                locked_until=None,
                created_at=now,
                created_by=by,
                must_change_password=False,
            )
            tx.add(row)
            give_key(tx, row, DEMO_PASSWORD, kdf, now)
    tx.flush()
