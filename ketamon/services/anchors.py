"""Anchoring the audit chain's head outside the database: on every clean shutdown, at least
daily while the app runs, and on demand (`ketamon audit anchor`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ketamon.services.base import Service
from ketamon.storage import anchors
from ketamon.storage.database import StorageError

log = logging.getLogger(__name__)

ANCHOR_EVERY = timedelta(hours=24)


@dataclass(frozen=True)
class AnchorResult:
    """What an anchoring did: the head anchored (None: empty chain), per file."""

    seq: int | None
    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()  # already held this head
    failed: tuple[tuple[Path, str], ...] = ()  # (file, why): a backup drive not connected


class AnchorService(Service):
    def anchor(self, copy_to: list[Path] | None = None) -> AnchorResult:
        """Append the chain's head to every anchor file that does not end with it yet.
        Never raises for a file that cannot be written: it is reported and logged."""
        with self.db.reading() as connection:
            head = anchors.head(connection, self.db.location)
        if head is None:
            return AnchorResult(None)
        anchor = anchors.Anchor(self.now(), head.seq, head.row_hash, head.db_id, head.location)
        written, unchanged, failed = [], [], []
        for path in anchors.folder_files(copy_to):
            last = anchors.newest(anchors.read(path), head)
            if last is not None and (last.seq, last.row_hash) == (head.seq, head.row_hash):
                unchanged.append(path)
                continue
            try:
                anchors.append(path, anchor)
            except OSError as error:
                log.warning("audit anchor not written to %s: %s", path, error)
                failed.append((path, str(error)))
            else:
                written.append(path)
        if written:
            log.info("audit chain anchored at row %d in %d file(s)", head.seq, len(written))
        return AnchorResult(head.seq, tuple(written), tuple(unchanged), tuple(failed))

    def anchor_if_due(self) -> AnchorResult | None:
        """Anchor when the data folder's newest anchor of this database is older than a day
        (or there is none). None when not due, or when the database could not be read
        (logged: the scheduler that calls this must never fail)."""
        try:
            with self.db.reading() as connection:
                head = anchors.head(connection, self.db.location)
            if head is None:
                return None
            newest = anchors.newest(anchors.read(anchors.folder_files()[0]), head)
            if newest is not None and self.now() - newest.at < ANCHOR_EVERY:
                return None
            return self.anchor()
        except StorageError as error:
            log.warning("daily audit anchor not written: %s", error)
            return None

    def anchor_on_close(self) -> None:
        """The clean-shutdown anchor: never raises (closing must always succeed)."""
        try:
            self.anchor()
        except StorageError as error:
            log.warning("audit anchor at shutdown not written: %s", error)
