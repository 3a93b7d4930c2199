"""One engine per process, SQLite pragmas on every connection, short transactions.

Database faults come out as StorageError naming the file and the reason, never as a
traceback in front of a nurse.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool

from ketamon.domain.changes import Change
from ketamon.domain.errors import (
    AUTHENTICATION_FAILED,
    CONNECTION_REFUSED,
    DISK_ERROR,
    FILE_UNREADABLE,
    NETWORK_DOWN,
    NO_SUCH_DATABASE,
    SERVER_CLOSED,
    SERVER_STARTING,
    TIMED_OUT,
    UNKNOWN_HOST,
    StorageError,  # raised here; importable from here too
)
from ketamon.storage import audit, versions
from ketamon.storage import audit as audit_layer  # `audit` is also transaction()'s parameter
from ketamon.storage.filesystems import network_filesystem
from ketamon.storage.location import data_dir
from ketamon.storage.locks import LockGuard

DEFAULT_BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 5
SERVER_CONNECT_ARGS: dict[str, object] = {
    "connect_timeout": CONNECT_TIMEOUT_S,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 2,
    "tcp_user_timeout": 20_000,  # ms
}
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

_open: weakref.WeakSet[Database] = weakref.WeakSet()

# Names SQLite and KetaMon give database files: NAME.sqlite3, NAME.db, their -wal, -shm and
# -journal, NAME.backup-YYYYMMDDTHHMMSSZ.sqlite3.
SQLITE_NAME = re.compile(
    r"(\.(sqlite3?|db3?|s3db|sl3)|-(wal|shm|journal))$|\.backup-\d{8}T\d{6}Z", re.IGNORECASE
)

log = logging.getLogger(__name__)


def open_database_files() -> list[Path]:
    """The SQLite files of every Database open in this process (file, -wal, -shm, -journal),
    for the file dialogs, which must never open them (see ketamon.storage.locks)."""
    files = []
    for db in list(_open):
        if db.path is not None:
            files.append(db.path)
            files.extend(Path(f"{db.path}{side}") for side in SQLITE_SIDE_FILES)
    return files


def open_database_inodes() -> set[tuple[int, int]]:
    """(st_dev, st_ino) of open_database_files() that exist: a link or a second name of one
    of them is the same file."""
    inodes = set()
    for path in open_database_files():
        with contextlib.suppress(OSError):
            st = os.stat(path)
            inodes.add((st.st_dev, st.st_ino))
    return inodes


def is_database_file(path: str | os.PathLike[str]) -> bool:
    """A SQLite file by its name, or one of the databases open in this process under any
    name. Only stat() is used: nothing is opened (see ketamon.storage.locks)."""
    if SQLITE_NAME.search(os.path.basename(path)):
        return True
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) in open_database_inodes()


# PostgreSQL (libpq, psycopg) on a server that cannot be reached, in words: the first phrase
# found in the driver's message (lower case) gives the reason; then its SQLSTATE.
_AUTH = f"{AUTHENTICATION_FAILED} (check the user name and password in the --db address)"
_SERVER_TEXTS = (
    ('database "', NO_SUCH_DATABASE),  # 'FATAL: database "x" does not exist'
    ("password authentication failed", _AUTH),
    ("authentication failed", _AUTH),
    ("no password supplied", _AUTH),
    ("no pg_hba.conf entry", f"{AUTHENTICATION_FAILED} (the server does not let this computer in)"),
    ('role "', _AUTH),  # 'role "x" does not exist'
    ("connection refused", CONNECTION_REFUSED),
    ("no such file or directory", CONNECTION_REFUSED),  # no server on the local socket
    ("timeout expired", TIMED_OUT),
    ("timed out", TIMED_OUT),
    ("the database system is starting up", SERVER_STARTING),
    ("the database system is shutting down", SERVER_STARTING),
    ("the database system is in recovery mode", SERVER_STARTING),
    ("not yet accepting connections", SERVER_STARTING),
    ("terminating connection due to administrator command", SERVER_CLOSED),
    ("server closed the connection", SERVER_CLOSED),
    ("terminating connection", SERVER_CLOSED),
    ("ssl connection has been closed", SERVER_CLOSED),
    ("connection is lost", SERVER_CLOSED),
    ("connection is closed", SERVER_CLOSED),
    ("connection reset", SERVER_CLOSED),
    ("broken pipe", SERVER_CLOSED),
    ("could not translate host name", UNKNOWN_HOST),
    ("failed to resolve host", UNKNOWN_HOST),
    ("name or service not known", UNKNOWN_HOST),
    ("network is unreachable", NETWORK_DOWN),
    ("no route to host", NETWORK_DOWN),
    ("host is unreachable", NETWORK_DOWN),
)
_SERVER_SQLSTATES = {
    "57P01": SERVER_CLOSED,  # admin_shutdown: the server was stopped or restarted
    "57P02": SERVER_CLOSED,  # crash_shutdown
    "57P03": SERVER_STARTING,  # cannot_connect_now
    "28P01": _AUTH,  # invalid_password
    "28000": _AUTH,  # invalid_authorization_specification
    "3D000": NO_SUCH_DATABASE,  # invalid_catalog_name
    "08001": CONNECTION_REFUSED,  # sqlclient_unable_to_establish_sqlconnection
    "08004": CONNECTION_REFUSED,  # sqlserver_rejected_establishment_of_sqlconnection
    "08003": SERVER_CLOSED,  # connection_does_not_exist
    "08006": SERVER_CLOSED,  # connection_failure
}
_FILE_HINTS = {
    "database is locked": "the database is locked by another program or workstation; "
    "try again in a moment",
    "attempt to write a readonly database": "the file is read-only; nothing could be saved",
    "unable to open database file": f"{FILE_UNREADABLE} (check the folder exists and is writable)",
    "disk i/o error": f"{DISK_ERROR} (disk I/O error: is the disk still there?)",
}

# SQLSTATEs of a unit of work PostgreSQL ended because another one ran at the same time.
RACE_SQLSTATES = {"40P01": "deadlock detected", "40001": "serialization failure"}
RACE_REASON = (
    "another workstation was saving at the same moment and this change could not be "
    "finished; nothing was saved. Try again"
)


def lost_race(error: BaseException) -> bool:
    """A deadlock or serialization failure (PostgreSQL), or SQLite still locked after its
    busy timeout: re-running the whole unit of work may succeed."""
    orig = getattr(error, "orig", None) or error
    if getattr(orig, "sqlstate", None) in RACE_SQLSTATES:
        return True
    return "database is locked" in str(orig)


def error_reason(error: BaseException) -> str:
    """Why a database operation failed, in words (see ketamon.domain.errors.UNREACHABLE)."""
    orig = getattr(error, "orig", None) or error
    text = str(orig.args[0]) if getattr(orig, "args", None) else str(orig)
    lowered = text.lower()
    if type(orig).__module__.startswith("psycopg"):
        for key, reason in _SERVER_TEXTS:
            if key in lowered:
                return reason
        sqlstate = getattr(orig, "sqlstate", None)
        if sqlstate in _SERVER_SQLSTATES:
            return _SERVER_SQLSTATES[sqlstate]
        return text
    for key, hint in _FILE_HINTS.items():
        if key in lowered:
            return hint
    return text


def server_location(url: URL) -> str:
    """HOST:PORT/DB of a server's address (a local socket's folder as HOST), without the user
    name or password: what messages and the banner name."""
    query = {key: value for key, value in url.query.items() if isinstance(value, str)}
    host = url.host or query.get("host") or "local socket"
    port = url.port or query.get("port") or 5432
    return f"{host}:{port}/{url.database or ''}"


def server_connect_args(url: URL) -> dict[str, object]:
    """libpq's options for a server the address does not set itself: a connection attempt
    gives up after CONNECT_TIMEOUT_S (the screen waits for it), and an open connection over a
    dead network fails within about 20 s instead of TCP's quarter of an hour."""
    if url.get_driver_name() not in ("psycopg", "psycopg2"):
        return {}
    args = {key: value for key, value in SERVER_CONNECT_ARGS.items() if key not in url.query}
    if url.get_driver_name() == "psycopg":
        # psycopg 3 prepares a statement on the server after its 5th use by default; the
        # application sends the same few statements all day, so prepare each at its first
        # (measured: the board's read 10 % quicker, bench/postgres.py).
        args["prepare_threshold"] = 0
    return args


