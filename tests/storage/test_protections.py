"""The list of KetaMon's triggers, checked against a migrated database; each missing,
replaced or (PostgreSQL, see test_postgres.py) disabled one is reported."""

from __future__ import annotations

import sqlite3

import pytest

from ketamon.storage.protections import TRIGGERS, missing_protections

pytestmark = pytest.mark.both_backends


def _triggers(clinic) -> dict[str, str]:
    raw = sqlite3.connect(clinic.db.path)
    try:
        rows = raw.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        return dict(rows.fetchall())
    finally:
        raw.close()


def _missing(clinic) -> list[str]:
    with clinic.db.engine.connect() as conn:
        return [p.text for p in missing_protections(conn)]


@pytest.mark.sqlite_only("reads sqlite_master; PostgreSQL's: test_postgres")
def test_the_list_names_exactly_the_triggers_the_migrations_create(clinic):
    # A migration that adds a trigger must add it to TRIGGERS (both backends).
    assert _triggers(clinic) == TRIGGERS["sqlite"]
    assert _missing(clinic) == []


def test_both_backends_protect_the_same_tables(clinic):
    assert set(TRIGGERS["sqlite"].values()) == set(TRIGGERS["postgresql"].values())


@pytest.mark.sqlite_only("drops triggers with sqlite3; PostgreSQL's: test_postgres")
def test_every_dropped_trigger_is_named(clinic):
    raw = sqlite3.connect(clinic.db.path, isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("DROP TRIGGER infusion_session_signed_lock")
    raw.close()
    assert _missing(clinic) == [
        "protection missing: trigger audit_log_no_update on audit_log was dropped",
        "protection missing: trigger infusion_session_signed_lock on infusion_session was dropped",
    ]
    assert "protection missing: trigger audit_log_no_update on audit_log was dropped" in [
        p.text for p in clinic.audit.verify()
    ]


@pytest.mark.sqlite_only("replaces triggers with sqlite3")
def test_a_trigger_replaced_by_one_that_refuses_nothing_is_reported(clinic):
    raw = sqlite3.connect(clinic.db.path, isolation_level=None)
    raw.execute("DROP TRIGGER vitals_set_no_delete")
    raw.execute(
        "CREATE TRIGGER vitals_set_no_delete BEFORE DELETE ON vitals_set BEGIN SELECT 1; END"
    )
    raw.close()
    assert _missing(clinic) == [
        "protection replaced: trigger vitals_set_no_delete no longer refuses on vitals_set"
    ]
