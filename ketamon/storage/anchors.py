"""Anchors: the audit chain's head, written outside the database, appended and never rewritten.

One line per anchor in `audit-anchors.txt`:

    2026-12-01T20:30:00+00:00 seq=1234 hash=<64 hex> db=<16 hex> location=<file or URL>

`db` is the identity of the database: the start of its first audit row's hash (a database
is anchored wherever its file is, and two databases served from one data folder keep
their anchors apart); `location` is where it was when anchored. An anchor applies to a
database with the same identity or the same location. Verification checks that the chain
still holds every anchored head with the same hash: a deleted tail, or a history
rewritten and re-hashed, no longer does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, select

from ketamon.storage.audit import Problem
from ketamon.storage.location import data_dir
from ketamon.storage.models import AuditRow

ANCHOR_FILENAME = "audit-anchors.txt"
ANCHOR_COPY_ENV = "KETAMON_ANCHOR_COPY"  # a second folder (a backup drive) for every anchor
_ID_LENGTH = 16


@dataclass(frozen=True)
class Head:
    """The newest row of a database's chain, and the database's identity."""

    seq: int
    row_hash: str
    db_id: str
    location: str


@dataclass(frozen=True)
class Anchor:
    at: datetime
    seq: int
    row_hash: str
    db_id: str
    location: str

    def line(self) -> str:
        at = self.at.astimezone(UTC).isoformat(timespec="seconds")
        return (
            f"{at} seq={self.seq} hash={self.row_hash} db={self.db_id} location={self.location}\n"
        )

    def applies_to(self, head: Head) -> bool:
        return self.db_id == head.db_id or self.location == head.location


@dataclass(frozen=True)
class AnchorFile:
    """What one anchor file held: its anchors, and its damaged lines."""

    path: Path
    exists: bool
    anchors: tuple[Anchor, ...] = ()
    damaged: tuple[int, ...] = ()  # line numbers
    error: str = ""  # why it could not be read


def folder_files(
    copy_folders: list[Path] | None = None, files: list[Path] | None = None
) -> list[Path]:
    """The anchor files to write and check: the data folder's, the copy folder's
    ($KETAMON_ANCHOR_COPY) when set, those of `copy_folders`, and `files` (each a file, or
    a folder holding one)."""
    folders = [data_dir()]
    copy = os.environ.get(ANCHOR_COPY_ENV)
    if copy:
        folders.append(Path(copy).expanduser())
    folders += copy_folders or []
    paths = [folder / ANCHOR_FILENAME for folder in folders]
    paths += [path / ANCHOR_FILENAME if path.is_dir() else path for path in files or []]
    unique: list[Path] = []
    for path in paths:
        if path.absolute() not in [u.absolute() for u in unique]:
            unique.append(path)
    return unique


def head(connection: Connection, location: str) -> Head | None:
    """The chain's head, or None while the chain is empty."""
    last = connection.execute(
        select(AuditRow.seq, AuditRow.row_hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    if last is None:
        return None
    first = connection.execute(
        select(AuditRow.row_hash).order_by(AuditRow.seq).limit(1)
    ).scalar_one()
    return Head(last[0], last[1], first[:_ID_LENGTH], location)


def parse(line: str) -> Anchor | None:
    parts = line.rstrip("\n").split(" ", 4)
    if len(parts) != 5:
        return None
    at, seq, row_hash, db_id, location = parts
    prefixes = (("seq=", seq), ("hash=", row_hash), ("db=", db_id), ("location=", location))
    if not all(value.startswith(prefix) for prefix, value in prefixes):
        return None
    try:
        when = datetime.fromisoformat(at)
        number = int(seq[4:])
    except ValueError:
        return None
    if when.tzinfo is None or len(row_hash) != 69 or len(db_id) != 3 + _ID_LENGTH:
        return None
    return Anchor(when.astimezone(UTC), number, row_hash[5:], db_id[3:], location[9:])


def read(path: Path) -> AnchorFile:
    try:
        content = path.read_text("utf-8")
    except FileNotFoundError:
        return AnchorFile(path, exists=False)
    except (OSError, UnicodeDecodeError) as error:
        return AnchorFile(path, exists=True, error=str(error))
    anchors, damaged = [], []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        anchor = parse(line)
        if anchor is None:
            damaged.append(number)
        else:
            anchors.append(anchor)
    return AnchorFile(path, True, tuple(anchors), tuple(damaged))


def append(path: Path, anchor: Anchor) -> None:
    """Append one line and make it durable (file and, when new, its folder). Raises OSError,
    also for a folder that is not there (a backup drive not connected), but the data folder,
    which is ours to create."""
    folder = path.parent
    if not folder.is_dir():
        if folder.absolute() != data_dir().absolute():
            raise OSError(f"the folder {folder} is not available")
        folder.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with path.open("a", encoding="utf-8") as out:
        out.write(anchor.line())
        out.flush()
        os.fsync(out.fileno())
    if new and hasattr(os, "O_DIRECTORY"):
        handle = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def newest(file: AnchorFile, current: Head) -> Anchor | None:
    """The newest anchor of this database in a file (the last line that applies)."""
    mine = [a for a in file.anchors if a.applies_to(current)]
    return mine[-1] if mine else None


def newest_held(connection: Connection, current: Head, files: list[AnchorFile]) -> Anchor | None:
    """The newest anchor of this chain (same db id) in any of `files` whose row is still in
    the chain with the anchored hash: where an incremental verify may start."""
    mine = [
        a for f in files for a in f.anchors if a.db_id == current.db_id and a.seq <= current.seq
    ]
    hashes = _hashes(connection, {a.seq for a in mine})
    held = [a for a in mine if hashes.get(a.seq) == a.row_hash]
    return max(held, key=lambda a: a.seq, default=None)


def check(
    connection: Connection, location: str, current: Head | None, file: AnchorFile
) -> list[Problem]:
    """Every anchor of this database in `file` must still be in the chain with its hash."""
    where = str(file.path)
    if file.error:
        return [Problem(None, f"anchor file {where} cannot be read: {file.error}")]
    if not file.exists:
        return [Problem(None, f"no anchors yet in {where}", warning=True)]
    problems = [
        Problem(None, f"anchor file {where} line {n} is not an anchor (damaged or edited)")
        for n in file.damaged
    ]
    if current is None:
        mine = [a for a in file.anchors if a.location == location]
        if mine:
            problems.append(
                Problem(
                    None,
                    f"the audit trail is empty but {where} holds {len(mine)} anchors of this "
                    f"database, the newest at row {mine[-1].seq} (the whole trail was deleted)",
                )
            )
        return problems
    mine = [a for a in file.anchors if a.applies_to(current)]
    hashes = _hashes(connection, {a.seq for a in mine})
    failed = [p for anchor in mine for p in _check_one(anchor, current, hashes, where)]
    if len(failed) > 2:  # the oldest shows where the damage begins, the newest how far
        between = Problem(None, f"... and {len(failed) - 2} anchors between them fail too")
        failed = [failed[0], between, failed[-1]]
    return problems + failed


def _check_one(anchor: Anchor, current: Head, hashes: dict[int, str], where: str) -> list[Problem]:
    when = anchor.at.isoformat(timespec="seconds")
    said = f"anchored in {where} at {when}"
    if anchor.db_id != current.db_id:
        return [
            Problem(
                anchor.seq,
                f"audit row {anchor.seq} {said} belongs to a database whose chain began "
                f"differently (db={anchor.db_id}, this one db={current.db_id}): this chain was "
                "rewritten from its first row, or the database file was replaced",
            )
        ]
    if anchor.seq > current.seq:
        return [
            Problem(
                anchor.seq,
                f"audit rows {current.seq + 1}-{anchor.seq} are gone: the chain ends at row "
                f"{current.seq} but row {anchor.seq} was {said} (its newest rows were deleted)",
            )
        ]
    if anchor.seq not in hashes:
        return [Problem(anchor.seq, f"audit row {anchor.seq} is missing; it was {said}")]
    if hashes[anchor.seq] != anchor.row_hash:
        return [
            Problem(
                anchor.seq,
                f"audit row {anchor.seq} is not the row {said}: the history up to it was "
                "rewritten and re-hashed",
            )
        ]
    return []


def _hashes(connection: Connection, seqs: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(seqs)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(
            connection.execute(
                select(AuditRow.seq, AuditRow.row_hash).where(AuditRow.seq.in_(chunk))
            ).all()
        )
    return found
