"""`ketamon backup`: a consistent copy taken while the app writes, checked before it is
trusted (integrity_check, and the audit trail verified as `ketamon audit verify` does); on
PostgreSQL pg_dump, restored with pg_restore and verified (the README's walk-through)."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from ketamon.cli import main
from ketamon.storage import backup
from tests.conftest import NURSE, draft, open_clinic
from tests.pg import TestServer, wheel_install


def _patients(path: Path) -> int:
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(raw.execute("SELECT count(*) FROM patient").fetchone()[0])
    finally:
        raw.close()


def test_a_backup_taken_while_another_workstation_writes_opens_and_verifies(
    clinic, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clinic.patients.register(NURSE, draft("MRN0"))
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def keep_writing() -> None:
        writer = open_clinic(db_url)
        try:
            n = 1
            while not stop.is_set():
                writer.patients.register(NURSE, draft(f"MRN{n}", f"Patient {n}"))
                written.append(n)
                n += 1
        except BaseException as error:
            failures.append(error)
        finally:
            writer.close(anchor=False)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        outs = []
        for i in range(3):
            while len(written) < 5 * (i + 1) and thread.is_alive():
                stop.wait(0.01)
            out = tmp_path / f"copy-{i}.sqlite3"
            assert main(["backup", "--db", db_url, "--out", str(out)]) == 0, capsys.readouterr()
            outs.append(out)
    finally:
        stop.set()
        thread.join(60)
    assert failures == []
    printed = capsys.readouterr().out
    assert printed.count("integrity_check ok, audit trail intact") == 3
    counts = [_patients(out) for out in outs]
    assert counts == sorted(counts) and counts[0] > 1 and counts[-1] <= 1 + len(written)
    for out in outs:
        assert backup.integrity_problems(out) == []
        assert main(["audit", "verify", "--db", f"sqlite:///{out}"]) == 0
        assert not Path(f"{out}-wal").exists()  # one self-contained file


def test_a_backup_never_overwrites_and_a_tampered_copy_is_reported(
    clinic, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clinic.patients.register(NURSE, draft())
    clinic.close(anchor=False)
    out = tmp_path / "copy.sqlite3"
    out.write_text("yesterday's backup")
    assert main(["backup", "--db", db_url, "--out", str(out)]) == 1
    assert "exists already; nothing was written" in capsys.readouterr().err
    assert out.read_text() == "yesterday's backup"

    raw = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE patient SET full_name = 'Someone Else'")
    raw.commit()
    raw.close()
    fresh = tmp_path / "fresh.sqlite3"
    assert main(["backup", "--db", db_url, "--out", str(fresh)]) == 3
    err = capsys.readouterr().err
    assert f"the copy {fresh} does not verify" in err
    assert "audit_log_no_update" in err


def _pg_program(name: str) -> str:
    return str(wheel_install() / "bin" / name)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_postgresql_backup_restores_and_verifies(
    clinic,
    db_url: str,
    _pg_admin: Engine,
    pg_server: TestServer | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if pg_server is None:
        pytest.skip("needs the test run's own server (its pg_dump matches it)")
    clinic.patients.register(NURSE, draft())
    clinic.close()  # anchors the head in the data folder
    out = tmp_path / "clinic.dump"
    with_password = make_url(db_url).set(password="s3cret-in-url").render_as_string(False)
    argv = ["backup", "--db", with_password, "--out", str(out)]
    assert main([*argv, "--pg-dump", _pg_program("pg_dump")]) == 0
    printed = capsys.readouterr().out
    assert "--format=custom" in printed and "s3cret-in-url" not in printed
    assert out.stat().st_size > 0

    restored = f"{make_url(db_url).database}_restored"
    with _pg_admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {restored}")
    try:
        target = make_url(db_url).set(database=restored).render_as_string(False)
        conninfo, _env = backup.libpq_conninfo(target)
        subprocess.run(
            [_pg_program("pg_restore"), "--exit-on-error", f"--dbname={conninfo}", str(out)],
            check=True,
            capture_output=True,
        )
        assert main(["audit", "verify", "--db", target]) == 0
        assert "Audit trail intact" in capsys.readouterr().out
    finally:
        with _pg_admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {restored} WITH (FORCE)")


def test_without_pg_dump_the_command_to_run_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://ketamon_owner:pw@db.clinic.example/ketamon?sslmode=verify-full"
    argv = ["backup", "--db", url, "--out", str(tmp_path / "x.dump")]
    assert main([*argv, "--pg-dump", "no-such-pg_dump"]) == 1
    err = capsys.readouterr().err
    assert "no-such-pg_dump was not found" in err
    assert "--dbname=dbname='ketamon' user='ketamon_owner' host='db.clinic.example'" in err
    assert "sslmode='verify-full'" in err and "pw@" not in err and "'pw'" not in err
