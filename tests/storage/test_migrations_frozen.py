"""Migrations that do not rot: no migration imports the live application, and a database
left at ANY revision, with a user, a patient and a session with a vitals set in it, upgrades
to the newest schema with its audit trail still verifying and its records all there. The
newest migration also goes down one step and up again."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from ketamon.cli import main
from ketamon.storage import migrate
from ketamon.storage.audit import UNAUDITED_FIELDS, AuditContext, write_entries
from ketamon.storage.database import Database
from ketamon.storage.types import UTCDateTime
from tests.conftest import NURSE, baseline, draft, open_clinic

pytestmark = pytest.mark.both_backends

MIGRATIONS = Path(migrate.migrations_location())
VERSIONS = sorted((MIGRATIONS / "versions").glob("[0-9]*.py"))
# What a migration may import: the standard library and what Alembic itself needs.
ALLOWED = set(sys.stdlib_module_names) | {"sqlalchemy", "alembic"}


def _imports(source: str) -> list[str]:
    """Every module a source imports, at any depth (function-level imports included);
    a relative import is named by its dots, and importlib/__import__ calls by their text."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in {"__import__", "importlib.import_module", "import_module"}:
                found.append(ast.unparse(node.args[0]).strip("'\"") if node.args else "?")
    return found


def _refused(source: str) -> list[str]:
    return [m for m in _imports(source) if m.startswith(".") or m.split(".")[0] not in ALLOWED]


def test_every_revision_is_checked() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(VERSIONS) == len(list(script.walk_revisions())) >= 9


@pytest.mark.parametrize("path", VERSIONS, ids=lambda p: p.stem)
def test_no_migration_imports_the_live_application(path: Path) -> None:
    # An old migration must do what it did when it was written: a copy of what it needs
    # lives in the file, never an import of ketamon/ (which keeps changing).
    assert _refused(path.read_text(encoding="utf-8")) == []


def test_the_import_check_does_notice_a_live_import() -> None:
    source = (
        "import hashlib\nimport sqlalchemy as sa\nfrom alembic import op\n"
        "import ketamon.storage.types\n"
        "def upgrade():\n"
        "    from ketamon.storage.audit import write_entries\n"
        "    from .helpers import baseline\n"
        "    importlib.import_module('ketamon.storage.models')\n"
    )
    assert _refused(source) == [
        "ketamon.storage.types",
        "ketamon.storage.audit",
        ".helpers",
        "ketamon.storage.models",
    ]


def test_env_py_imports_only_the_models_metadata() -> None:
    # env.py hands Alembic the models' metadata (autogenerate compares against it); it
    # runs no migration code of its own, so that one import cannot change an old migration.
    source = (MIGRATIONS / "env.py").read_text(encoding="utf-8")
    assert _refused(source) == ["ketamon.storage.models"]


