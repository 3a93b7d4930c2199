"""The owner and the application role on PostgreSQL (issue 15).

Measured before: the login every workstation held owned the tables, so it could disable
the lock triggers (ALTER TABLE ... DISABLE TRIGGER), TRUNCATE audit_log and rewrite a
signed record with forged audit rows. Here the server is set up as the README tells the
clinic's IT person (`ketamon db init-server`, `db upgrade` as the owner, `db grant`), and
the workstation's login is refused every one of those, while the whole app works with it.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, exc, text
from sqlalchemy.engine import make_url

from ketamon.cli import main
from ketamon.domain.actors import Actor
from ketamon.domain.interventions import MedicationDraft
from ketamon.domain.vitals import VitalsDraft
from ketamon.services.clinic import Clinic
from ketamon.services.keys import TEST_KDF
from ketamon.storage import migrate, roles
from ketamon.storage.database import Database, StorageError
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    discharge_ready,
    draft,
    plan_dose,
    plan_escort,
)

_names = itertools.count(1)
DOCTOR = Actor("dr.patel", "Priya Patel, MD")


@dataclass
class Server:
    admin_url: str  # the server's administrator, on the maintenance database
    database: str
    owner: str
    app: str

    def url(self, role: str) -> str:
        url = make_url(self.admin_url).set(username=role, database=self.database)
        return url.render_as_string(hide_password=False)

    @property
    def owner_url(self) -> str:
        return self.url(self.owner)

    @property
    def app_url(self) -> str:
        return self.url(self.app)


def cli(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


@pytest.fixture
def server(
    _pg_admin: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Server]:
    """A clinic database set up by the README's three commands, with fresh role names."""
    n = f"{os.getpid()}_{next(_names)}"
    s = Server(
        _pg_admin.url.render_as_string(hide_password=False),
        f"km_roles_{n}",
        f"km_owner_{n}",
        f"km_app_{n}",
    )
    init = ["db", "init-server", "--db", s.admin_url, "--database", s.database]
    init += ["--owner", s.owner, "--app-role", s.app, "--password-stdin"]
    assert cli(init, monkeypatch, "owner password 1\napp password 12\n") == 0
    assert cli(["db", "upgrade", "--db", s.owner_url], monkeypatch) == 0
    assert cli(["db", "grant", "--db", s.owner_url, "--app-role", s.app], monkeypatch) == 0
    capsys.readouterr()
    try:
        yield s
    finally:
        with _pg_admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {s.database} WITH (FORCE)")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {s.app}")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {s.owner}")


def _refused(engine: Engine, statement: str) -> str | None:
    """The server's refusal of `statement` (None: it was allowed, and rolled back)."""
    try:
        with engine.connect() as conn, conn.begin() as tx:
            conn.exec_driver_sql(statement)
            tx.rollback()
    except exc.DBAPIError as error:
        return str(error.orig).splitlines()[0]
    return None


ATTACKS = [
    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "ALTER TABLE vitals_set DISABLE TRIGGER vitals_set_signed_lock",
    "ALTER TABLE signature DISABLE TRIGGER signature_no_change",
    "DROP TRIGGER audit_log_no_update ON audit_log",
    "CREATE OR REPLACE FUNCTION ketamon_refuse() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RETURN NEW; END $$",
    "TRUNCATE audit_log",
    "TRUNCATE vitals_set CASCADE",
    "UPDATE audit_log SET actor = 'forger'",
    "DELETE FROM audit_log",
    "DELETE FROM patient",
    "DELETE FROM vitals_set",
    "UPDATE signature SET meaning = 'forged'",
    "UPDATE session_event SET reason = 'forged'",
    "DROP TABLE audit_log CASCADE",
    "CREATE TABLE forged (id integer)",
    "CREATE TABLE public.forged (id integer)",
    "CREATE TEMPORARY TABLE forged_temp (id integer)",
    "ALTER TABLE patient ADD COLUMN forged text",
    "CREATE TRIGGER t BEFORE UPDATE ON patient FOR EACH ROW EXECUTE FUNCTION ketamon_refuse()",
    "ALTER TABLE audit_log OWNER TO CURRENT_USER",
    "SET ROLE postgres",
]


