"""The engine: pragmas on every connection, faults as StorageError, constraints in SQLite."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import exc, func, select, text

from ketamon.storage.audit import AuditContext
from ketamon.storage.database import Database, StorageError
from ketamon.storage.location import DB_FILENAME, default_db_url, sqlite_url
from ketamon.storage.models import PatientRow
from ketamon.storage.verify import verify as _verify
from tests.conftest import NURSE, draft, open_clinic

pytestmark = pytest.mark.both_backends

EXPECTED_PRAGMAS = {"foreign_keys": 1, "journal_mode": "wal", "synchronous": 2}


def _pragmas(conn) -> dict[str, object]:
    names = [*EXPECTED_PRAGMAS, "busy_timeout"]
    return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names}


def _patient_count(db: Database) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(func.count(PatientRow.id)))


# -- pragmas --------------------------------------------------------------------------------


@pytest.mark.sqlite_only("SQLite pragmas")
def test_every_connection_has_the_clinical_pragmas(clinic) -> None:
    # Two connections held at once: the pool cannot hand back the same one twice.
    with clinic.db.engine.connect() as first, clinic.db.engine.connect() as second:
        assert first.connection.dbapi_connection is not second.connection.dbapi_connection
        for conn in (first, second):
            pragmas = _pragmas(conn)
            assert {k: pragmas[k] for k in EXPECTED_PRAGMAS} == EXPECTED_PRAGMAS
            assert pragmas["busy_timeout"] == 5000


@pytest.mark.sqlite_only("SQLite's busy_timeout")
def test_busy_timeout_is_the_one_asked_for(db_url: str, clock) -> None:
    c = open_clinic(db_url, clock, busy_timeout_ms=1234)
    try:
        with c.db.engine.connect() as conn:
            assert _pragmas(conn)["busy_timeout"] == 1234
    finally:
        c.close()


def test_foreign_keys_are_enforced(clinic) -> None:
    with pytest.raises(exc.IntegrityError, match="(?i)foreign key constraint"):
        with clinic.db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO course (patient_id, kind, planned_sessions, started_at) "
                    "VALUES (999, 'initial', 6, '2026-03-02 14:00:00.000000')"
                )
            )


# -- transactions ---------------------------------------------------------------------------


def test_a_failed_unit_of_work_leaves_nothing_behind(clinic) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        context = AuditContext("nurse.jo", clinic.clock())
        with clinic.db.transaction(audit=context) as session:
            session.add(
                PatientRow(
                    mrn="HALF",
                    full_name="Half Written",
                    date_of_birth=date(1980, 1, 1),
                    weight_kg=70,
                    allergies="",
                    created_at=clinic.clock(),
                    created_by="nurse.jo",
                )
            )
            session.flush()
            raise Boom
    assert _patient_count(clinic.db) == 0
    assert verify_trail(clinic) == []  # the audit rows went with it


# -- faults come out as StorageError naming the file and the reason --------------------------


def test_missing_folder(tmp_path: Path, clock) -> None:
    folder = tmp_path / "no-such-folder"
    path = folder / "clinic.sqlite3"
    with pytest.raises(StorageError) as error:
        open_clinic(sqlite_url(path), clock)
    message = str(error.value)
    assert str(path) in message
    assert f"the folder {folder} does not exist" in message
    assert error.value.location == str(path)
    assert not folder.exists()  # an explicit path's folder is never created behind the user


def test_the_per_user_data_folder_is_created(_isolated_data_dir: Path, clock) -> None:
    assert not _isolated_data_dir.exists()
    c = open_clinic(default_db_url(), clock)
    try:
        assert c.location == str((_isolated_data_dir / DB_FILENAME).resolve())
        assert (_isolated_data_dir / DB_FILENAME).is_file()
    finally:
        c.close()


@pytest.mark.sqlite_only("a read-only SQLite file")
def test_read_only_database(clinic, db_url: str, clock) -> None:
    clinic.patients.register(NURSE, draft("MRN1"))
    clinic.close()
    path = db_url.removeprefix("sqlite:///")
    # Tests run as root, where chmod does not stop writes; SQLite's read-only mode does.
    ro = open_clinic(f"sqlite:///file:{path}?mode=ro&uri=true", clock)
    try:
        assert ro.location == str(Path(path).resolve())
        assert [p.mrn for p in ro.patients.search("MRN")] == ["MRN1"]  # reading works
        with pytest.raises(StorageError) as error:
            ro.patients.register(NURSE, draft("MRN2", "Grace Hopper"))
        message = str(error.value)
        assert path in message
        assert "read-only" in message
        assert "nothing could be saved" in message
    finally:
        ro.close()
    reopened = open_clinic(db_url, clock)
    try:
        assert [p.mrn for p in reopened.patients.search("MRN")] == ["MRN1"]
    finally:
        reopened.close()


@pytest.mark.sqlite_only("SQLite's file lock")
def test_locked_database(clinic, db_url: str, clock) -> None:
    path = db_url.removeprefix("sqlite:///")
    other = open_clinic(db_url, clock, busy_timeout_ms=100)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StorageError) as error:
            other.patients.register(NURSE, draft("MRN1"))
        message = str(error.value)
        assert path in message
        assert "locked" in message
        assert "try again" in message
        holder.execute("ROLLBACK")
        # Once the other program lets go, the same call goes through.
        other.patients.register(NURSE, draft("MRN1"))
        assert _patient_count(other.db) == 1
    finally:
        holder.close()
        other.close()


def test_a_file_that_is_not_a_database(tmp_path: Path, clock) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are not the tables you are looking for\n" * 100)
    with pytest.raises(StorageError) as error:
        open_clinic(sqlite_url(path), clock)
    assert str(path) in str(error.value)
    assert "not a database" in str(error.value)


# -- the database itself enforces one active session per chair and per patient ---------------


def _raw_session_insert(conn, *, patient_id: int, chair_id: int, course_id: int, active: bool):
    conn.execute(
        text(
            "INSERT INTO infusion_session (patient_id, chair_id, course_id, number_in_course, "
            "target_minutes, phase, checked_in_at, active_chair_id, active_patient_id) "
            "VALUES (:p, :c, :course, 2, 40, :phase, '2026-03-02 14:05:00.000000', :ac, :ap)"
        ),
        {
            "p": patient_id,
            "c": chair_id,
            "course": course_id,
            "phase": "checked_in" if active else "discharged",
            "ac": chair_id if active else None,
            "ap": patient_id if active else None,
        },
    )


@pytest.fixture
def occupied(clinic):
    """Ada checked in on Chair 1 through the service; Grace registered but not seated."""
    ada = clinic.patients.register(NURSE, draft("MRN1", "Ada Lovelace"))
    grace = clinic.patients.register(NURSE, draft("MRN2", "Grace Hopper"))
    chair1, chair2 = clinic.chairs.all()[:2]
    session = clinic.sessions.check_in(NURSE, chair1.id, ada.id, 40)
    with clinic.db.engine.connect() as conn:
        course_id = conn.execute(
            text("SELECT course_id FROM infusion_session WHERE id = :id"), {"id": session.id}
        ).scalar()
    return clinic, ada, grace, chair1, chair2, course_id


def test_database_refuses_a_second_active_session_on_a_chair(occupied) -> None:
    clinic, _ada, grace, chair1, _chair2, course_id = occupied
    # PostgreSQL names the constraint (not the SQL, which names both); on SQLite the no-replace
    # trigger (0014) refuses first, naming the keys of which one is taken.
    unique = (
        r"never replaced: \(id\) or \(active_chair_id\) or \(active_patient_id\) already taken"
        r"|uq_infusion_session_active_chair_id"
    )
    with pytest.raises(exc.IntegrityError, match=unique):
        with clinic.db.engine.begin() as conn:
            _raw_session_insert(
                conn, patient_id=grace.id, chair_id=chair1.id, course_id=course_id, active=True
            )


def test_database_refuses_a_second_active_session_for_a_patient(occupied) -> None:
    clinic, ada, _grace, _chair1, chair2, course_id = occupied
    with pytest.raises(exc.IntegrityError, match="active_patient_id"):
        with clinic.db.engine.begin() as conn:
            _raw_session_insert(
                conn, patient_id=ada.id, chair_id=chair2.id, course_id=course_id, active=True
            )


def test_ended_sessions_on_the_same_chair_are_allowed(occupied) -> None:
    clinic, ada, grace, chair1, _chair2, course_id = occupied
    with clinic.db.engine.begin() as conn:
        for patient in (ada, grace, ada):
            _raw_session_insert(
                conn, patient_id=patient.id, chair_id=chair1.id, course_id=course_id, active=False
            )
    with clinic.db.engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM infusion_session WHERE chair_id = :c"), {"c": chair1.id}
        ).scalar()
    assert count == 4


def verify_trail(clinic) -> list:
    with clinic.db.transaction(write=False) as session:
        return _verify(session)


def test_a_core_read_of_a_broken_file_names_the_file_and_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database, it is a shopping list" * 100)
    db = Database(sqlite_url(path))
    try:
        with pytest.raises(StorageError) as error, db.reading() as connection:
            connection.execute(select(func.count(PatientRow.id))).scalar()
        assert str(path) in str(error.value)
        assert "not a database" in str(error.value)
    finally:
        db.dispose()


def test_a_core_read_sees_one_snapshot(clinic) -> None:
    clinic.patients.register(NURSE, draft("MRN1"))
    with clinic.db.reading() as connection:
        before = connection.execute(select(func.count(PatientRow.id))).scalar()
        clinic.patients.register(NURSE, draft("MRN2"))  # another unit of work commits
        after = connection.execute(select(func.count(PatientRow.id))).scalar()
    assert before == after == 1
    assert _patient_count(clinic.db) == 2


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has no server
def test_the_next_action_after_a_server_restart_succeeds(clinic, pg_server) -> None:
    clinic.patients.register(NURSE, draft("MRN1"))  # the pool now holds a live connection
    if pg_server is None:
        pytest.skip("an external server (KETAMON_TEST_POSTGRES_URL) is not ours to restart")
    pg_server.restart()  # every connection in the pool is cut
    clinic.patients.register(NURSE, draft("MRN2"))  # no "server closed the connection"
    assert [p.mrn for p in clinic.patients.search("MRN")] == ["MRN1", "MRN2"]
