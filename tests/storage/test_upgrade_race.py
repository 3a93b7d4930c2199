"""Two upgrades of one PostgreSQL database at once (two administrators, or two owner
logins starting a new KetaMon): the second waits for the first (an advisory lock) and finds
the schema at head; neither fails, and the audit trail the upgrade baselines is written
once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from ketamon.storage import migrate
from ketamon.storage.database import Database


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_workstations_upgrading_at_once_both_succeed(db_url: str) -> None:
    databases = [Database(db_url), Database(db_url)]
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def open_new_version(db: Database) -> None:
        start.wait()
        try:
            migrate.upgrade(db, have_backup=True)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=open_new_version, args=(db,)) for db in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert failures == []
        with databases[0].engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == (
                migrate.HEAD_REVISION
            )
            assert conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    finally:
        for db in databases:
            db.engine.dispose()