# Representative rows, one per table, with every column the table has at the newest
# revision; at an older revision only the columns it has then are written.
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROWS = {
    "app_user": dict(
        id=1,
        username="nurse.old",
        full_name="Old Nurse",
        credentials="RN",
        roles="nurse",
        password_hash="argon2-hash-of-an-old-password",
        active=True,
        failed_sign_ins=0,
        locked_until=None,
        created_at=AT,
        created_by="root",
        public_key=None,
        must_change_password=True,
        version=1,
    ),
    "chair": dict(
        id=1,
        name="Chair 1",
        position=1,
        created_at=AT,
        created_by="root",
        retired_at=None,
        retired_by=None,
        version=1,
    ),
    "patient": dict(
        id=1,
        mrn="KM-1",
        full_name="Old Record",
        date_of_birth=date(1970, 2, 3),
        weight_kg=81.5,
        allergies="penicillin",
        created_at=AT,
        created_by="nurse.old",
        no_known_allergies=False,
        spo2_scale2=False,
        version=1,
        plan_series_length=None,
        plan_interval_min_days=None,
        plan_interval_max_days=None,
    ),
    "course": dict(
        id=1,
        patient_id=1,
        kind="initial",
        planned_sessions=6,
        started_at=AT,
        ended_at=None,
        end_kind=None,
        end_reason="",
        ended_by=None,
    ),
    "infusion_session": dict(
        id=1,
        patient_id=1,
        chair_id=1,
        course_id=1,
        number_in_course=1,
        target_minutes=40,
        phase="infusing",
        checked_in_at=AT,
        active_chair_id=1,
        active_patient_id=1,
        review_status=None,
    ),
    "session_event": dict(
        id=1,
        session_id=1,
        seq=1,
        kind="check_in",
        at=AT,
        actor="nurse.old",
        reason="",
        recorded_at=AT,
        rate_ml_h=None,
    ),
    "vitals_set": dict(
        id=1,
        session_id=1,
        taken_at=AT,
        phase="baseline",
        systolic=124,
        diastolic=78,
        heart_rate=72,
        spo2=98,
        resp_rate=14,
        temperature=36.6,
        pain=2,
        sedation=0,
        note="before the infusion",
        entered_by="nurse.old",
        entered_at=AT,
        status="current",
        corrects_id=None,
        status_reason="",
        acknowledged_by=None,
        acknowledged_at=None,
        dissociation=None,
        cadss=None,
        oxygen=False,
    ),
}


def _write_rows_as_of_then(conn: sa.Connection) -> set[str]:
    """The rows the schema has room for, written as KetaMon did then: each row and, once
    the trail exists (0002), one 'create' entry per audited field. Returns the tables."""
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    entries: list = []
    for name, values in ROWS.items():
        if name not in tables:
            continue
        columns = [c["name"] for c in inspector.get_columns(name)]
        unknown = set(columns) - set(values)
        assert not unknown, f"ROWS[{name!r}] lacks {unknown}: add a value for each new column"
        row = {c: values[c] for c in columns}
        kinds = {c: UTCDateTime() for c, v in row.items() if isinstance(v, datetime)}
        table = sa.table(name, *(sa.column(c, kinds.get(c)) for c in row))
        conn.execute(sa.insert(table).values(**row))
        entries += [
            ("create", name, row["id"], c, None, v)
            for c, v in row.items()
            if (name, c) not in UNAUDITED_FIELDS
        ]
    if "audit_log" in tables:
        write_entries(conn, AuditContext("nurse.old", AT, ""), entries)
    return tables & set(ROWS)


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.mark.parametrize("revision", _revisions())
def test_a_database_at_any_revision_upgrades_to_head_and_still_verifies(
    revision: str, db_url: str, clock, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(db_url)
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), revision)
    with db.engine.begin() as conn:
        written = _write_rows_as_of_then(conn)
    db.dispose()
    assert {"chair", "patient", "course", "infusion_session", "session_event"} <= written
    assert ("app_user" in written) == (revision >= "0002")
    assert ("vitals_set" in written) == (revision >= "0003")
    capsys.readouterr()

    # The administrator's `ketamon db upgrade` (SQLite: after its own backup; PostgreSQL:
    # once a backup is confirmed), then `ketamon audit verify` checks the chain, every
    # record, the triggers and the anchors.
    assert main(["db", "upgrade", "--db", db_url, "--i-have-a-backup"]) == 0
    assert main(["audit", "verify", "--db", db_url]) == 0
    out = capsys.readouterr()
    assert "Audit trail intact" in out.out, out.err

    c = open_clinic(db_url, clock)
    try:
        assert migrate.current_revision(c.db) == (migrate.HEAD_REVISION, True)
        assert c.audit.verify() == []
        [patient] = c.patients.search("Old Record")
        assert (patient.mrn, patient.weight_kg, patient.allergies) == ("KM-1", 81.5, "penicillin")
        with c.db.engine.connect() as conn:
            session = conn.exec_driver_sql(
                "SELECT patient_id, chair_id, phase FROM infusion_session"
            ).all()
            assert [tuple(r) for r in session] == [(1, 1, "infusing")]
            if revision >= "0002":
                user = conn.exec_driver_sql(
                    "SELECT username, must_change_password FROM app_user WHERE id = 1"
                ).one()
                assert tuple(user) == ("nurse.old", 1)  # 0007: a new password (and key) first
        if revision >= "0003":
            [vitals] = c.vitals.for_session(1)
            v = vitals.values
            assert (v.systolic, v.diastolic, v.heart_rate, v.spo2, v.temperature) == (
                124,
                78,
                72,
                98,
                36.6,
            )
            assert (vitals.phase.value, vitals.entered_by) == ("baseline", "nurse.old")
    finally:
        c.close()