class Database:
    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        mountinfo: str | None = None,
    ) -> None:
        """mountinfo: the text of /proc/self/mountinfo (tests pass a made-up one)."""
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.path: Path | None = None
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            raw = self.url.database
            if raw.startswith("file:"):
                raw = raw[5:].split("?", 1)[0]
            self.path = Path(raw).expanduser().resolve()
            self.location = str(self.path)
        elif self.is_sqlite:
            self.location = self.url.render_as_string(hide_password=True)
        else:
            self.location = server_location(self.url)
        self._prepare_folder()
        self._refuse_network_filesystem(mountinfo)
        self.guard = LockGuard(self.path) if self.path is not None else None
        try:
            # A pooled PostgreSQL connection dies with a server restart: each checkout is
            # pinged first and replaced when dead, so the next action after a restart works.
            options: dict[str, object] = {}
            if not self.is_sqlite:
                options = {"pool_pre_ping": True, "connect_args": server_connect_args(self.url)}
            self.engine: Engine = create_engine(self.url, **options)
        except ModuleNotFoundError as error:  # the driver of this URL is not installed
            raise StorageError(
                self.location,
                f"its driver ({error.name}) is not installed on this computer; install "
                "KetaMon with it: pip install 'ketamon[postgres]' (from the source folder: "
                ".venv/bin/pip install -e '.[postgres]')",
            ) from error
        except Exception as error:  # bad URL
            raise StorageError(self.location, str(error)) from error
        if self.is_sqlite:
            _install_sqlite_pragmas(self.engine, busy_timeout_ms, self.guard)
        self.busy_timeout_ms = busy_timeout_ms
        # A read transaction is one snapshot: SQLite's is; PostgreSQL's READ COMMITTED would
        # take a new one per statement, and a verification or a signature check reading the
        # trail, then the records, would see another workstation's commit in between.
        reader = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="REPEATABLE READ")
        )
        self._read = sessionmaker(reader, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(ketamon_write=True), expire_on_commit=False
        )
        audit.install(self._read)
        audit.install(self._write)
        versions.install(self._write)  # writes only: a read transaction saves nothing
        # Called with each committed unit of work's Change (see transaction()).
        self.committed: list[Callable[[Change], object]] = []
        # Called inside each unit of work that changed something, just before its commit
        # (ketamon.storage.live: tell the other workstations; an error rolls it all back).
        self.before_commit: list[Callable[[Session, Change], object]] = []
        _open.add(self)

    def _prepare_folder(self) -> None:
        if self.path is None:
            return
        folder = self.path.parent
        if folder.exists():
            return
        # The per-user data folder is ours to create; any other folder must exist already.
        if folder == data_dir().resolve():
            folder.mkdir(parents=True, exist_ok=True)
            return
        raise StorageError(self.location, f"the folder {folder} does not exist")

    def _refuse_network_filesystem(self, mountinfo: str | None) -> None:
        if self.path is None:
            return
        mount = network_filesystem(self.path.parent, mountinfo)
        if mount is not None:
            raise StorageError(
                self.location,
                f"the file is on a network filesystem ({mount.fstype} at {mount.point}). "
                "SQLite's write-ahead log does not work over a network filesystem: records "
                "could be lost or the file corrupted. Keep the database on this computer's "
                "own disk, or use the shared-server set-up (PostgreSQL, --db "
                "postgresql+psycopg://...) for several workstations",
            )

    def keep_locks(self) -> bool:
        """Guard SQLite's locks on the open file (see ketamon.storage.locks). True when held
        (always False for other databases, files not in WAL mode, or without OFD locks)."""
        if self.guard is None or self.guard.held:
            return self.guard is not None
        with self._faults(), self.engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            # Taken while this connection holds SQLite's own locks on the files.
            return mode == "wal" and self.guard.hold()

    @contextmanager
    def transaction(
        self, *, write: bool = True, audit: audit.AuditContext | None = None
    ) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error. Reading only
        (write=False, no audit), it is one snapshot on every backend (see reading()).

        Changes need an AuditContext (who, when, why); they are written to the audit
        trail in the same transaction. After the commit, what was flushed is named once, as
        a Change (which sessions, which kinds, by whom), and handed to `committed`.
        """
        factory = self._write if write or audit else self._read
        touched: list[tuple[str, int | None, int | None]] = []
        saved: list[tuple[str, int | str]] = []  # versioned rows this unit of work saves
        try:
            with self._faults(), factory.begin() as tx:
                tx.info[audit_layer.CHANGED_ROWS] = touched
                tx.info[versions.UPDATED] = saved
                if audit is not None:
                    tx.info["audit"] = audit
                yield tx
                self._before_commit(tx, touched)
        except StaleDataError as error:  # another workstation saved the row since it was read
            raise self._stale(saved, audit.at if audit is not None else None) from error
        if touched and audit is not None:
            change = audit_layer.change_of(touched, audit.actor)
            for listener in list(self.committed):
                try:
                    listener(change)
                except Exception:  # committed is committed: never reported as refused
                    log.exception("Database %s: a screen failed to follow a change", self.location)

    def _before_commit(
        self, tx: Session, touched: list[tuple[str, int | None, int | None]]
    ) -> None:
        """The `before_commit` hooks, inside the transaction, once everything is flushed:
        what they write (PostgreSQL's NOTIFY to the other workstations) is committed with
        the change, or rolled back with it."""
        context = tx.info.get("audit")
        if not self.before_commit or not isinstance(context, audit_layer.AuditContext):
            return
        tx.flush()  # the last changes, so `touched` is complete
        if touched:
            change = audit_layer.change_of(touched, context.actor)
            for hook in list(self.before_commit):
                hook(tx, change)

    def _stale(self, saved: list[tuple[str, int | str]], now: datetime | None) -> Exception:
        """The StaleRecord for a flush the version check refused (its words, not SQL)."""
        if not saved:
            return StorageError(self.location, "another workstation changed the record first")
        with self._faults(), self._read() as tx:
            return versions.stale_record(tx, *saved[-1], now)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction at the Core level, for long lists (no ORM session, no
        identity map): the statements inside see one snapshot. SQLite's read transaction is
        one; PostgreSQL's default READ COMMITTED takes a new snapshot per statement, so
        there the transaction is REPEATABLE READ."""
        with self._faults(), self.engine.connect() as connection:
            if not self.is_sqlite:
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection

    @contextmanager
    def _faults(self) -> Iterator[None]:
        try:
            yield
        except exc.IntegrityError as error:
            # The database's detail (constraint names, SQL) goes to the log, not the nurse.
            log.info("Database %s: conflict: %s", self.location, error_reason(error))
            raise StorageError(
                self.location,
                "the change conflicts with what is already stored (perhaps another workstation "
                "changed the same record a moment ago); nothing was saved",
                retry=True,
            ) from error
        except (exc.OperationalError, exc.DatabaseError) as error:
            if lost_race(error):
                log.info("Database %s: lost a race: %s", self.location, error_reason(error))
                reason = RACE_REASON if not self.is_sqlite else error_reason(error)
                raise StorageError(self.location, reason, retry=True) from error
            raise StorageError(self.location, error_reason(error)) from error

    def own_engine(self) -> Engine:
        """A second engine on the same database, without a pool (each connect() a new
        connection, set up as the main engine's): for a reader of its own, such as the live
        refresh, whose statements must not take a pooled connection nor count as the
        screens' (tests count the main engine's). Dispose of it when done."""
        engine = create_engine(self.url, poolclass=NullPool)
        if self.is_sqlite:
            _install_sqlite_pragmas(engine, self.busy_timeout_ms, None)
        return engine

    def check_connection(self) -> None:
        """The database answers (a SQLite file is read: its schema). Raises StorageError."""
        probe = "SELECT count(*) FROM sqlite_master" if self.is_sqlite else "SELECT 1"
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql(probe)
        except (exc.OperationalError, exc.DatabaseError) as error:
            raise StorageError(self.location, error_reason(error)) from error

    def dispose(self) -> None:
        _open.discard(self)
        if self.guard is not None:
            self.guard.release()  # first, or SQLite could never remove the -wal on close
        self.engine.dispose()
        if self.guard is not None:
            self.guard.close_released()


def _install_sqlite_pragmas(engine: Engine, busy_timeout_ms: int, guard: LockGuard | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: object) -> None:
        # We issue BEGIN ourselves (see below) so SQLite's locking is predictable.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=FULL")
            # A read-only file keeps the journal mode it has.
            mode = None
            with contextlib.suppress(Exception):
                mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        finally:
            cursor.close()
        if guard is not None and mode == "wal" and not guard.held:
            guard.hold()  # SQLite now has the files open and locked (see Database.keep_locks)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers take the write lock up front (BEGIN IMMEDIATE) and wait busy_timeout for
        # it, instead of failing half-way through a unit of work.
        write = conn.get_execution_options().get("ketamon_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
