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
        board = clinic.sessions.board()
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
