"""Where the database lives: --db URL, then KETAMON_DB, then the per-user data directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "KetaMon"
DB_FILENAME = "ketamon.sqlite3"
DEMO_DB_FILENAME = "ketamon-demo.sqlite3"


def data_dir() -> Path:
    """KETAMON_DATA_DIR if set, else the platform's per-user data directory."""
    override = os.environ.get("KETAMON_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def default_db_url() -> str:
    return sqlite_url(data_dir() / DB_FILENAME)


def demo_db_url() -> str:
    return sqlite_url(data_dir() / DEMO_DB_FILENAME)


def resolve_db_url(cli_value: str | None, *, default: str | None = None) -> str:
    """The URL to open: the command line wins, then KETAMON_DB, then the default."""
    if cli_value:
        return cli_value
    env = os.environ.get("KETAMON_DB")
    if env:
        return env
    return default or default_db_url()
