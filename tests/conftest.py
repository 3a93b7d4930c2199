"""Shared fixtures. Qt runs offscreen; no test touches a real clinic database."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from ketamon.domain.actors import Actor  # noqa: E402
from ketamon.domain.clock import FakeClock  # noqa: E402
from ketamon.domain.patients import PatientDraft  # noqa: E402

T0 = datetime(2026, 3, 2, 14, 0, 0, tzinfo=UTC)
# The clinic fixture's first account: a charge nurse who also administers (roles nurse,admin).
NURSE = Actor("nurse.jo", "Jo Rivera, RN")
PASSWORD = "correct horse battery"
TEMPORARY_PASSWORD = "temporary pass 1"  # what an administrator types for a new account


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("KETAMON_DATA_DIR", str(data))
    monkeypatch.delenv("KETAMON_DB", raising=False)
    return data


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
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
def clinic(db_url: str, clock: FakeClock, _template_db: Path):
    from ketamon.services.clinic import Clinic
    from ketamon.services.keys import TEST_KDF

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
    )


def baseline(clinic, session_id: int, actor: Actor = NURSE, **values):
    """Record a normal baseline vitals set, as a nurse does before starting the infusion."""
    from ketamon.domain.vitals import VitalsDraft

    normal = dict(systolic=124, diastolic=78, heart_rate=72, spo2=98, resp_rate=14) | values
    return clinic.vitals.record(actor, session_id, VitalsDraft(**normal))
