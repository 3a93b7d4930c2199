"""Where the database lives: --db, then KETAMON_DB, then the per-user data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketamon.storage.location import (
    DB_FILENAME,
    DEMO_DB_FILENAME,
    data_dir,
    default_db_url,
    demo_db_url,
    resolve_db_url,
    sqlite_url,
)


def test_the_data_folder_is_the_override_when_set(_isolated_data_dir: Path) -> None:
    assert data_dir() == _isolated_data_dir
    assert default_db_url() == sqlite_url(_isolated_data_dir / DB_FILENAME)
    assert demo_db_url() == sqlite_url(_isolated_data_dir / DEMO_DB_FILENAME)


def test_the_command_line_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETAMON_DB", "sqlite:////env/clinic.sqlite3")
    assert resolve_db_url("sqlite:////cli/clinic.sqlite3") == "sqlite:////cli/clinic.sqlite3"


def test_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETAMON_DB", "sqlite:////env/clinic.sqlite3")
    assert resolve_db_url(None) == "sqlite:////env/clinic.sqlite3"
    assert resolve_db_url(None, default="sqlite:////demo.sqlite3") == (
        "sqlite:////env/clinic.sqlite3"
    )


def test_then_the_default(_isolated_data_dir: Path) -> None:
    assert resolve_db_url(None) == sqlite_url(_isolated_data_dir / DB_FILENAME)
    assert resolve_db_url("", default="sqlite:////demo.sqlite3") == "sqlite:////demo.sqlite3"
