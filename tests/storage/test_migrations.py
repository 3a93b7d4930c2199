"""Alembic: one head, models equal to migrations, and a backup before any upgrade."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from ketamon.services.clinic import Clinic
from ketamon.storage import migrate
from ketamon.storage.database import StorageError
from ketamon.storage.models import Base
from tests.conftest import NURSE, draft, open_clinic

pytestmark = pytest.mark.both_backends


def _db_path(db_url: str) -> Path:
    return Path(db_url.removeprefix("sqlite:///"))


def _backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.stem}.backup-*{path.suffix}"))


def _diff(clinic: Clinic) -> list:
    with clinic.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_there_is_exactly_one_head_and_it_is_head_revision() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_heads() == [migrate.HEAD_REVISION]


def test_a_migrated_database_is_at_head_revision(clinic) -> None:
    assert migrate.current_revision(clinic.db) == (migrate.HEAD_REVISION, True)


def test_models_match_the_migrations(clinic) -> None:
    assert _diff(clinic) == []


def test_the_model_check_does_notice_a_difference(clinic) -> None:
    # The comparison above would catch drift: remove one index and it is reported.
    with clinic.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_patient_full_name")
    diff = _diff(clinic)
    assert [(d[0], d[1].name) for d in diff] == [("add_index", "ix_patient_full_name")]


@pytest.mark.sqlite_only("the pre-upgrade backup is a copy of the SQLite file")
def test_a_fresh_database_makes_no_backup(db_url: str, clock) -> None:
    path = _db_path(db_url)
    c = open_clinic(db_url, clock)
    try:
        assert c.backup is None
        assert path.is_file()
        assert _backups(path) == []
    finally:
        c.close()


def test_reopening_an_up_to_date_database_makes_no_backup(clinic, db_url: str, clock) -> None:
    clinic.close()
    clock.advance(hours=1)
    again = open_clinic(db_url, clock)
    try:
        assert again.backup is None
        assert _backups(_db_path(db_url)) == []
    finally:
        again.close()


REAL_HEAD = migrate.HEAD_REVISION  # before a test pretends a later release

NEXT_REVISION = '''"""a later schema change

