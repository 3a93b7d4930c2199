"""ketamon.storage.locks: the OFD guards on the database's lock bytes, held while it is
open, released so that the last process still cleans up, and never dropping another
connection's locks in the same process. (The end-to-end proof with a second process and
kill -9 is tests/ui/test_file_dialog_locks.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ketamon.storage.locks import SUPPORTED, locks_on
from tests.conftest import open_clinic

pytestmark = pytest.mark.both_backends

linux_only = pytest.mark.skipif(not SUPPORTED, reason="OFD locks, /proc/locks: Linux only")


def files(db: Path) -> list[Path]:
    return [db, Path(f"{db}-shm")]


@linux_only
def test_a_new_database_is_guarded_once_open_and_cleaned_up_at_close(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    clinic = open_clinic(f"sqlite:///{db}")
    try:
        assert clinic.db.keep_locks()
        held = locks_on(files(db))
        assert held.ofd == 2  # the SHARED range of the file, the DMS byte of the -shm
        assert held.posix >= 2  # SQLite's own
    finally:
        clinic.close()
    # Released before SQLite closed: this process was the last, so SQLite checkpointed and
    # removed the -wal and -shm as it always does.
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()
    assert locks_on([db]).ofd == 0


@linux_only
@pytest.mark.sqlite_only("SQLite's file locks")
def test_an_existing_database_is_guarded_from_its_first_connection(clinic) -> None:
    db = clinic.db.path
    clinic.chairs.all()
    assert clinic.db.guard.held
    assert locks_on(files(db)).ofd == 2


@linux_only
@pytest.mark.sqlite_only("SQLite's file locks")
def test_closing_one_of_two_clinics_on_a_file_keeps_the_others_locks(clinic) -> None:
    db = clinic.db.path
    clinic.chairs.all()
    second = open_clinic(f"sqlite:///{db}")
    second.chairs.all()
    before = locks_on(files(db))
    second.close()
    assert locks_on(files(db)) == before  # the shared guard descriptor stays open
    clinic.chairs.all()
    assert locks_on(files(db)) == before


def test_locks_on_counts_this_processs_posix_locks_and_every_ofd_lock(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    db.write_bytes(b"")
    st = os.stat(db)
    dev = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    me, other = os.getpid(), os.getpid() + 1
    fake = tmp_path / "locks"
    fake.write_text(
        f"1: POSIX  ADVISORY  READ {me} {dev} 128 128\n"
        f"1: -> POSIX  ADVISORY  WRITE {other} {dev} 128 128\n"  # a blocked request
        f"2: POSIX  ADVISORY  READ {other} {dev} 1073741826 1073742335\n"  # another process
        f"3: OFDLCK ADVISORY  READ -1 {dev} 1073741826 1073742335\n"
        f"4: POSIX  ADVISORY  READ {me} fe:00:1 0 EOF\n"  # another file
    )
    held = locks_on([db], fake)
    assert (held.posix, held.ofd) == (1, 1)
