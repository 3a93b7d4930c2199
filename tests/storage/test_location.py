"""Where the database lives: --db, then KETAMON_DB, then the configuration file, then
the per-user data folder; a password in a URL is never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketamon.cli import main
from ketamon.storage.database import Database, StorageError
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


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str) -> Path:
    path = tmp_path / "KetaMon" / "ketamon.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, "utf-8")
    monkeypatch.setenv("KETAMON_CONFIG", str(path))
    return path


PG = "postgresql+psycopg://ketamon_app@db.clinic.example/ketamon?sslmode=verify-full"


def test_the_configuration_file_comes_after_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(tmp_path, monkeypatch, f'# the clinic server\ndatabase = "{PG}"\n')
    assert resolve_db_url(None) == PG
    monkeypatch.setenv("KETAMON_DB", "sqlite:////env/clinic.sqlite3")
    assert resolve_db_url(None) == "sqlite:////env/clinic.sqlite3"
    assert resolve_db_url("sqlite:////cli/c.sqlite3") == "sqlite:////cli/c.sqlite3"


def test_the_demo_never_takes_the_configured_clinic_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(tmp_path, monkeypatch, f'database = "{PG}"\n')
    assert resolve_db_url(None, default=demo_db_url()) == demo_db_url()


def test_the_per_user_configuration_folder_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KETAMON_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc-xdg"))
    assert resolve_db_url(None) == default_db_url()  # no file anywhere yet
    site = tmp_path / "etc-xdg" / "KetaMon" / "ketamon.toml"
    site.parent.mkdir(parents=True)
    site.write_text('database = "sqlite:////srv/site.sqlite3"\n')
    assert resolve_db_url(None) == "sqlite:////srv/site.sqlite3"
    mine = tmp_path / "home-config" / "KetaMon" / "ketamon.toml"
    mine.parent.mkdir(parents=True)
    mine.write_text(f'database = "{PG}"\n')
    assert resolve_db_url(None) == PG


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("database = postgresql://x", "cannot be read"),
        ("database = 5", "must be a URL in quotes"),
        ('database = "postgresql+psycopg://app:s3cret@db/ketamon"', "holds a password"),
    ],
)
def test_a_bad_configuration_file_is_named_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, reason: str
) -> None:
    path = _config(tmp_path, monkeypatch, content)
    with pytest.raises(StorageError) as refused:
        resolve_db_url(None)
    assert str(path) in str(refused.value) and reason in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_a_password_in_a_url_is_never_shown_nor_logged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], _isolated_data_dir: Path
) -> None:
    """A URL typed with a password: the error, the warning and the log never repeat it."""
    url = f"postgresql+psycopg://app:s3cret-pw@/ketamon?host={tmp_path}/no-server"
    with pytest.raises(StorageError) as refused:
        Database(url).check_connection()
    # The server is named as HOST:PORT/DB (never the login, never the password).
    assert "s3cret" not in str(refused.value) and "no-server:5432/ketamon" in str(refused.value)
    for argv in (["audit", "verify", "--db", url], ["db", "upgrade", "--db", url]):
        assert main(argv) == 1
        out = capsys.readouterr()
        assert "s3cret" not in out.out + out.err
        assert "warning: the --db URL holds a password" in out.err
    log = _isolated_data_dir / "ketamon.log"
    assert not log.exists() or "s3cret" not in log.read_text()
