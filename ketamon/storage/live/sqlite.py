"""SQLite: asked once a second whether another connection committed (PRAGMA data_version).

One connection of the feed's own (on an engine of its own, Database.own_engine(): not one
of the screens' pool) asks `PRAGMA data_version`, a counter of that connection that moves
when ANY other connection committed to the file: another program, but also this process's
own pooled connections. To tell them apart, and to know what changed, the
feed reads the audit trail: every data change is written there, in the same transaction
(ketamon.storage.audit), as "create" and "update" rows. The rows after the last one seen
are read; those this process wrote are skipped, known by (seq, row_hash), which the
Database hands to the feed before each commit (a seq that a rolled-back transaction of
ours had taken and another program then used has another hash: it is not skipped). From the
rest the Change is made as the writer made it: the kind from each row's table, the sessions
and patients from the rows themselves (looked up in the same read). Sign-ins, locks and
other security events are in the trail too, but change nothing shown: they are left out.

Counting this process's own commits instead would not do: data_version says only "changed",
not how often. The check costs one short read transaction a second (no CPU to speak of);
a second program on the same file is on the same computer (the file is never on a network
filesystem, see ketamon.storage.filesystems), whose name the trail does not hold: such a
change's origin is ANOTHER_PROGRAM.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, exc, func, select
from sqlalchemy.orm import Session

from ketamon.domain.changes import Change, everything, merge
from ketamon.storage import audit
from ketamon.storage.database import Database
from ketamon.storage.live.base import Deliver, Feed
from ketamon.storage.models import AuditRow, Base

log = logging.getLogger(__name__)

INTERVAL_S = 1.0
ANOTHER_PROGRAM = "another program on this database file"
DATA_ACTIONS = ("create", "update")
MAX_ROWS_READ = 2000  # more rows from elsewhere in one second: "reload everything"


class SqliteFeed(Feed):
    name = "sqlite"

    def __init__(self, db: Database, interval: float = INTERVAL_S) -> None:
        super().__init__(db)
        self.interval = interval
        self._own: dict[int, str] = {}  # seq -> row_hash this process wrote, not yet read
        self._lock = threading.Lock()
        self._seen = 0  # the newest audit seq read
        self._version: int | None = None
        db.before_commit.append(self._remember)

    @property
    def listening(self) -> bool:
        return self.running and self._version is not None

    def start(self, deliver: Deliver) -> None:
        if self.db.path is not None:  # a database in memory has no one else to hear from
            super().start(deliver)

    def _remember(self, tx: Session, _change: Change) -> None:
        written: list[tuple[int, str]] = tx.info.get(audit.WRITTEN_ROWS, [])
        with self._lock:
            self._own.update(written)

    def run(self) -> None:
        engine = self.db.own_engine()  # not the screens' pool, nor their engine's events
        try:
            with engine.connect() as conn:  # data_version is this connection's own
                self._follow(conn)
        finally:
            engine.dispose()

    def _follow(self, conn: Connection) -> None:
        while not self.stopping:
            try:
                if self._version is None:
                    self._begin(conn)
                else:
                    change = self.poll(conn)
                    if change is not None:
                        self.deliver(change)
            except exc.DBAPIError as error:  # locked for long, the disk: again later
                log.warning("Database %s: live refresh: %s", self.db.location, error)
            self.ready()
            self.wait(self.interval)

    def _begin(self, conn: Connection) -> None:
        with conn.begin():
            self._version = _data_version(conn)
            self._seen = conn.scalar(select(func.max(AuditRow.seq))) or 0

    def poll(self, conn: Connection) -> Change | None:
        """What other programs committed since the last poll (None: nothing)."""
        with conn.begin():
            version = _data_version(conn)
            if version == self._version:
                return None
            self._version = version
            rows = conn.execute(
                select(
                    AuditRow.seq,
                    AuditRow.row_hash,
                    AuditRow.actor,
                    AuditRow.entity,
                    AuditRow.entity_id,
                )
                .where(AuditRow.seq > self._seen, AuditRow.action.in_(DATA_ACTIONS))
                .order_by(AuditRow.seq)
            ).all()
            newest = conn.scalar(select(func.max(AuditRow.seq))) or self._seen
            theirs = self._not_ours([(r[0], r[1]) for r in rows], newest)
            if len(theirs) > MAX_ROWS_READ:  # an import, a batch: every screen reloads
                return everything(ANOTHER_PROGRAM)
            changes = [
                _change_of(
                    conn, [(r[3], r[4]) for r in rows if r[0] in theirs and r[2] == actor], actor
                )
                for actor in dict.fromkeys(r[2] for r in rows if r[0] in theirs)
            ]
        change = merge(changes)
        return change if change else None

    def _not_ours(self, rows: list[tuple[int, str]], newest: int) -> set[int]:
        with self._lock:
            theirs = {seq for seq, digest in rows if self._own.get(seq) != digest}
            self._seen = max(self._seen, newest)
            for seq in [s for s in self._own if s <= self._seen]:
                del self._own[seq]
        return theirs


def _data_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA data_version").scalar() or 0)


def _change_of(conn: Connection, rows: Iterable[tuple[str, int | None]], actor: str) -> Change:
    """The Change the audit rows (entity, entity_id) of one writer tell: as
    ketamon.storage.audit.change_of tells it from the flushed rows."""
    ids: dict[str, set[int]] = defaultdict(set)
    touched: list[tuple[str, int | None, int | None]] = []
    for entity, entity_id in rows:
        if entity not in audit.TABLE_KINDS:
            continue
        touched.append((entity, None, None))
        if entity_id is not None:
            ids[entity].add(entity_id)
    for entity, found in ids.items():
        touched.extend(_rows_of(conn, entity, found))
    change = audit.change_of(touched, actor)
    return Change(change.sessions, change.kinds, change.patients, actor, None, ANOTHER_PROGRAM)


def _rows_of(
    conn: Connection, entity: str, ids: set[int]
) -> list[tuple[str, int | None, int | None]]:
    """(table, session id, patient id) of the rows `ids` of table `entity`."""
    table = Base.metadata.tables[entity]
    key = next(iter(table.primary_key.columns))
    session = key if entity == "infusion_session" else table.c.get("session_id")
    patient = key if entity == "patient" else table.c.get("patient_id")
    if session is None and patient is None:
        return []
    columns = [c if c is not None else key for c in (session, patient)]
    found = conn.execute(select(*columns).where(key.in_(sorted(ids)))).all()
    return [
        (entity, r[0] if session is not None else None, r[1] if patient is not None else None)
        for r in found
    ]