def test_the_newest_migration_goes_down_and_up_again(clinic, db_url: str, clock) -> None:
    [head, previous] = _revisions()[-1:-3:-1]
    patient = clinic.patients.register(NURSE, draft("MRN1", "Ada Lovelace"))
    session = clinic.sessions.check_in(NURSE, 1, patient.id, 40)
    baseline(clinic, session.id)
    clinic.close()

    db = Database(db_url)
    with db.engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), previous)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == previous
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), head)
    db.dispose()

    c = open_clinic(db_url, clock)
    try:
        assert migrate.current_revision(c.db) == (head, True)
        assert c.audit.verify() == []
        assert [p.mrn for p in c.patients.search("Ada")] == ["MRN1"]
        assert len(c.vitals.for_session(session.id)) == 1
    finally:
        c.close()


@pytest.mark.sqlite_only("qmark SQL on the raw connection")
def test_the_frozen_baselines_write_what_they_always_wrote(db_url: str) -> None:
    """0002, 0004 and 0005 on a 0001 database: one baseline entry per field, values in the
    trail's text form, timestamps stored as naive UTC text, and each row hashed with the
    chain's formula of those revisions (written out here a third time, on purpose)."""
    db = Database(db_url)
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001")
    with db.engine.begin() as conn:
        _write_rows_as_of_then(conn)
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0005")
    with db.engine.connect() as conn:
        rows = [r._asdict() for r in conn.exec_driver_sql("SELECT * FROM audit_log ORDER BY seq")]
    db.dispose()

    by_actor: dict[str, list[tuple]] = {}
    for r in rows:
        by_actor.setdefault(r["actor"], []).append((r["entity"], r["field"], r["new_value"]))
    assert set(by_actor) == {"(migration 0002)", "(migration 0004)", "(migration 0005)"}
    at_0002 = by_actor["(migration 0002)"]
    assert [e for e, _, _ in at_0002].count("patient") == 8  # every column 0001 had
    assert len(at_0002) == 7 + 8 + 5 + 10 + 8
    values = {(e, f): v for e, f, v in at_0002}
    assert values[("patient", "created_at")] == "2026-01-05T09:00:00+00:00"
    assert values[("patient", "date_of_birth")] == "1970-02-03"
    assert values[("patient", "weight_kg")] == "81.5"
    assert values[("chair", "retired_at")] is None
    assert values[("session_event", "reason")] == ""
    assert by_actor["(migration 0004)"] == [("session_event", "rate_ml_h", None)]
    assert by_actor["(migration 0005)"] == [("infusion_session", "review_status", None)]
    assert {r["action"] for r in rows} == {"baseline"}
    assert {r["old_value"] for r in rows} == {None}

    prev = "0" * 64
    for r in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?", r["at"])
        at = datetime.fromisoformat(r["at"]).replace(tzinfo=UTC).isoformat()
        content = [r["seq"], at, r["actor"], r["action"], r["entity"], r["entity_id"]]
        content += [r["field"], r["old_value"], r["new_value"], r["reason"], prev]
        payload = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        assert r["prev_hash"] == prev
        assert r["row_hash"] == hashlib.sha256(payload.encode("utf-8")).hexdigest()
        prev = r["row_hash"]