def test_the_application_role_cannot_undo_the_protections(server: Server, clock) -> None:
    clinic = Clinic.open(server.app_url, clock, kdf=TEST_KDF)
    try:
        clinic.users.create_first_admin(
            "nurse.jo", "Jo Rivera", "RN", PASSWORD, roles="nurse,admin"
        )
        patient = clinic.patients.register(NURSE, draft())
        session = clinic.sessions.check_in(
            NURSE, clinic.chairs.ensure_defaults(NURSE)[0].id, patient.id, 40
        )
        baseline(clinic, session.id)
    finally:
        clinic.close(anchor=False)
    engine = create_engine(server.app_url)
    try:
        allowed = [attack for attack in ATTACKS if _refused(engine, attack) is None]
        assert allowed == []
        # Refused for lack of the right, not by a trigger that might be disabled.
        assert "permission denied" in (_refused(engine, "UPDATE audit_log SET actor = 'x'") or "")
        assert "must be owner" in (
            _refused(engine, "ALTER TABLE audit_log DISABLE TRIGGER ALL") or ""
        )
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM audit_log")) > 0
            assert conn.scalar(text("SELECT current_user")) == server.app
    finally:
        engine.dispose()
    # The same statements are the owner's to run: it is the login the workstations must not hold.
    owner = create_engine(server.owner_url)
    try:
        assert _refused(owner, "ALTER TABLE audit_log DISABLE TRIGGER ALL") is None
        assert _refused(owner, "TRUNCATE audit_log") is None
    finally:
        owner.dispose()
    engine = create_engine(server.app_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT to_regclass('forged')")) is None
    finally:
        engine.dispose()


def test_the_grants_are_exactly_what_the_app_needs(server: Server) -> None:
    engine = create_engine(server.owner_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                    "WHERE grantee = :r"
                ),
                {"r": server.app},
            ).all()
            tables = conn.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).all()
            owned = conn.scalar(
                text("SELECT count(*) FROM pg_class WHERE relowner = to_regrole(:r)"),
                {"r": server.app},
            )
    finally:
        engine.dispose()
    held: dict[str, set[str]] = {}
    for table, privilege in rows:
        held.setdefault(table, set()).add(privilege)
    assert set(held) == set(tables)
    assert held["audit_log"] == held["signature"] == held["addendum"] == {"SELECT", "INSERT"}
    assert held["alembic_version"] == {"SELECT"}
    assert held["vitals_set"] == held["infusion_session"] == {"SELECT", "INSERT", "UPDATE"}
    assert not set().union(*held.values()) & {"DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"}
    assert owned == 0


def test_granting_again_changes_nothing_and_an_owner_or_superuser_is_refused(
    server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    grant = ["db", "grant", "--db", server.owner_url, "--app-role"]
    assert cli([*grant, server.app], monkeypatch) == 0
    first = capsys.readouterr().out
    assert cli([*grant, server.app], monkeypatch) == 0
    assert capsys.readouterr().out == first
    assert "audit_log: SELECT, INSERT\n" in first
    assert cli([*grant, server.owner], monkeypatch) == 1
    assert "is, or is a member of, the owner role" in capsys.readouterr().err
    superuser = make_url(server.admin_url).username or "postgres"
    assert cli([*grant, superuser], monkeypatch) == 1
    assert "superuser" in capsys.readouterr().err
    assert cli([*grant, "Robert'); DROP TABLE audit_log;--"], monkeypatch) == 1
    assert "use lower-case letters, digits and _" in capsys.readouterr().err
    assert cli([*grant, f"{server.app}_typo"], monkeypatch) == 1
    assert "no such role (create it first: `ketamon db init-server`)" in capsys.readouterr().err


def test_the_whole_app_works_as_the_application_role(server: Server, clock) -> None:
    clinic = Clinic.open(server.app_url, clock, kdf=TEST_KDF)
    try:
        clinic.users.create_first_admin(
            "nurse.jo", "Jo Rivera", "RN", PASSWORD, roles="nurse,admin"
        )
        chairs = clinic.chairs.ensure_defaults(NURSE)
        add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician")
        clinic.settings.update(NURSE, overrun_alert_minutes=7)
        patient = clinic.patients.register(NURSE, draft())
        session = clinic.sessions.check_in(NURSE, chairs[0].id, patient.id, 40)
        first = baseline(clinic, session.id)
        clinic.vitals.correct(NURSE, first.id, VitalsDraft(124, 78, 70, 98, 14), "typo in HR")
        plan_dose(clinic, session.id)
        plan_escort(clinic, session.id)
        ask_questionnaires(clinic, session.id)
        clinic.sessions.start(NURSE, session.id)
        clock.advance(minutes=10)
        effect = clinic.side_effects.tick(NURSE, session.id, "nausea")
        clinic.interventions.give(
            NURSE,
            session.id,
            MedicationDraft("ondansetron", 4, "mg", "IV", side_effect_id=effect.id),
        )
        clock.advance(minutes=30)
        clinic.sessions.stop(NURSE, session.id)
        clock.advance(minutes=35)
        discharge_ready(clinic, session.id)
        assert clinic.review.sign(
            DOCTOR,
            session.id,
            PASSWORD,
            "Reviewed",
            reviewed=clinic.review.record_digest(session.id),
        ).valid
        clinic.review.add_addendum(DOCTOR, session.id, "Called: well", "Follow-up", PASSWORD)
        report = clinic.audit.verify_report()
        assert report.intact, [p.text for p in report.problems]
    finally:
        clinic.close()  # anchors the head, as every clean shutdown does
    # The signed record stays locked for the workstation's login: its trigger is on.
    engine = create_engine(server.app_url)
    try:
        refusal = _refused(
            engine, f"UPDATE vitals_set SET heart_rate = 99 WHERE session_id = {session.id}"
        )
        assert refusal is not None and "signed and locked" in refusal
    finally:
        engine.dispose()


def _previous_revision() -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    previous = script.get_revision(migrate.HEAD_REVISION).down_revision
    assert isinstance(previous, str)
    return previous


def test_an_out_of_date_schema_is_upgraded_by_the_owner_after_a_backup_only(
    server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], clock
) -> None:
    previous = _previous_revision()
    owner = Database(server.owner_url)
    with owner.engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), previous)
    owner.dispose()

    # A workstation starting the new release is told who upgrades, and nothing changes.
    with pytest.raises(StorageError) as told:
        Clinic.open(server.app_url, clock, kdf=TEST_KDF)
    message = str(told.value)
    assert f"the database needs an upgrade (schema {previous}" in message
    assert "run `ketamon db upgrade --db OWNER_URL` as the clinic's administrator" in message
    assert "Nothing was changed" in message
    assert "SQL" not in message and "permission denied" not in message

    # The owner is refused until a backup is confirmed.
    assert cli(["db", "upgrade", "--db", server.owner_url], monkeypatch) == 1
    refused = capsys.readouterr().err
    assert "Back up first: `ketamon backup --db" in refused
    assert "then run `ketamon db upgrade --db" in refused and "--i-have-a-backup`" in refused
    db = Database(server.owner_url)
    assert migrate.current_revision(db) == (previous, True)
    db.dispose()

    upgrade = ["db", "upgrade", "--db", server.owner_url, "--i-have-a-backup"]
    assert cli(upgrade, monkeypatch) == 0
    out = capsys.readouterr().out
    assert f"from schema {previous} to {migrate.HEAD_REVISION}" in out
    assert f"Application role(s) granted again: {server.app}" in out
    # The workstation works again, with what the migration re-created granted to it.
    clinic = Clinic.open(server.app_url, clock, kdf=TEST_KDF)
    try:
        clinic.users.create_first_admin(
            "nurse.jo", "Jo Rivera", "RN", PASSWORD, roles="nurse,admin"
        )
        patient = clinic.patients.register(NURSE, draft())
        clinic.sessions.check_in(NURSE, clinic.chairs.ensure_defaults(NURSE)[0].id, patient.id, 40)
        assert clinic.audit.verify() == []
    finally:
        clinic.close(anchor=False)


