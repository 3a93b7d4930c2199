"""The list of KetaMon's triggers, checked against a migrated database; each missing,
replaced or (PostgreSQL, see test_postgres.py) disabled one is reported."""

from __future__ import annotations

import sqlite3

import pytest

from ketamon.storage.protections import PG_FUNCTIONS, TRIGGERS, fingerprints, missing_protections
from ketamon.storage.trigger_fingerprints import FINGERPRINTS

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


def test_a_fresh_database_holds_exactly_the_fingerprinted_triggers(clinic, backend):
    # A migration that changes a trigger updates trigger_fingerprints.py: paste what this
    # prints (for both backends).
    with clinic.db.engine.connect() as conn:
        found = fingerprints(conn)
    assert found == FINGERPRINTS[backend], f"{backend!r}: {found!r}"
    names = set(TRIGGERS[backend]) | (
        {f"{f}()" for f in PG_FUNCTIONS} if backend != "sqlite" else set()
    )
    assert set(found) == names
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
        "protection replaced: trigger vitals_set_no_delete on vitals_set is not the one "
        "KetaMon's migrations created"
    ]


@pytest.mark.sqlite_only("replaces triggers with sqlite3; PostgreSQL's: test_postgres")
@pytest.mark.parametrize(
    "fake",
    [
        # the attack: a no-op whose refusal is only a comment
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT 1; /* SELECT RAISE(ABORT, 'never') */ END",
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT 1; END -- RAISE(ABORT",
        # a refusal that never fires
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN 0 "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are never changed'); END",
        # a refusal of another statement (a DELETE is not an UPDATE)
        "CREATE TRIGGER audit_log_no_update BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are never changed'); END",
    ],
)
def test_a_trigger_hollowed_with_its_refusal_in_a_comment_or_a_false_when_is_reported(clinic, fake):
    raw = sqlite3.connect(clinic.db.path, isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute(fake)
    raw.execute("UPDATE audit_log SET actor = 'someone.else' WHERE seq = 1")  # it went through
    raw.close()
    problems = [p.text for p in clinic.audit.verify()]
    assert (
        "protection replaced: trigger audit_log_no_update on audit_log is not the one "
        "KetaMon's migrations created"
    ) in problems


@pytest.mark.sqlite_only("rewrites a trigger with sqlite3")
def test_the_same_trigger_written_with_other_spacing_is_not_reported(clinic):
    raw = sqlite3.connect(clinic.db.path, isolation_level=None)
    (sql,) = raw.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'vitals_set_no_delete'"
    ).fetchone()
    raw.execute("DROP TRIGGER vitals_set_no_delete")
    raw.execute("\n   ".join(sql.split(" ")))
    raw.close()
    assert _missing(clinic) == []
