"""Signing in (and a witness's password) gives nothing away: one argon2 verification for
every attempt, whatever is wrong, so the time does not tell an unknown, locked or
deactivated account from a wrong password; and text typed as a username reaches neither
the log nor the audit trail unless it is an existing username."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from ketamon import logs
from ketamon.cli import main
from ketamon.domain.clock import FakeClock
from ketamon.domain.errors import FieldError
from ketamon.services.clinic import Clinic
from ketamon.services.users import SignInRefused
from tests.conftest import NURSE, PASSWORD, T0, draft

pytestmark = pytest.mark.both_backends

# What a nurse types into the username box by mistake: her password.
TYPED_PASSWORD = "Wintergreen-Meadow-77"


@pytest.fixture
def verifications(monkeypatch) -> list[str]:
    """Every argon2 verification from now on (a spy around the real one), by hash."""
    calls: list[str] = []
    real = PasswordHasher.verify

    def spy(self, hash, password):  # argon2's own parameter name
        calls.append(hash)
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return calls


@pytest.fixture
def log_file(_isolated_data_dir, monkeypatch):
    monkeypatch.setattr(logs, "_configured", None)
    return logs.configure(_isolated_data_dir)


@pytest.fixture(scope="module")
def _staff_db(tmp_path_factory, _template_db: Path) -> Path:
    """nurse.jo (the first account), nurse.kim locked out, nurse.amy deactivated and
    nurse.lee active: built once for the module (argon2 is slow on purpose)."""
    path = tmp_path_factory.mktemp("staff") / "staff.sqlite3"
    shutil.copyfile(_template_db, path)
    clinic = Clinic.open(f"sqlite:///{path}", FakeClock(T0))
    clinic.users.add(NURSE, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    clinic.users.add(NURSE, "nurse.amy", "Amy Stone", "RN", "nurse", PASSWORD)
    clinic.users.add(NURSE, "nurse.lee", "Lee Park", "RN", "nurse", PASSWORD)
    clinic.users.deactivate(NURSE, "nurse.amy", "Left the clinic")
    for _ in range(5):
        with pytest.raises(SignInRefused):
            clinic.auth.sign_in("nurse.kim", "wrong password!")
    with clinic.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    clinic.close()
    return path


@pytest.fixture
def staff(_staff_db: Path, tmp_path: Path, clock):
    path = tmp_path / "staff.sqlite3"
    shutil.copyfile(_staff_db, path)
    clinic = Clinic.open(f"sqlite:///{path}", clock)
    yield clinic
    clinic.close()


CASES = {
    "unknown user": ("nobody.here", PASSWORD),
    "wrong password": ("nurse.jo", "wrong password!"),
    "locked, right password": ("nurse.kim", PASSWORD),
    "deactivated, right password": ("nurse.amy", PASSWORD),
    "a password typed as the username": (TYPED_PASSWORD, PASSWORD),
    "blank": ("", ""),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_refused_sign_in_verifies_one_hash(staff, verifications, case) -> None:
    username, password = CASES[case]
    with pytest.raises(SignInRefused):
        staff.auth.sign_in(username, password)
    assert len(verifications) == 1
    assert verifications[0].startswith("$argon2id$")  # the same kind of hash as a real one


def test_a_lone_surrogate_as_the_password_is_a_wrong_password(staff, verifications) -> None:
    """Found by hypothesis: argon2-cffi cannot encode it, and the sign-in crashed."""
    with pytest.raises(SignInRefused):
        staff.auth.sign_in("nurse.jo", "\ud800")
    assert len(verifications) == 1


def test_a_right_password_verifies_one_hash_too(staff, verifications) -> None:
    assert staff.auth.sign_in("nurse.jo", PASSWORD).username == "nurse.jo"
    assert len(verifications) == 1


def test_the_dummy_hash_has_the_parameters_of_a_real_one(staff, verifications) -> None:
    for username, password in (CASES["unknown user"], CASES["wrong password"]):
        with pytest.raises(SignInRefused):
            staff.auth.sign_in(username, password)
    dummy, real = verifications
    assert dummy != real
    assert dummy.rsplit("$", 2)[0] == real.rsplit("$", 2)[0]  # $argon2id$v=19$m=...,t=...,p=...


@pytest.fixture
def dose_session(staff) -> int:
    patient = staff.patients.register(NURSE, draft(weight_kg=80))
    s = staff.sessions.check_in(NURSE, staff.chairs.all()[0].id, patient.id, 40)
    staff.dose.plan(NURSE, s.id, 80, 0.5, 10, "L1")
    return s.id


WITNESS_CASES = CASES | {"wrong password": ("nurse.lee", "wrong password!")}
del WITNESS_CASES["blank"]  # refused at the field, before any password is checked


@pytest.mark.parametrize("case", list(WITNESS_CASES))
def test_every_refused_witness_verifies_one_hash(staff, dose_session, verifications, case):
    username, password = WITNESS_CASES[case]
    with pytest.raises(FieldError, match="not accepted"):
        staff.dose.complete(NURSE, dose_session, 40, 0, username, password)
    assert len(verifications) == 1


def _audit_text(clinic) -> str:
    with clinic.db.engine.connect() as conn:
        return repr(conn.execute(text("SELECT * FROM audit_log")).all())


def test_text_typed_as_a_username_is_neither_logged_nor_audited(staff, log_file) -> None:
    with pytest.raises(SignInRefused):
        staff.auth.sign_in(TYPED_PASSWORD, PASSWORD)
    with pytest.raises(SignInRefused):
        staff.auth.sign_in("nurse.jo", "wrong password!")
    log = log_file.read_text("utf-8")
    assert "sign-in refused for unknown user" in log
    assert "sign-in refused for nurse.jo" in log  # an existing username is named
    assert TYPED_PASSWORD.lower() not in log.lower()
    assert TYPED_PASSWORD.lower() not in _audit_text(staff).lower()


def test_text_typed_as_the_witness_is_neither_logged_nor_audited(
    staff, dose_session, log_file
) -> None:
    with pytest.raises(FieldError):
        staff.dose.complete(NURSE, dose_session, 40, 0, TYPED_PASSWORD, PASSWORD)
    with pytest.raises(FieldError):
        staff.dose.complete(NURSE, dose_session, 40, 0, "nurse.lee", "wrong password!")
    log = log_file.read_text("utf-8")
    assert f"session {dose_session}: dose witness unknown user refused" in log
    assert f"session {dose_session}: dose witness nurse.lee refused" in log
    assert TYPED_PASSWORD.lower() not in log.lower()
    assert TYPED_PASSWORD.lower() not in _audit_text(staff).lower()


def test_text_typed_after_dash_dash_as_is_not_logged(
    tmp_path, _isolated_data_dir, monkeypatch, capsys
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    first = ["user", "add", "boss", "--role", "admin", "--full-name", "Bo Sanchez"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("first admin pw\n"))
    assert main([*first, "--password-stdin", "--db", url]) == 0
    add = ["user", "add", "amy", "--role", "nurse", "--full-name", "Amy Stone"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("first admin pw\nnurse password 1\n"))
    assert main([*add, "--as", TYPED_PASSWORD, "--password-stdin", "--db", url]) == 1
    assert "Wrong username or password" in capsys.readouterr().err
    log = (_isolated_data_dir / logs.LOG_FILENAME).read_text("utf-8")
    assert "sign-in refused for unknown user" in log
    assert TYPED_PASSWORD.lower() not in log.lower()
