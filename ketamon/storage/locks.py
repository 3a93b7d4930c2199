"""SQLite's locks survive any close() in this process (Linux): open-file-description guards.

The hazard ("How To Corrupt An SQLite Database File", §2.2): SQLite locks its files with
POSIX advisory locks, which belong to the *process*; any close() of *any* descriptor on the
same file releases all of them. A Qt file dialog shown on the database's folder did exactly
that (it read the first bytes of the database, -wal and -shm to guess their file types), and
from then on another connection (`ketamon summary`, a second window) believed it was the
only one: it reset the -shm or checkpointed and deleted the -wal that this process kept
writing into. Saved records vanished at the next `kill -9`.

ketamon.ui.file_dialogs makes the dialogs never open those files. This module makes the
outcome impossible even if something else in the process does (a future dialog, a plugin,
a copy of the file): while a Database is open, the process holds its own *OFD* read locks
(Linux "open file description" locks, F_OFD_SETLK) on the two bytes that decide who is the
last connection:

- the database file's SHARED range: whoever wants to checkpoint and delete the -wal on
  close, or change the journal mode, first needs an EXCLUSIVE lock on it, and cannot get
  one while any reader holds a read lock there;
- the -shm file's "DMS" byte: a connection that gets a write lock on it believes it is the
  first and truncates the -shm under everybody else.

OFD locks conflict with SQLite's POSIX locks exactly like another process's would, in every
process (this one included), but they belong to the descriptor held here, which nothing
else closes: another process's closing connection sees a reader and leaves the -wal alone.
They are released just before the Database closes its connections, so a process that is
really the last still checkpoints and removes the -wal as usual.

A persistent extra descriptor on its own would not help (POSIX locks are per process, not
per descriptor); `PRAGMA locking_mode=EXCLUSIVE` or the `unix-excl` VFS would lock every
other program out (the command line, a second workstation) for as long as the board is open.

Descriptors are shared per file within the process and closed when the last Database on
that file closes, so the guard itself never drops another connection's locks.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import struct
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

# SQLite's unix VFS lock bytes (os_unix.c): the database file's SHARED range and the -shm
# "dead man switch" byte, (22 + SQLITE_SHM_NLOCK) * 4 + SQLITE_SHM_NLOCK.
PENDING_BYTE = 0x40000000
SHARED_FIRST = PENDING_BYTE + 2
SHARED_SIZE = 510
SHM_DMS = (22 + 8) * 4 + 8

# struct flock on 64-bit Linux: short l_type, short l_whence, off_t l_start, off_t l_len,
# pid_t l_pid (0 for OFD locks), padded to 32 bytes.
_FLOCK = "hhqqi4x"
SUPPORTED = (
    sys.platform.startswith("linux")
    and hasattr(fcntl, "F_OFD_SETLK")
    and struct.calcsize("P") == 8
    and struct.calcsize(_FLOCK) == 32
)


def _ofd_lock(fd: int, kind: int, start: int, length: int) -> None:
    fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack(_FLOCK, kind, os.SEEK_SET, start, length, 0))


@dataclass
class _Held:
    """One file's guard descriptor, shared by the Databases of this process."""

    fd: int
    start: int
    length: int
    users: set[int] = field(default_factory=set)  # id() of the guards using it


_held: dict[tuple[int, int], _Held] = {}  # (st_dev, st_ino) -> descriptor
_mutex = threading.Lock()


class LockGuard:
    """The OFD read locks on one SQLite database (WAL mode) and its -shm, while it is open.

    `hold()` is called once SQLite itself has the files open (a connection has read the
    database in WAL mode); it is idempotent and cheap. `release()` before closing SQLite's
    connections.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._keys: list[tuple[int, int]] = []
        self._to_close: list[int] = []  # unlocked, closed once SQLite closed the files

    @property
    def held(self) -> bool:
        return len(self._keys) == 2

    def files(self) -> list[Path]:
        return [self.path, Path(f"{self.path}-shm")]

    def hold(self) -> bool:
        """Take the guards. False (and nothing held) when the files are not there yet or
        the platform has no OFD locks; the caller tries again on the next connection."""
        if self.held or not SUPPORTED:
            return self.held
        if not all(path.exists() for path in self.files()):
            return False  # a new database: SQLite creates -wal and -shm at the first write
        with _mutex:
            try:
                self._hold(self.path, SHARED_FIRST, SHARED_SIZE)
                self._hold(Path(f"{self.path}-shm"), SHM_DMS, 1)
            except FileNotFoundError:
                self._release_locked()
                return False
            except OSError as error:  # e.g. a filesystem without byte-range locks
                log.warning("could not guard the database locks: %s", error)
                self._release_locked()
                return False
        return True

    def _hold(self, path: Path, start: int, length: int) -> None:
        # Opened and never closed while any SQLite connection of this process may hold locks
        # on the file: closing it is exactly what drops them.
        st = os.stat(path)
        key = (st.st_dev, st.st_ino)
        held = _held.get(key)
        if held is None:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                _ofd_lock(fd, fcntl.F_RDLCK, start, length)
            except OSError:
                os.close(fd)
                raise
            held = _held[key] = _Held(fd, start, length)
        held.users.add(id(self))
        self._keys.append(key)

    def release(self) -> None:
        """Unlock (so a process that is really the last can checkpoint and remove the -wal)."""
        with _mutex:
            self._release_locked()

    def _release_locked(self) -> None:
        for key in self._keys:
            held = _held.get(key)
            if held is None:
                continue
            held.users.discard(id(self))
            if not held.users:
                _ofd_lock(held.fd, fcntl.F_UNLCK, held.start, held.length)
                del _held[key]
                self._to_close.append(held.fd)
        self._keys = []

    def close_released(self) -> None:
        """Close the descriptors released by this guard; call only after SQLite closed its
        connections on those files (the close drops this process's POSIX locks on them)."""
        with _mutex:
            while self._to_close:
                os.close(self._to_close.pop())


@dataclass(frozen=True)
class HeldLocks:
    posix: int  # SQLite's own locks held by this process
    ofd: int  # open-file-description locks (the guards; /proc/locks cannot say whose)


def locks_on(paths: list[Path], proc_locks: Path = Path("/proc/locks")) -> HeldLocks:
    """How many locks are held on `paths` (Linux, /proc/locks): POSIX ones by this process,
    and OFD ones by anybody. For diagnostics and the tests."""
    inodes = set()
    for path in paths:
        with contextlib.suppress(OSError):
            st = os.stat(path)
            inodes.add((os.major(st.st_dev), os.minor(st.st_dev), st.st_ino))
    posix = ofd = 0
    for line in proc_locks.read_text().splitlines():
        fields = line.split()
        if len(fields) < 8 or fields[1] == "->":  # a blocked request, not a lock
            continue
        major, minor, inode = fields[5].split(":")
        if (int(major, 16), int(minor, 16), int(inode)) not in inodes:
            continue
        if fields[1] == "POSIX" and fields[4] == str(os.getpid()):
            posix += 1
        elif fields[1] == "OFDLCK":
            ofd += 1
    return HeldLocks(posix, ofd)
