"""The issue as reported: every file dialog opened on the database's folder, another
process reading and writing, a save in the app, then `kill -9`. Nothing may be lost.

Before the fix Qt's file dialog read the -wal and -shm (and a database not called *.sqlite3)
to guess their types; closing them dropped every POSIX lock SQLite held in the app, the
second process believed it was the last, checkpointed and deleted the -wal, and the app's
next save went into the deleted file: "saved", then gone at `kill -9`.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ketamon.storage.locks import SUPPORTED
from tests.conftest import PASSWORD, open_clinic

ROOT = Path(__file__).resolve().parents[2]
KETAMON = [sys.executable, "-m", "ketamon"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SUPPORTED, reason="POSIX / OFD locks in /proc/locks: Linux only"),
]


class App:
    """The app side (tests/ui/lock_child.py), one command per line."""

    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.lock_child", url],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def reply(self, command: str | None = None) -> list[str]:
        if command is not None:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            self.process.kill()
            raise AssertionError(self.process.stderr.read())
        return line.split()

    def kill_minus_nine(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        assert self.process.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def ketamon(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [*KETAMON, *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True
    )


def another_process_reads_and_writes(env: dict[str, str], url: str) -> None:
    """A second workstation's command line: adds a user (reads, writes, closes), then
    verifies the audit trail (reads, closes)."""
    added = ketamon(
        env,
        *("user", "add", "nurse.two", "--role", "nurse", "--full-name", "Sam Two"),
        *("--as", "nurse.jo", "--password-stdin", "--db", url),
        stdin=f"{PASSWORD}\nsecond nurse pw\nsecond nurse pw\n",
    )
    assert added.returncode == 0, added.stderr
    verified = ketamon(env, "audit", "verify", "--db", url)
    assert verified.returncode == 0, verified.stderr


def check_nothing_lost(env: dict[str, str], db: Path, url: str, vitals_id: int) -> None:
    fresh = sqlite3.connect(db)  # a fresh reader, after kill -9
    try:
        assert fresh.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        saved = fresh.execute("SELECT systolic FROM vitals_set WHERE id = ?", (vitals_id,))
        assert saved.fetchall() == [(131,)], "the vitals set the app saved is gone"
        users = fresh.execute("SELECT username FROM app_user ORDER BY username")
        assert [u for (u,) in users] == ["nurse.jo", "nurse.two"]
    finally:
        fresh.close()
    verified = ketamon(env, "audit", "verify", "--db", url)
    assert verified.returncode == 0, verified.stdout + verified.stderr


# The default name, and a name Qt can only type by reading the file (the database itself
# was read and closed then too).
@pytest.mark.parametrize("name", ["ketamon.sqlite3", "clinic-records"])
def test_file_dialogs_on_the_database_folder_lose_nothing(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "clinic"
    folder.mkdir()
    db = folder / name
    url = f"sqlite:///{db}"
    open_clinic(url).close()  # migrated, with the first account
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        KETAMON_DATA_DIR=str(tmp_path / "data"),
    )
    app = App(url, env)
    try:
        ready = app.reply()  # READY session posix ofd: a connection open, a write done
        assert ready[0] == "READY", ready
        posix_before = int(ready[2])
        assert posix_before >= 2  # SQLite's SHARED lock on the file, its -shm lock

        shown = app.reply("dialogs")  # summary PDF and chart PNG, on the database's folder
        assert shown[0] == "DIALOGS"
        assert shown[3:] == [str(folder / "summary.pdf"), str(folder / "chart.png")]
        assert int(shown[1]) == posix_before, "a file dialog dropped SQLite's locks"
        assert (folder / "summary.pdf").stat().st_size > 0

        another_process_reads_and_writes(env, url)

        saved = app.reply("save")
        assert saved[0] == "SAVED"
        assert int(saved[2]) == posix_before, "the locks are not held any more"
        assert int(saved[3]) == 2  # the guards (ketamon.storage.locks)
        app.kill_minus_nine()
    finally:
        app.stop()
    check_nothing_lost(env, db, url, int(saved[1]))


def test_a_close_of_the_database_files_elsewhere_in_the_app_loses_nothing(
    tmp_path: Path,
) -> None:
    """The second line (ketamon.storage.locks): even when code in the app opens and closes
    the database, -wal and -shm (SQLite's POSIX locks are gone), another process cannot
    reset the -shm or delete the -wal, and the app's next save survives kill -9."""
    folder = tmp_path / "clinic"
    folder.mkdir()
    db = folder / "clinic-records"
    url = f"sqlite:///{db}"
    open_clinic(url).close()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        KETAMON_DATA_DIR=str(tmp_path / "data"),
    )
    app = App(url, env)
    try:
        assert app.reply()[0] == "READY"
        sniffed = app.reply("sniff")
        assert sniffed == ["SNIFFED", "0", "2"]  # POSIX locks gone, the guards still held
        another_process_reads_and_writes(env, url)
        assert Path(f"{db}-wal").exists(), "the other process deleted the -wal"
        saved = app.reply("save")
        assert saved[0] == "SAVED"
        app.kill_minus_nine()
    finally:
        app.stop()
    check_nothing_lost(env, db, url, int(saved[1]))
