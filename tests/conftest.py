"""Shared fixtures. Qt runs offscreen; no test touches a real clinic database."""

from __future__ import annotations

import itertools
import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from ketamon.domain.actors import Actor
from ketamon.domain.audit import AuditEntry
from ketamon.domain.clock import FakeClock
from ketamon.domain.patients import PatientDraft
from ketamon.storage.audit import entries_of
from ketamon.storage.models import AuditRow
from tests.pg import TestServer

T0 = datetime(2026, 3, 2, 14, 0, 0, tzinfo=UTC)
# The clinic fixture's first account: a charge nurse who also administers (roles nurse,admin).
NURSE = Actor("nurse.jo", "Jo Rivera, RN")
PASSWORD = "correct horse battery"
TEMPORARY_PASSWORD = "temporary pass 1"  # what an administrator types for a new account


@pytest.fixture(scope="session", autouse=True)
def _session_data_dir(tmp_path_factory: pytest.TempPathFactory):
    """Shared fixtures (module and session scoped) are set up and closed outside any test:
    their anchors and logs go to a temporary folder too, never the real data folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KETAMON_DATA_DIR", str(tmp_path_factory.mktemp("session-data")))
        patch.setenv("KETAMON_CONFIG", str(tmp_path_factory.mktemp("config") / "none.toml"))
        patch.delenv("KETAMON_ANCHOR_COPY", raising=False)
        yield


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("KETAMON_DATA_DIR", str(data))
    monkeypatch.delenv("KETAMON_DB", raising=False)
    monkeypatch.setenv("KETAMON_CONFIG", str(tmp_path / "config" / "ketamon.toml"))  # none
    monkeypatch.delenv("KETAMON_ANCHOR_COPY", raising=False)
    return data


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked both_backends (or in a module or class marked so) that uses the
    `backend` fixture (db_url and clinic do) runs once on each backend, unless marked
    sqlite_only or parametrized on `backend` itself."""
    node = metafunc.definition
    if "backend" not in metafunc.fixturenames or node.get_closest_marker("sqlite_only"):
        return
    if any("backend" in str(m.args[0]) for m in node.iter_markers("parametrize")):
        return  # the test names its backends itself
    if node.get_closest_marker("both_backends") is not None:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """ "sqlite" unless the test is run on both (see pytest_generate_tests)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TestServer | None]:
    """The test run's own PostgreSQL server (tests/pg.py), started on first use (about a
    second) and removed at the end; None when KETAMON_TEST_POSTGRES_URL names an external
    server instead (a login that may create databases)."""
    if os.environ.get("KETAMON_TEST_POSTGRES_URL"):
        yield None
        return
    server = TestServer()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def _pg_admin(pg_server: TestServer | None) -> Iterator[Engine]:
    """An autocommit engine on the server's maintenance database: CREATE/DROP DATABASE."""
    from sqlalchemy import create_engine

    url = os.environ.get("KETAMON_TEST_POSTGRES_URL") or pg_server.url()  # type: ignore[union-attr]
    engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    yield engine
    engine.dispose()


def _pg_url(admin: Engine, database: str) -> str:
    return admin.url.set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _pg_template(_pg_admin: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The PostgreSQL twin of _template_db: a database migrated once, with the first
    account and default chairs, cloned for each test (CREATE DATABASE ... TEMPLATE).
    Made on the first test that asks, so its data folder is not that test's."""
    from ketamon.services.clinic import Clinic
    from ketamon.services.keys import TEST_KDF

    name = f"ketamon_template_{os.getpid()}"
    with _pg_admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KETAMON_DATA_DIR", str(tmp_path_factory.mktemp("pg-template-data")))
        c = Clinic.open(_pg_url(_pg_admin, name), FakeClock(T0), kdf=TEST_KDF)
        c.users.create_first_admin("nurse.jo", "Jo Rivera", "RN", PASSWORD, roles="nurse,admin")
        c.chairs.ensure_defaults(NURSE)
        c.close(anchor=False)
    yield name
    with _pg_admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_pg_databases = itertools.count(1)


@pytest.fixture
def _pg_database(request: pytest.FixtureRequest, _pg_admin: Engine) -> Iterator[str]:
    """A fresh database for this test: a clone of the migrated template when the test
    asks for `clinic`, else empty (as a new SQLite file is). Dropped afterwards."""
    name = f"ketamon_test_{os.getpid()}_{next(_pg_databases)}"
    template = request.getfixturevalue("_pg_template") if "clinic" in request.fixturenames else None
    with _pg_admin.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE {name} TEMPLATE {template}" if template else f"CREATE DATABASE {name}"
        )
    yield _pg_url(_pg_admin, name)
    with _pg_admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where this test's clinic lives: a new SQLite file, or a new PostgreSQL database."""
    if backend == "postgresql":
        return request.getfixturevalue("_pg_database")
    return f"sqlite:///{tmp_path / 'clinic.sqlite3'}"