Revision ID: 9999
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("upgrade_probe", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("upgrade_probe")
'''


@pytest.fixture
def next_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A KetaMon 'release' one migration ahead of this one: the real scripts plus 9999."""
    scripts = tmp_path / "next-release-migrations"
    shutil.copytree(
        migrate.migrations_location(), scripts, ignore=shutil.ignore_patterns("__pycache__")
    )
    (scripts / "versions" / "9999_later_change.py").write_text(
        NEXT_REVISION.replace("{head}", REAL_HEAD)
    )
    monkeypatch.setattr(migrate, "migrations_location", lambda: str(scripts))
    monkeypatch.setattr(migrate, "HEAD_REVISION", "9999")
    return "9999"


@pytest.mark.sqlite_only("the pre-upgrade backup is a copy of the SQLite file")
def test_upgrading_an_older_file_backs_it_up_first(
    clinic,
    db_url: str,
    clock,
    next_release: str,
) -> None:
    path = _db_path(db_url)
    clinic.patients.register(NURSE, draft("MRN1", "Ada Lovelace"))
    clinic.close()  # the file is now a real head-revision database with a patient in it

    clock.advance(days=30, hours=2, minutes=3, seconds=4)  # 2026-04-01 16:03:04 UTC
    upgraded = open_clinic(db_url, clock)
    try:
        assert migrate.current_revision(upgraded.db) == (next_release, True)
        assert [p.mrn for p in upgraded.patients.search("Ada")] == ["MRN1"]
    finally:
        upgraded.close()

    backup = upgraded.backup
    assert backup == path.with_name("clinic.backup-20260401T160304Z.sqlite3")
    assert _backups(path) == [backup]
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(REAL_HEAD,)]
        assert copy.execute("SELECT mrn, full_name FROM patient").fetchall() == [
            ("MRN1", "Ada Lovelace")
        ]
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}
        assert "upgrade_probe" not in tables  # taken before the upgrade, not after
    finally:
        copy.close()


def test_a_fresh_database_under_a_newer_release_makes_no_backup(
    db_url: str,
    clock,
    next_release: str,
) -> None:
    c = open_clinic(db_url, clock)
    try:
        assert migrate.current_revision(c.db) == (next_release, True)
        assert c.backup is None
        assert _backups(_db_path(db_url)) == []
    finally:
        c.close()


@pytest.mark.sqlite_only("builds the file with sqlite3")
def test_an_unversioned_database_is_refused_untouched(
    clinic,
    db_url: str,
    clock,
) -> None:
    # Tables but no recorded revision: Alembic cannot tell where this file stands.
    path = _db_path(db_url)
    clinic.patients.register(NURSE, draft("MRN1"))
    clinic.close()
    raw = sqlite3.connect(path)
    raw.execute("DELETE FROM alembic_version")
    raw.commit()
    raw.close()

    with pytest.raises(StorageError) as error:
        open_clinic(db_url, clock)
    assert str(path) in str(error.value)
    assert "not a KetaMon database" in str(error.value)
    assert _backups(path) == []  # refused before anything, a backup included, was written
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("SELECT mrn FROM patient").fetchall() == [("MRN1",)]
    finally:
        raw.close()


@pytest.mark.sqlite_only("edits the file with sqlite3")
def test_a_database_from_a_newer_release_is_refused(clinic, db_url: str, clock) -> None:
    path = _db_path(db_url)
    clinic.patients.register(NURSE, draft("MRN1"))
    clinic.close()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE alembic_version SET version_num = '0099'")
    raw.commit()
    raw.close()

    with pytest.raises(StorageError) as error:
        open_clinic(db_url, clock)
    assert str(path) in str(error.value)
    assert "0099" in str(error.value)
    assert "newer KetaMon" in str(error.value)
    assert _backups(path) == []
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("0099",)]
        assert raw.execute("SELECT mrn FROM patient").fetchall() == [("MRN1",)]
    finally:
        raw.close()


@pytest.mark.sqlite_only("builds the old file with sqlite3")
def test_a_0001_database_with_records_gets_a_verified_baseline_trail(db_url: str, clock) -> None:
    from alembic import command

    from ketamon.storage.database import Database

    path = _db_path(db_url)
    db = Database(db_url)
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001")
    db.dispose()
    raw = sqlite3.connect(path)
    raw.executescript(
        "INSERT INTO chair (name, position, created_at, created_by) "
        "VALUES ('Chair 1', 1, '2026-01-05 09:00:00.000000', 'root');"
        "INSERT INTO patient (mrn, full_name, date_of_birth, weight_kg, allergies, created_at,"
        " created_by) VALUES ('KM-1', 'Old Record', '1970-02-03', 81.5, '',"
        " '2026-01-05 09:01:00.000000', 'root');"
    )
    raw.commit()
    raw.close()

    c = Clinic.open(db_url, clock)
    try:
        assert c.backup is not None and c.backup.exists()
        assert migrate.current_revision(c.db) == (migrate.HEAD_REVISION, True)
        assert c.audit.verify() == []
        with c.db.engine.connect() as conn:
            baseline = conn.exec_driver_sql(
                "SELECT entity, field, new_value FROM audit_log WHERE action = 'baseline' "
                "AND entity = 'patient' AND field IN ('full_name', 'weight_kg') ORDER BY field"
            ).all()
        assert [tuple(r) for r in baseline] == [
            ("patient", "full_name", "Old Record"),
            ("patient", "weight_kg", "81.5"),
        ]
    finally:
        c.close()


@pytest.mark.sqlite_only("builds the old file with sqlite3")
def test_columns_added_later_get_baselines_and_finished_sessions_await_review(
    db_url: str, clock
) -> None:
    """0004/0006 add columns to tables with rows: the trail still verifies, and sessions
    that were already over are waiting for the physician's review."""
    from alembic import command

    from ketamon.storage.database import Database

    path = _db_path(db_url)
    db = Database(db_url)
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001")
    db.dispose()
    raw = sqlite3.connect(path)
    raw.executescript(
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
    raw.commit()
    raw.close()

    c = Clinic.open(db_url, clock)
    try:
        assert c.audit.verify() == []
        with c.db.engine.connect() as conn:
            status = conn.exec_driver_sql("SELECT review_status FROM infusion_session").scalar()
            fields = conn.exec_driver_sql(
                "SELECT entity || '.' || field FROM audit_log WHERE action = 'baseline' "
                "AND field IN ('rate_ml_h', 'review_status') ORDER BY seq"
            ).scalars()
            assert list(fields) == ["session_event.rate_ml_h", "infusion_session.review_status"]
        assert status == "awaiting_review"
    finally:
        c.close()
    # A change behind the application's back in a column added later is still caught.
    raw = sqlite3.connect(path)
    raw.execute("UPDATE infusion_session SET review_status = 'signed'")
    raw.commit()
    raw.close()
    c = Clinic.open(db_url, clock)
    try:
        assert any("review_status" in p.text for p in c.audit.verify())
    finally:
        c.close()


def test_an_upgrade_says_each_step_as_it_begins(db_url: str, clock) -> None:
    """Issue 19: a long upgrade at start-up shows what it is doing. From 0009 the four
    later steps are announced in order, numbered of five, each with its migration's
    words; a database at head announces nothing."""
    from alembic import command

    from ketamon.storage.database import Database

    db = Database(db_url)
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0009")
    steps: list = []
    migrate.upgrade(db, clock=clock, have_backup=True, progress=steps.append)
    assert [(s.number, s.total, s.revision) for s in steps] == [
        (1, 5, "0010"),
        (2, 5, "0011"),
        (3, 5, "0012"),
        (4, 5, "0013"),
        (5, 5, "0014"),
    ]
    assert steps[1].words == "Upgrading the clinic's database, step 2 of 5: record versions"
    assert migrate.current_revision(db) == (migrate.HEAD_REVISION, True)
    again: list = []
    migrate.upgrade(db, clock=clock, progress=again.append)
    assert again == []
    db.dispose()


def test_a_new_database_says_it_is_being_created(db_url: str, clock) -> None:
    steps: list = []
    c = open_clinic(db_url, clock, progress=steps.append)
    c.close()
    revisions = [
        s.revision for s in ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions()
    ]
    assert [s.revision for s in steps] == sorted(revisions)
    assert all(s.creating and s.words.startswith("Creating the clinic's database") for s in steps)
