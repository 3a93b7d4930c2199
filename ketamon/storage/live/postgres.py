"""PostgreSQL: the server tells every workstation (NOTIFY / LISTEN).

Each unit of work that changed something sends `NOTIFY ketamon_changes` in its own
transaction (a before-commit hook of the Database): the server delivers it only if the
transaction commits, to every connection listening, in commit order. The payload is the
Change as JSON (ketamon.domain.changes) plus the sender's workstation id ("ws"); one
too long for PostgreSQL (8000 bytes) is sent as "reload everything" instead.

The listener is one psycopg connection of its own, in autocommit, on a thread that sleeps
in select() on the connection's socket (and on a pipe that stop() writes to): no polling,
no CPU while nothing happens. Its own notifications it ignores: they were published at
this workstation when they committed. When the connection drops (the server restarted,
the network failed, an administrator ended it) the thread reconnects, retrying every
RETRY_MAX_S at most, and then publishes "reload everything": what it missed meanwhile is
unknown. TCP keepalives notice a connection that died without a word within about a minute.
"""

from __future__ import annotations

import json
import logging
from typing import Any

try:  # only in the [test] extra and at clinics on PostgreSQL (postgresql+psycopg:// URLs)
    import psycopg
except ImportError:  # pragma: no cover - a SQLite-only install never makes a PostgresFeed
    psycopg = None  # type: ignore[assignment]
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketamon.domain.changes import Change, everything, merge
from ketamon.storage.database import Database
from ketamon.storage.live.base import Feed

log = logging.getLogger(__name__)

CHANNEL = "ketamon_changes"
MAX_PAYLOAD_BYTES = 7999  # PostgreSQL: "must be shorter than 8000 bytes"
RETRY_FIRST_S = 0.25
RETRY_MAX_S = 5.0
RECONNECTED = "reconnected to the database server"  # origin of the reload after a gap
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 20,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "connect_timeout": 5,
}


def payload(change: Change, workstation: str) -> str:
    """The NOTIFY payload: the change and who sent it, or "reload everything" when the
    change is too long for a notification."""
    text = _payload(change, workstation)
    if len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        text = _payload(everything(workstation), workstation)
    return text


def _payload(change: Change, workstation: str) -> str:
    data = json.loads(change.to_json())
    data["ws"] = workstation
    return json.dumps(data, separators=(",", ":"))


def read_payload(text: str) -> tuple[str, Change]:
    """(sender's workstation, change) of a notification; the change's origin is the sender."""
    workstation = str(json.loads(text).get("ws", ""))
    return workstation, Change.from_json(text, origin=workstation or "another workstation")


class PostgresFeed(Feed):
    name = "postgresql"

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.connected = False  # the listener's connection is open (for the tests)
        self.backend_pid: int | None = None  # the listener's server process (for the tests)
        db.before_commit.append(self._notify)

    @property
    def listening(self) -> bool:
        return self.running and self.connected

    def _notify(self, tx: Session, change: Change) -> None:
        tx.execute(select(func.pg_notify(CHANNEL, payload(change, self.workstation))))

    def _connect(self) -> psycopg.Connection[Any]:
        cargs, cparams = self.db.engine.dialect.create_connect_args(self.db.engine.url)
        cparams.pop("context", None)  # SQLAlchemy's type adapters: nothing to adapt here
        params = {**KEEPALIVES, **cparams}
        conn = psycopg.connect(*cargs, autocommit=True, **params)
        try:
            conn.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            conn.close()
            raise
        return conn

    def run(self) -> None:
        delay, missed = RETRY_FIRST_S, False
        while not self.stopping:
            try:
                conn = self._connect()
            except psycopg.Error as error:
                self.ready()
                if not missed:
                    log.warning(
                        "Database %s: live refresh cannot listen (%s); retrying",
                        self.db.location,
                        str(error).strip(),
                    )
                missed = True
                self.wait(delay)
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            try:
                self.connected, self.backend_pid = True, conn.info.backend_pid
                self.ready()
                if missed:
                    log.info("Database %s: live refresh listening again", self.db.location)
                    self.deliver(everything(RECONNECTED))
                delay, missed = RETRY_FIRST_S, False
                self._listen(conn)
            except psycopg.Error as error:
                missed = True
                log.warning(
                    "Database %s: live refresh lost its connection (%s); reconnecting",
                    self.db.location,
                    str(error).strip(),
                )
            finally:
                self.connected = False
                conn.close()

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        """Until stop(): wait for the socket, then hand on what arrived."""
        while True:
            if not self.wait(None, conn.fileno()):
                return  # stopping
            # What arrived together is handed on as one change: one reload for a burst.
            changes = [self._arrived(note.payload) for note in conn.notifies(timeout=0.0)]
            self.deliver(merge(c for c in changes if c is not None))

    def _arrived(self, text: str) -> Change | None:
        """The change a notification tells (None: this workstation's own)."""
        try:
            workstation, change = read_payload(text)
        except (ValueError, TypeError, AttributeError):
            log.warning(
                "Database %s: a notification not understood: %.200r", self.db.location, text
            )
            return everything("another workstation")
        return change if workstation != self.workstation else None