def open_clinic(url: str, clock=None, **kwargs):
    """Clinic.open, plus the fixture's first account when the database has no users yet."""
    from ketamon.services.clinic import Clinic
    from ketamon.services.keys import TEST_KDF

    kwargs.setdefault("kdf", TEST_KDF)
    c = Clinic.open(url, clock, **kwargs) if clock is not None else Clinic.open(url, **kwargs)
    if not c.users.any_users():
        c.users.create_first_admin("nurse.jo", "Jo Rivera", "RN", PASSWORD, roles="nurse,admin")
    return c


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated, with the first account and default chairs: copied for each test, so the
    migrations and the (deliberately slow) argon2 hashing run once per test run."""
    from ketamon.services.clinic import Clinic
    from ketamon.services.keys import TEST_KDF

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    c = Clinic.open(f"sqlite:///{path}", FakeClock(T0), kdf=TEST_KDF)
    c.users.create_first_admin("nurse.jo", "Jo Rivera", "RN", PASSWORD, roles="nurse,admin")
    c.chairs.ensure_defaults(NURSE)
    with c.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    return path


@pytest.fixture
def clinic(db_url: str, backend: str, clock: FakeClock, _template_db: Path):
    from ketamon.services.clinic import Clinic
    from ketamon.services.keys import TEST_KDF

    if backend == "sqlite":  # on PostgreSQL, db_url is a clone of the template already
        shutil.copyfile(_template_db, db_url.removeprefix("sqlite:///"))
    c = Clinic.open(db_url, clock, kdf=TEST_KDF)  # cheap key derivation, recorded per key
    yield c
    c.close()


def add_user(clinic, username, full_name, credentials, roles, password=PASSWORD, by=NURSE):
    """An account an administrator adds (with a temporary password), then its owner
    choosing their own password at the first sign-in, which makes their signing key."""
    clinic.users.add(by, username, full_name, credentials, roles, TEMPORARY_PASSWORD)
    return clinic.users.change_password(username, TEMPORARY_PASSWORD, password)


def draft(mrn: str = "MRN1001", name: str = "Ada Lovelace", **kw) -> PatientDraft:
    from datetime import date

    return PatientDraft(
        mrn=mrn,
        full_name=name,
        date_of_birth=kw.pop("date_of_birth", date(1980, 5, 17)),
        weight_kg=kw.pop("weight_kg", 72.5),
        allergies=kw.pop("allergies", ""),
        no_known_allergies=kw.pop("no_known_allergies", False),
        spo2_scale2=kw.pop("spo2_scale2", False),
    )


def baseline(clinic, session_id: int, actor: Actor = NURSE, **values):
    """Record a normal baseline vitals set, as a nurse does before starting the infusion."""
    from ketamon.domain.vitals import VitalsDraft

    normal = dict(systolic=124, diastolic=78, heart_rate=72, spo2=98, resp_rate=14) | values
    return clinic.vitals.record(actor, session_id, VitalsDraft(**normal))


# What an AuditEntry says, but its row number and time (the order of `trail` gives those).
TRAIL_FIELDS = tuple(f.name for f in dataclass_fields(AuditEntry) if f.name not in ("seq", "at"))


def trail_entries(clinic, **where: object) -> list[AuditEntry]:
    """The audit trail field by field, oldest first (a record's creation, one row holding
    every field, read as one entry per field, as the screens read it); `where`: the entries
    whose named attributes equal the values given."""
    with clinic.db.transaction(write=False) as tx:
        rows = list(tx.scalars(select(AuditRow).order_by(AuditRow.seq)))
        entries = [e for row in rows for e in entries_of(row)]
    return [e for e in entries if all(getattr(e, k) == v for k, v in where.items())]


def trail(clinic, **where: object) -> list[tuple]:
    """trail_entries as tuples of TRAIL_FIELDS."""
    return [tuple(getattr(e, k) for k in TRAIL_FIELDS) for e in trail_entries(clinic, **where)]


def rehash_chain(raw, from_seq: int) -> None:
    """What a forger does after editing the trail (raw: a sqlite3 connection, triggers
    dropped): recompute every row's hash from `from_seq` on, so the chain is whole again."""
    from ketamon.storage.audit import row_hash

    columns = [c[1] for c in raw.execute("PRAGMA table_info(audit_log)")]
    prev = raw.execute("SELECT prev_hash FROM audit_log WHERE seq = ?", (from_seq,)).fetchone()[0]
    rows = raw.execute("SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq", (from_seq,))
    for record in rows.fetchall():
        row = dict(zip(columns, record, strict=True))
        row["at"] = datetime.fromisoformat(row["at"]).replace(tzinfo=UTC)
        new = row_hash(row, prev)
        raw.execute(
            "UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE seq = ?",
            (prev, new, row["seq"]),
        )
        prev = new