def test_a_table_the_owner_creates_later_gets_select_and_insert(server: Server) -> None:
    owner = create_engine(server.owner_url)
    app = create_engine(server.app_url)
    try:
        with owner.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE later_table (id serial PRIMARY KEY, note text)")
        with app.begin() as conn:
            conn.exec_driver_sql("INSERT INTO later_table (note) VALUES ('x')")
            assert conn.scalar(text("SELECT count(*) FROM later_table")) == 1
        assert _refused(app, "DELETE FROM later_table") is not None
        assert _refused(app, "UPDATE later_table SET note = 'y'") is not None
        with owner.begin() as conn:
            assert roles.app_roles(conn) == [server.app]
    finally:
        owner.dispose()
        app.dispose()


def test_a_read_only_role_the_administrator_added_is_not_taken_for_an_application_role(
    server: Server, _pg_admin: Engine
) -> None:
    report = f"{server.app}_report"
    with _pg_admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {report}")
    owner = create_engine(server.owner_url)
    try:
        with owner.begin() as conn:
            conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {report}")
            assert roles.app_roles(conn) == [server.app]
            roles.reapply(conn)  # as an upgrade does
            inserts = conn.scalar(
                text("SELECT has_table_privilege(:r, 'audit_log', 'INSERT')"), {"r": report}
            )
            assert inserts is False
            conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {report}")
    finally:
        owner.dispose()
        with _pg_admin.connect() as conn:
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {report}")


def test_an_empty_database_is_left_to_the_owner(
    server: Server,
    _pg_admin: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clock,
) -> None:
    """A workstation pointed at the new, still empty database says who creates the schema."""
    empty = f"{server.database}_empty"
    with _pg_admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {empty} OWNER {server.owner}")
    try:
        url = make_url(server.app_url).set(database=empty).render_as_string(hide_password=False)
        with pytest.raises(StorageError) as told:
            Clinic.open(url, clock, kdf=TEST_KDF)
        assert "has no KetaMon schema yet; run `ketamon db upgrade --db OWNER_URL`" in str(
            told.value
        )
    finally:
        with _pg_admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {empty} WITH (FORCE)")


def test_verify_says_when_the_login_could_switch_the_protections_off(
    server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["audit", "verify", "--db", server.app_url], monkeypatch) == 0
    assert "could switch the protections off" not in capsys.readouterr().out
    assert cli(["audit", "verify", "--db", server.owner_url], monkeypatch) == 0
    out = capsys.readouterr().out
    assert f"warning: this login ({server.owner}) owns KetaMon's tables: it could switch" in out
    superuser = make_url(server.admin_url).set(database=server.database)
    assert cli(["audit", "verify", "--db", superuser.render_as_string(False)], monkeypatch) == 0
    assert "is a superuser: it could switch the protections off" in capsys.readouterr().out
