"""The `ketamon` command: one clear line and a non-zero exit on errors, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ketamon import __version__
from ketamon.cli import main
from ketamon.services.clinic import Clinic

ROOT = Path(__file__).resolve().parents[1]


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"ketamon {__version__}"


def test_main_py_is_the_same_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "main.py", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, f"ketamon {__version__}")


def test_unknown_option_is_one_line(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--frobnicate"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unrecognized arguments: --frobnicate" in err


def test_unopenable_database_is_one_line_naming_the_file(tmp_path, capsys):
    target = tmp_path / "no-such-folder" / "clinic.sqlite3"
    assert main(["--db", f"sqlite:///{target}"]) == 1
    err = capsys.readouterr().err
    assert err == f"ketamon: Database {target}: the folder {target.parent} does not exist\n"


def test_demo_seeds_an_empty_database_and_refuses_a_second_time(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert main(["demo", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "30 patients" in out
    clinic = Clinic.open(url)
    try:
        board = clinic.board.get()
        assert len(board.chairs) == 6
        assert 3 <= len(board.sessions) <= 4
    finally:
        clinic.close()
    assert main(["demo", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ketamon: ") and "already holds patient records" in err
    assert err.count("\n") == 1


def test_demo_without_db_uses_the_separate_demo_database(_isolated_data_dir, capsys):
    assert main(["demo"]) == 0
    assert (_isolated_data_dir / "ketamon-demo.sqlite3").is_file()
    assert not (_isolated_data_dir / "ketamon.sqlite3").exists()


def test_ketamon_db_environment_variable_selects_the_database(tmp_path, monkeypatch, capsys):
    target = tmp_path / "missing" / "env.sqlite3"
    monkeypatch.setenv("KETAMON_DB", f"sqlite:///{target}")
    assert main([]) == 1
    assert str(target) in capsys.readouterr().err


def _stdin(monkeypatch, text: str) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_user_commands_from_first_admin_to_deactivation(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    _stdin(monkeypatch, "first admin pw\n")
    assert (
        main(
            [
                "user",
                "add",
                "boss",
                "--role",
                "admin,nurse",
                "--full-name",
                "Bo Sanchez",
                "--credentials",
                "RN",
                "--password-stdin",
                "--db",
                url,
            ]
        )
        == 0
    )
    assert "the first administrator" in capsys.readouterr().out

    _stdin(monkeypatch, "first admin pw\nnurse password 1\n")
    assert (
        main(
            [
                "user",
                "add",
                "amy",
                "--role",
                "nurse",
                "--full-name",
                "Amy Stone",
                "--as",
                "boss",
                "--password-stdin",
                "--db",
                url,
            ]
        )
        == 0
    )
    _stdin(monkeypatch, "first admin pw\n")
    assert (
        main(
            [
                "user",
                "deactivate",
                "amy",
                "--reason",
                "Left",
                "--as",
                "boss",
                "--password-stdin",
                "--db",
                url,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["user", "list", "--db", url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "amy\tAmy Stone\tnurse\tdeactivated",
        "boss\tBo Sanchez, RN\tadmin,nurse\tactive",
    ]


def test_user_add_refusals_are_one_line(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    _stdin(monkeypatch, "short\n")
    assert (
        main(
            [
                "user",
                "add",
                "boss",
                "--role",
                "admin",
                "--full-name",
                "B",
                "--password-stdin",
                "--db",
                url,
            ]
        )
        == 1
    )
    assert capsys.readouterr().err == ("ketamon: Password must be at least 10 characters\n")
    _stdin(monkeypatch, "first admin pw\n")
    main(
        [
            "user",
            "add",
            "boss",
            "--role",
            "admin",
            "--full-name",
            "B",
            "--password-stdin",
            "--db",
            url,
        ]
    )
    _stdin(monkeypatch, "wrong admin pw\nnurse password 1\n")
    assert (
        main(
            [
                "user",
                "add",
                "amy",
                "--role",
                "nurse",
                "--full-name",
                "Amy",
                "--as",
                "boss",
                "--password-stdin",
                "--db",
                url,
            ]
        )
        == 1
    )
    assert "Wrong username or password" in capsys.readouterr().err
    _stdin(monkeypatch, "first admin pw\nnurse password 1\n")
    assert (
        main(
            [
                "user",
                "add",
                "amy",
                "--role",
                "surgeon",
                "--full-name",
                "Amy",
                "--as",
                "boss",
                "--password-stdin",
                "--db",
                url,
            ]
        )
        == 1
    )
    assert "Unknown role 'surgeon'" in capsys.readouterr().err


def test_audit_verify_exit_codes(tmp_path, capsys):
    import sqlite3

    path = tmp_path / "demo.sqlite3"
    assert main(["demo", "--db", f"sqlite:///{path}"]) == 0
    assert main(["audit", "verify", "--db", f"sqlite:///{path}"]) == 0
    assert "Audit trail intact" in capsys.readouterr().out
    raw = sqlite3.connect(path)
    # an unsigned session (the demo's past ones are signed, and locked by triggers)
    (unsigned,) = raw.execute(
        "SELECT max(id) FROM infusion_session WHERE review_status IS NOT 'signed'"
    ).fetchone()
    raw.execute("UPDATE infusion_session SET target_minutes = 55 WHERE id = ?", (unsigned,))
    raw.commit()
    raw.close()
    assert main(["audit", "verify", "--db", f"sqlite:///{path}"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(
        f"ketamon: audit trail BROKEN: infusion_session {unsigned} field target_minutes is '55'"
    )


def test_audit_anchor_copies_to_a_chosen_folder_and_verify_checks_it(
    tmp_path, capsys, _isolated_data_dir
):
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    add = ["user", "add", "admin", "--role", "admin", "--full-name", "A", "--password-stdin"]
    import io
    import sys

    sys.stdin = io.StringIO("long enough password\nlong enough password\n")
    try:
        assert main([*add, "--db", url]) == 0  # closing anchored it in the data folder
    finally:
        sys.stdin = sys.__stdin__
    backup = tmp_path / "usb"
    backup.mkdir()
    capsys.readouterr()
    assert main(["audit", "anchor", "--copy-to", str(backup), "--db", url]) == 0
    out = capsys.readouterr().out
    assert "already holds row" in out and "Anchored row" in out and str(backup) in out
    assert main(["audit", "verify", "--anchors", str(backup), "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Audit trail intact")
    checked = ": 1 anchor(s) of this database checked"
    assert f"  anchors: {_isolated_data_dir / 'audit-anchors.txt'}{checked}" in out
    assert f"  anchors: {backup / 'audit-anchors.txt'}{checked}" in out
    # verify writes nothing, not even an anchor
    assert len((backup / "audit-anchors.txt").read_text().splitlines()) == 1
    assert main(["audit", "anchor", "--copy-to", str(tmp_path / "unplugged"), "--db", url]) == 1
    assert "could not anchor in" in capsys.readouterr().err


def test_audit_verify_prints_every_problem(tmp_path, capsys):
    import sqlite3

    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert main(["audit", "verify", "--db", url]) == 0  # an empty database: nothing to check
    out = capsys.readouterr().out
    assert "no rows yet" in out and "warning: no anchors yet in" in out
    raw = sqlite3.connect(tmp_path / "clinic.sqlite3")
    names = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    for name in names:
        raw.execute(f"DROP TRIGGER {name}")
    raw.close()
    assert main(["audit", "verify", "--db", url]) == 3
    err = capsys.readouterr().err.splitlines()
    assert len([line for line in err if "protection missing" in line]) == len(names) > 25


def test_export_csv_by_a_named_physician_and_refused_for_a_nurse(
    tmp_path, monkeypatch, capsys, clinic, clock, db_url
):
    """`ketamon export csv`: files for the period; a nurse, or a wrong password, writes
    nothing; each refusal is one line."""
    import csv as csv_module

    from tests.conftest import PASSWORD, add_user
    from tests.reports.conftest import discharged_session

    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    add_user(clinic, "nurse.sam", "Sam Okoye", "RN", "nurse", PASSWORD)
    discharged_session(clinic, clock, sets=6)
    day = clock().date().isoformat()
    base = ["export", "csv", "--from", day, "--to", day, "--password-stdin", "--db", db_url]

    _stdin(monkeypatch, PASSWORD + "\n")
    assert main([*base, "--out", str(tmp_path / "ok"), "--as", "dr.patel"]) == 0
    out = capsys.readouterr().out
    assert "sessions.csv: 1 rows (sessions)" in out and "audit trail" in out
    with (tmp_path / "ok" / "sessions.csv").open(newline="") as handle:
        assert [r["patient_mrn"] for r in csv_module.DictReader(handle)] == ["KM-20001"]

    _stdin(monkeypatch, PASSWORD + "\n")
    assert main([*base, "--out", str(tmp_path / "nurse"), "--as", "nurse.sam"]) == 1
    assert "physician or an administrator" in capsys.readouterr().err
    _stdin(monkeypatch, "not the password\n")
    assert main([*base, "--out", str(tmp_path / "wrong"), "--as", "dr.patel"]) == 1
    assert capsys.readouterr().err.startswith("ketamon: ")
    assert not (tmp_path / "nurse").exists() and not (tmp_path / "wrong").exists()


def test_export_fhir_one_session_one_patient_or_a_period(
    tmp_path, monkeypatch, capsys, clinic, clock, db_url
):
    """`ketamon export fhir (SESSION_ID | --patient MRN | --from --to) --out FILE.json`: a
    Bundle that passes the own checks; naming two scopes, or none, is refused in words."""
    import json

    from ketamon.reports.fhir_checks import check_bundle
    from tests.conftest import PASSWORD, add_user
    from tests.reports.conftest import discharged_session

    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    s = discharged_session(clinic, clock, sets=6)
    day = clock().date().isoformat()
    base = ["export", "fhir", "--as", "dr.patel", "--password-stdin", "--db", db_url]
    for name, scope in (
        ("one.json", [str(s.id)]),
        ("patient.json", ["--patient", "KM-20001"]),
        ("period.json", ["--from", day, "--to", day]),
    ):
        _stdin(monkeypatch, PASSWORD + "\n")
        assert main([*base, *scope, "--out", str(tmp_path / name)]) == 0
        out = capsys.readouterr().out
        assert f"{tmp_path / name}: 1 session (" in out and "Encounter 1" in out
        assert "1 session(s) without a valid signature" in out
        bundle = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        assert check_bundle(bundle) == [] and len(bundle["entry"]) > 10
    for scope in ([str(s.id), "--patient", "KM-20001"], []):
        _stdin(monkeypatch, PASSWORD + "\n")
        assert main([*base, *scope, "--out", str(tmp_path / "bad.json")]) == 1
        assert "one session, one patient (MRN) or one period" in capsys.readouterr().err
    assert not (tmp_path / "bad.json").exists()