DOSE_WITNESS = "dose.witness"  # the second nurse discharge_ready() asks to witness the waste


def complete_dose(clinic, session_id: int, actor: Actor = NURSE, *, witness: str = DOSE_WITNESS):
    """The dose record completed, as a nurse does at the end of the infusion: planned if it
    was not yet (72.5 kg, 0.5 mg/kg, 10 mg/mL), the amount given as planned, 0.25 mg
    wasted, witnessed by `witness` (an account with PASSWORD, added if missing)."""
    if witness not in {u.username for u in clinic.users.all()}:
        add_user(clinic, witness, "Dana Witness", "RN", "nurse")
    record = clinic.dose.get(session_id)
    if record is None:
        record = clinic.dose.plan(actor, session_id, 72.5, 0.5, 10, "LOT-TEST")
    if record.completed:
        return record
    return clinic.dose.complete(actor, session_id, record.planned_mg, 0.25, witness, PASSWORD)


def discharge_ready(clinic, session_id: int, actor: Actor = NURSE):
    """Discharge through the checklist, as a nurse does once the observation time is over:
    a normal recovery set with MOAA/S 5, the dose record completed (given, wasted,
    witnessed), every answer good, the escort verified."""
    from ketamon.domain.discharge import DischargeAnswers, Escort, IvSite, Nausea

    baseline(clinic, session_id, actor, sedation=5)  # recovery-phase set: taken after the stop
    complete_dose(clinic, session_id, actor)
    answers = DischargeAnswers(
        oriented=True,
        steady_gait=True,
        nausea=Nausea.MINIMAL,
        pain=1,
        iv_site=IvSite.REMOVED_INTACT,
        instructions_acknowledged=True,
        escort=Escort("Maria Lopez", "Sister", "(212) 555-0143", True),
    )
    clinic.discharge.save_answers(actor, session_id, answers)
    return clinic.discharge.discharge(actor, session_id)


def free_the_chair(clinic, session_id: int, actor: Actor = NURSE) -> None:
    """End a session whatever its phase, as the rules allow: a session not yet started is
    cancelled; once started, the patient leaves against advice (witnessed by
    DOSE_WITNESS), since a started session is never cancelled."""
    from ketamon.domain.discharge import AgainstAdvice
    from ketamon.domain.sessions import Phase

    phase = clinic.sessions.get(session_id).phase
    if phase is Phase.CHECKED_IN:
        clinic.sessions.cancel(actor, session_id, "freeing the chair")
    elif phase.active:
        if DOSE_WITNESS not in {u.username for u in clinic.users.all()}:
            add_user(clinic, DOSE_WITNESS, "Dana Witness", "RN", "nurse")
        clinic.discharge.leave_against_advice(
            actor, session_id, AgainstAdvice("Left before the end", DOSE_WITNESS, True)
        )


def plan_dose(clinic, session_id: int, actor: Actor = NURSE, **values):
    """Plan the dose, as a nurse does before starting the infusion (the start requires a
    plan or a reason): 72.5 kg, 0.5 mg/kg, 10 mg/mL, lot KET-24101 unless told."""
    plan = dict(weight_kg=72.5, mg_per_kg=0.5, concentration_mg_ml=10.0, lot_number="KET-24101")
    return clinic.dose.plan(actor, session_id, **(plan | values))


def ask_questionnaires(clinic, session_id: int, actor: Actor = NURSE) -> None:
    """The clinic's questionnaires asked before the start, as a nurse reads them with the
    patient (the start requires them or a reason): every answer "Not at all" (score 0),
    so PHQ-9 item 9 = 0 and nothing holds the start. Those already asked are left."""
    from ketamon.domain.instruments import QUESTIONNAIRES, Instrument

    asked = {r.score.instrument.value for r in clinic.outcomes.for_session(session_id) if r.current}
    for name in clinic.settings.get().outcome_instruments:
        if name in asked:
            continue
        questionnaire = QUESTIONNAIRES[Instrument(name)]
        clinic.outcomes.record(actor, session_id, name, [0] * len(questionnaire.items))


def plan_escort(clinic, session_id: int, actor: Actor = NURSE):
    """The escort plan, as a nurse confirms it before the dose (the start requires one or
    a reason): Maria Lopez, sister, (212) 555-0143, the escort discharge_ready() verifies."""
    from ketamon.domain.discharge import Escort

    escort = Escort("Maria Lopez", "Sister", "(212) 555-0143")
    return clinic.discharge.save_escort_plan(actor, session_id, escort)
