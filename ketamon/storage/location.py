"""Where the database lives: --db URL, then KETAMON_DB, then the configuration file, then
the per-user data directory.

The configuration file is ketamon.toml in the per-user configuration folder (Linux:
~/.config/KetaMon/), else in the computer's (Linux: /etc/xdg/KetaMon/), or the file
KETAMON_CONFIG names; it holds `database = "URL"`. A password never goes in it (such a
file is often readable by every user of the computer): libpq reads it from the pgpass file.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url

from ketamon.domain.errors import StorageError

APP_NAME = "KetaMon"
DB_FILENAME = "ketamon.sqlite3"
DEMO_DB_FILENAME = "ketamon-demo.sqlite3"
CONFIG_FILENAME = "ketamon.toml"


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


def config_files() -> list[Path]:
    """The configuration files read, first found first: KETAMON_CONFIG alone when set."""
    override = os.environ.get("KETAMON_CONFIG")
    if override:
        return [Path(override).expanduser()]
    return [
        platformdirs.user_config_path(APP_NAME, appauthor=False) / CONFIG_FILENAME,
        platformdirs.site_config_path(APP_NAME, appauthor=False) / CONFIG_FILENAME,
    ]


def has_password(url: str) -> bool:
    try:
        return make_url(url).password is not None
    except Exception:  # not a URL at all: the database reports that when it is opened
        return False


def configured_db_url() -> str | None:
    """`database` from the first configuration file that exists, None when none does."""
    for path in config_files():
        if not path.is_file():
            continue
        try:
            settings = tomllib.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise StorageError(
                str(path), f"the configuration file cannot be read: {error}"
            ) from error
        value = settings.get("database")
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise StorageError(
                str(path), 'database must be a URL in quotes: database = "postgresql+psycopg://..."'
            )
        if has_password(value):
            raise StorageError(
                str(path),
                "the database URL holds a password: take it out, and put it in the pgpass "
                "file (~/.pgpass, mode 0600) of the account that runs KetaMon",
            )
        return value.strip()
    return None


def resolve_db_url(cli_value: str | None, *, default: str | None = None) -> str:
    """The URL to open: the command line wins, then KETAMON_DB, then the configuration
    file, then the default. A command with a default of its own (`ketamon demo`) never
    takes the configuration file's: that is the clinic's database."""
    if cli_value:
        return cli_value
    env = os.environ.get("KETAMON_DB")
    if env:
        return env
    if default is not None:
        return default
    return configured_db_url() or default_db_url()
