"""Schema upgrades through Alembic at start-up, with a backup of the file first.

Alembic is only imported when the database is not already at HEAD_REVISION, so an
up-to-date clinic database opens without paying for it (tests keep the constant true).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from ketamon.domain.clock import Clock, system_clock
from ketamon.domain.upgrades import UpgradeProgress, UpgradeStep, step_title
from ketamon.storage import roles
from ketamon.storage.database import Database, StorageError, error_reason

if TYPE_CHECKING:  # imported for the annotation only: alembic loads lazily (above)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

HEAD_REVISION = "0014"
# PostgreSQL advisory lock held while the schema is upgraded ("KMUP"): a second workstation
# starting the same new version waits for the first, then finds the schema at head.
UPGRADE_LOCK_ID = 0x4B4D5550


def migrations_location() -> str:
    return str(resources.files("ketamon.migrations"))


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", migrations_location())
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(db: Database) -> tuple[str | None, bool]:
    """(revision, has_tables) of the database as it is."""
    with db.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        if "alembic_version" not in tables:
            return None, bool(tables)
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return (row[0] if row else None), True


def upgrade(
    db: Database,
    *,
    clock: Clock = system_clock,
    have_backup: bool = False,
    progress: UpgradeProgress | None = None,
) -> Path | None:
    """Bring the schema to the newest revision. Returns the backup made, if any.
    `progress` is told each step as it begins (what it does, its number of all).

    SQLite: the file is copied next to itself first. PostgreSQL: only the owner of the
    tables migrates (a workstation's application role is told who must), an existing schema
    only when the caller says a backup was made (`ketamon db upgrade --i-have-a-backup`),
    and the application roles are granted their rights again in the same transaction."""
    try:
        revision, has_tables = current_revision(db)
        if revision == HEAD_REVISION:
            return None
        if revision is None and has_tables:
            raise StorageError(
                db.location,
                "this is not a KetaMon database (it has tables but no KetaMon schema version);"
                " nothing was changed",
            )
        from alembic import command
        from alembic.script import ScriptDirectory

        scripts = ScriptDirectory.from_config(alembic_config())
        known = {r.revision for r in scripts.walk_revisions()}
        if revision is not None and revision not in known:
            raise StorageError(
                db.location,
                f"the database was written by a newer KetaMon (schema {revision}); "
                "install the newer KetaMon to open it. Nothing was changed",
            )
        if not db.is_sqlite:
            _may_upgrade(db, revision, has_tables, have_backup)
        backup = backup_sqlite(db, clock()) if has_tables else None

        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # released at commit, with the upgrade
                lock = {"id": UPGRADE_LOCK_ID}
                if not conn.scalar(text("SELECT pg_try_advisory_xact_lock(:id)"), lock):
                    log.warning(
                        "%s: another workstation is upgrading the schema; waiting", db.location
                    )
                    conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), lock)
            config = alembic_config(conn)
            if progress is not None:
                config.attributes["on_version_apply"] = _announcer(
                    scripts, revision, creating=not has_tables, progress=progress
                )
            command.upgrade(config, "head")
            if conn.dialect.name == "postgresql":
                roles.reapply(conn)
        return backup
    except StorageError:
        raise
    except Exception as error:
        raise StorageError(
            db.location, f"could not upgrade the database: {error_reason(error)}"
        ) from error


def _announcer(
    scripts: ScriptDirectory, revision: str | None, *, creating: bool, progress: UpgradeProgress
) -> Callable[..., None]:
    """Announce the first step now, and each next one as Alembic finishes the one before
    (its on_version_apply hook)."""
    pending = list(reversed(list(scripts.iterate_revisions("head", revision or "base"))))
    steps = [
        UpgradeStep(n, len(pending), script.revision, step_title(script.doc), creating)
        for n, script in enumerate(pending, start=1)
    ]
    if steps:
        progress(steps[0])
    remaining = iter(steps[1:])

    def applied(**_info: object) -> None:
        step = next(remaining, None)
        if step is not None:
            progress(step)

    return applied


def _may_upgrade(db: Database, revision: str | None, has_tables: bool, have_backup: bool) -> None:
    """Refuse a PostgreSQL upgrade this login must not run, or not before a backup."""
    url = db.location
    needs = (
        f"the database needs an upgrade (schema {revision}; this KetaMon needs {HEAD_REVISION})"
        if revision
        else "the database has no KetaMon schema yet"
    )
    with db.engine.connect() as conn:
        owner = roles.can_change_schema(conn)
    if not owner:
        raise StorageError(
            db.location,
            f"{needs}; run `ketamon db upgrade --db OWNER_URL` as the clinic's administrator "
            "(this login may not change the schema). Nothing was changed",
        )
    if has_tables and not have_backup:
        raise StorageError(
            db.location,
            f"{needs}. Back up first: `ketamon backup --db '{url}' --out FILE` (runs pg_dump), "
            f"then run `ketamon db upgrade --db '{url}' --i-have-a-backup`. Nothing was changed",
        )


def backup_sqlite(db: Database, when: datetime) -> Path | None:
    """Copy the SQLite file (consistently, with SQLite's backup API) next to itself."""
    if db.path is None or not db.path.exists():
        return None
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    target = db.path.with_name(f"{db.path.stem}.backup-{stamp}{db.path.suffix}")
    source = sqlite3.connect(str(db.path))
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target
