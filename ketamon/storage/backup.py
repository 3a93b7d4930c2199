"""Backups: SQLite through its online backup API, PostgreSQL through pg_dump.

SQLite's backup API copies a consistent snapshot while the app keeps writing (in WAL mode a
reader never blocks a writer; the whole file is copied in one step, so no write of another
connection lands half-way). The copy is then checked with PRAGMA integrity_check; the
caller verifies its audit trail as `ketamon audit verify` does.

PostgreSQL's consistent copy is pg_dump's (one snapshot, while workstations keep working),
in its custom format (restored with pg_restore). The password is never put on pg_dump's
command line: libpq reads it from the pgpass file, or from PGPASSWORD when the URL held one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from ketamon.domain.errors import StorageError

# URL query parameters handed to libpq as they are (TLS, timeouts, the socket folder).
LIBPQ_PARAMETERS = (
    "host",
    "port",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "connect_timeout",
    "application_name",
    "target_session_attrs",
    "passfile",
)


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite database at `source` into the new file `target`."""
    if target.exists():
        raise StorageError(str(target), "the backup file exists already; nothing was written")
    if not target.parent.is_dir():
        raise StorageError(str(target), f"the folder {target.parent} does not exist")
    if not source.is_file():
        raise StorageError(str(source), "there is no database file here; nothing was written")
    try:
        src = sqlite3.connect(str(source))
    except sqlite3.Error as error:
        raise StorageError(str(source), f"cannot be read: {error}") from error
    try:
        dest = sqlite3.connect(str(target))
        try:
            src.backup(dest)  # pages=-1: the whole database in one step, one snapshot
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dest.close()
    except sqlite3.Error as error:
        with contextlib.suppress(OSError):
            target.unlink()
        raise StorageError(str(target), f"the backup failed: {error}; nothing kept") from error
    finally:
        src.close()


def integrity_problems(path: Path) -> list[str]:
    """PRAGMA integrity_check of a SQLite file, opened read-only: [] when it is sound."""
    try:
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return [f"cannot be opened: {error}"]
    try:
        rows = [str(r[0]) for r in raw.execute("PRAGMA integrity_check")]
    except sqlite3.Error as error:
        return [str(error)]
    finally:
        raw.close()
    return [] if rows == ["ok"] else rows


def libpq_conninfo(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for a postgresql URL, without its password, and the
    environment that carries the password when the URL has one."""
    parsed = make_url(url)
    parts = {"dbname": parsed.database or "", "user": parsed.username or ""}
    if parsed.host:
        parts["host"] = parsed.host
    if parsed.port:
        parts["port"] = str(parsed.port)
    for key in LIBPQ_PARAMETERS:
        value = parsed.query.get(key)
        if isinstance(value, tuple):
            value = value[-1]
        if value:
            parts[key] = value
    conninfo = " ".join(
        f"{key}='{value.replace(chr(92), chr(92) * 2).replace(chr(39), chr(92) + chr(39))}'"
        for key, value in parts.items()
        if value
    )
    env = {"PGPASSWORD": str(parsed.password)} if parsed.password else {}
    return conninfo, env


def pg_dump_command(url: str, out: Path, program: str = "pg_dump") -> list[str]:
    conninfo, _env = libpq_conninfo(url)
    return [program, "--format=custom", f"--file={out}", f"--dbname={conninfo}"]


def pg_dump(url: str, out: Path, program: str = "pg_dump") -> list[str]:
    """Run pg_dump into the new file `out`; returns the command run (no password in it)."""
    if out.exists():
        raise StorageError(str(out), "the backup file exists already; nothing was written")
    found = shutil.which(program)
    command = pg_dump_command(url, out, program)
    if found is None:
        raise StorageError(
            make_url(url).render_as_string(hide_password=True),
            f"{program} was not found; install the PostgreSQL client (the server's major "
            f"version or newer) or pass --pg-dump PATH, or run: {' '.join(command)}",
        )
    _conninfo, env = libpq_conninfo(url)
    result = subprocess.run(
        [found, *command[1:]],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        with contextlib.suppress(OSError):
            out.unlink()
        lines = result.stderr.strip().splitlines() or ["failed"]
        reason = next((line for line in lines if "error:" in line), lines[-1])
        reason = reason.removeprefix("pg_dump: ").removeprefix("error: ")
        raise StorageError(make_url(url).render_as_string(hide_password=True), f"pg_dump: {reason}")
    return command


def pg_dump_readable(out: Path, program: str = "pg_dump") -> list[str]:
    """pg_restore --list of the dump (pg_restore beside pg_dump): [] when it reads."""
    found = shutil.which(program)
    restore = Path(found).with_name("pg_restore") if found else None
    if restore is None or not restore.exists():
        return []  # nothing to check it with: pg_dump's exit status is all there is
    result = subprocess.run(
        [str(restore), "--list", str(out)], stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    if result.returncode != 0:
        return [result.stderr.strip() or "pg_restore cannot read it"]
    if "TABLE DATA" not in result.stdout or "audit_log" not in result.stdout:
        return ["the dump holds no audit_log data"]
    return []
