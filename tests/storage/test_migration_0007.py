"""Migration 0007 on a database that already has a user, a signed session and an addendum:
the trail still verifies (the new columns get baselines), the triggers of earlier
revisions survive, the old signature is checked by its content hash, and every existing
user must choose a new password (which makes their key) before signing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ketamon.domain.review import content_hash
from ketamon.services.signatures import ADDED_AFTER_HASH_SIGNATURES, session_content
from ketamon.storage import migrate
from ketamon.storage.audit import AuditContext, write_entries
from ketamon.storage.database import Database
from ketamon.storage.types import UTCDateTime
from tests.conftest import open_clinic

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROWS_AT_0001 = (
    "INSERT INTO chair (name, position, created_at, created_by) "
    "VALUES ('Chair 1', 1, '2026-01-05 09:00:00.000000', 'root');"
    "INSERT INTO patient (mrn, full_name, date_of_birth, weight_kg, allergies, created_at,"
    " created_by) VALUES ('KM-1', 'Old Record', '1970-02-03', 81.5, '',"
    " '2026-01-05 09:01:00.000000', 'root');"
    "INSERT INTO course (patient_id, kind, planned_sessions, started_at)"
    " VALUES (1, 'initial', 6, '2026-01-05 09:02:00.000000');"
    "INSERT INTO infusion_session (patient_id, chair_id, course_id, number_in_course,"
    " target_minutes, phase, checked_in_at) VALUES (1, 1, 1, 1, 40, 'cancelled',"
    " '2026-01-05 09:03:00.000000');"
    "INSERT INTO session_event (session_id, seq, kind, at, actor, reason, recorded_at)"
    " VALUES (1, 1, 'check_in', '2026-01-05 09:03:00.000000', 'root', '',"
    " '2026-01-05 09:03:00.000000');"
)

pytestmark = pytest.mark.both_backends


def _insert(conn, name: str, values: dict, entries: list) -> None:
    """A row written as KetaMon 0006 would: the row and one 'create' entry per field."""
    kinds = {k: UTCDateTime() for k, v in values.items() if isinstance(v, datetime)}
    table = sa.table(name, *(sa.column(k, kinds.get(k)) for k in values))
    conn.execute(sa.insert(table).values(**values))
    entries.extend(("create", name, values["id"], k, None, v) for k, v in values.items())


def _signed_0006_database(db_url: str) -> None:
    db = Database(db_url)
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001")
    raw = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    raw.executescript(ROWS_AT_0001)
    raw.commit()
    raw.close()
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0006")
    with db.engine.begin() as conn:
        entries: list = []
        _insert(
            conn,
            "app_user",
            dict(
                id=1,
                username="dr.old",
                full_name="Old Doctor",
                credentials="MD",
                roles="physician",
                password_hash="x",
                active=True,
                failed_sign_ins=0,
                locked_until=None,
                created_at=AT,
                created_by="root",
            ),  # fmt: skip
            entries,
        )
        digest = content_hash(
            session_content(Session(bind=conn), 1, without=ADDED_AFTER_HASH_SIGNATURES)
        )
        _insert(
            conn,
            "signature",
            dict(
                id=1,
                session_id=1,
                signer="dr.old",
                printed_name="Old Doctor",
                credentials="MD",
                meaning="Reviewed",
                comment="",
                signed_at=AT,
                content_hash=digest,
            ),  # fmt: skip
            entries,
        )
        _insert(
            conn,
            "addendum",
            dict(id=1, session_id=1, author="dr.old", at=AT, reason="Late", text="Called"),
            entries,
        )
        conn.exec_driver_sql("UPDATE infusion_session SET review_status = 'signed'")
        entries.append(
            ("update", "infusion_session", 1, "review_status", "awaiting_review", "signed")
        )
        write_entries(conn, AuditContext("dr.old", AT), entries)
    db.dispose()


@pytest.mark.sqlite_only("builds the old file with sqlite3")
def test_an_0006_database_with_a_signed_session_upgrades_and_still_verifies(db_url, clock):
    _signed_0006_database(db_url)
    clinic = open_clinic(db_url, clock)  # runs 0007
    try:
        assert clinic.audit.verify() == []
        signature = clinic.review.signature(1)
        assert signature.valid
        assert signature.verdict == (
            "Signed before digital signatures: checked against its content hash only"
        )
        (addendum,) = clinic.review.addenda(1)
        # Addenda are append-only: an old one keeps no printed name, and shows its author's.
        assert addendum.valid and addendum.author_name == "Old Doctor, MD"
        assert clinic.review.check_signatures() == []
        (user,) = [u for u in clinic.users.all() if u.username == "dr.old"]
        assert user.must_change_password  # chooses a new password, and gets a key, first
        with clinic.db.engine.connect() as conn:
            triggers = set(
                conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                .scalars()
                .all()
            )
        assert {
            "signature_no_update",
            "addendum_no_update",
            "app_user_no_delete",
            "vitals_set_signed_lock_update",
            "user_key_no_delete",
            "user_key_fixed",
        } <= triggers
    finally:
        clinic.close()
    raw = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    raw.execute("DROP TRIGGER session_event_signed_lock_update")
    raw.execute("UPDATE session_event SET reason = 'edited' WHERE id = 1")
    raw.commit()
    raw.close()
    clinic = open_clinic(db_url, clock)
    try:
        assert clinic.review.signature(1).problem == "the record changed after signing"
    finally:
        clinic.close()


def test_the_public_key_and_owner_of_a_key_never_change_and_keys_are_never_deleted(clinic):
    """Through the app's own connection, on either backend (the database's triggers)."""
    with clinic.db.engine.connect() as conn:
        key_id = conn.scalar(text("SELECT id FROM user_key WHERE username = 'nurse.jo'"))
    for statement in (
        "UPDATE user_key SET public_key = 'ab' WHERE id = :id",
        "UPDATE user_key SET username = 'someone' WHERE id = :id",
        "DELETE FROM user_key WHERE id = :id",
    ):
        with clinic.db.engine.connect() as conn, pytest.raises(DBAPIError, match="KetaMon"):
            conn.execute(text(statement), {"id": key_id})
    # Re-sealing (a password change) updates the sealed key in place.
    with clinic.db.engine.begin() as conn:
        conn.execute(text("UPDATE user_key SET kdf_salt = kdf_salt WHERE id = :id"), {"id": key_id})
