"""The database triggers KetaMon's migrations create, and which of them are missing.

Anyone holding the database file can drop a trigger; verification lists every one that is
gone (or, on PostgreSQL, disabled), and every one whose definition is not, word for word,
the one the migrations created: a trigger or function hollowed out (made to refuse nothing,
limited by a WHEN that never holds, its refusal left only in a comment) is reported as
replaced, so a weakened protection is reported even when nothing has been changed through
the gap yet. The definitions are compared by fingerprint (a SHA-256 of the definition with
its whitespace and letter case normalized; trigger_fingerprints.py).

A migration that creates triggers adds them to TRIGGERS below and their fingerprints to
trigger_fingerprints.py (the tests check both against a freshly migrated database on each
backend, and print the fingerprints to paste when they differ).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, text

from ketamon.storage.audit import Problem
from ketamon.storage.trigger_fingerprints import FINGERPRINTS

# Records that are never deleted (0002: the audit trail and the first tables; 0003-0005).
_NEVER_DELETED = (
    "audit_log",
    "app_user",
    "chair",
    "patient",
    "course",
    "infusion_session",
    "session_event",
    "vitals_set",  # 0003
    "side_effect",  # 0004
    "medication_given",  # 0004
    "dose_record",  # 0004
    "discharge_record",  # 0005
    "outcome_score",  # 0012
)
# 0006: signatures and addenda are append-only; a signed session's rows are locked.
_APPEND_ONLY = ("signature", "addendum")
_SIGNED_LOCKED = (
    "session_event",
    "vitals_set",
    "side_effect",
    "medication_given",
    "dose_record",
    "discharge_record",
    "outcome_score",  # 0012
)

# backend -> {trigger name: table}. Extend per migration, for both backends.
TRIGGERS: dict[str, dict[str, str]] = {
    "sqlite": {
        "audit_log_no_update": "audit_log",  # 0002
        **{f"{t}_no_delete": t for t in _NEVER_DELETED},  # 0002-0005
        **{f"{t}_no_{e}": t for t in _APPEND_ONLY for e in ("update", "delete")},  # 0006
        "infusion_session_signed_lock": "infusion_session",  # 0006
        **{f"{t}_signed_lock_{e}": t for t in _SIGNED_LOCKED for e in ("insert", "update")},
        "user_key_no_delete": "user_key",  # 0007: signing keys are kept
        "user_key_fixed": "user_key",  # 0007: a key's public half and owner never change
        # 0014: no INSERT OR REPLACE over a protected record (SQLite skips delete triggers)
        **{f"{t}_no_replace": t for t in (*_NEVER_DELETED, *_APPEND_ONLY, "user_key")},
    },
    "postgresql": {
        "audit_log_no_update": "audit_log",  # 0002
        **{f"{t}_no_delete": t for t in _NEVER_DELETED},  # 0002-0005
        **{f"{t}_no_change": t for t in _APPEND_ONLY},  # 0006
        "infusion_session_signed_lock": "infusion_session",  # 0006
        **{f"{t}_signed_lock": t for t in _SIGNED_LOCKED},  # 0006
        "user_key_no_delete": "user_key",  # 0007
        "user_key_fixed": "user_key",  # 0007
    },
}
# PostgreSQL trigger functions (created by 0002 and 0006): each must still raise.
PG_FUNCTIONS = ("ketamon_refuse", "ketamon_refuse_signed")


def missing_protections(connection: Connection) -> list[Problem]:
    """One problem per trigger that is missing, disabled or not as the migrations made it."""
    backend = connection.dialect.name
    expected = TRIGGERS.get(backend)
    if expected is None:
        return [Problem(None, f"triggers on {backend} are not known to KetaMon: not checked", True)]
    found = definitions(connection)
    known = FINGERPRINTS[backend]
    problems = []
    for name, table in expected.items():
        if name not in found or found[name].table != table:
            problems.append(_missing(name, table))
        elif found[name].disabled:
            problems.append(Problem(None, f"protection disabled: trigger {name} on {table}"))
        elif fingerprint(found[name].definition) != known.get(name):
            problems.append(_replaced(f"trigger {name} on {table}"))
    if backend == "postgresql":
        sources = _pg_functions(connection)
        for function in PG_FUNCTIONS:
            if fingerprint(sources.get(function, "")) != known.get(f"{function}()"):
                problems.append(_replaced(f"function {function}()"))
    return problems


class Found:
    """A trigger as the database holds it: its table, whether it is disabled (PostgreSQL)
    and its definition (SQLite: the CREATE TRIGGER text; PostgreSQL: pg_get_triggerdef)."""

    def __init__(self, table: str, definition: str, disabled: bool = False) -> None:
        self.table, self.definition, self.disabled = table, definition, disabled


def fingerprint(definition: str) -> str:
    """A definition's SHA-256 (hex, first 32 digits), whitespace and letter case aside."""
    normal = " ".join(definition.split()).casefold()
    return hashlib.sha256(normal.encode()).hexdigest()[:32]


def fingerprints(connection: Connection) -> dict[str, str]:
    """Every trigger's fingerprint (and, on PostgreSQL, each trigger function's, as
    "name()"): what trigger_fingerprints.py holds for a freshly migrated database."""
    found = {name: fingerprint(t.definition) for name, t in definitions(connection).items()}
    if connection.dialect.name == "postgresql":
        for function, source in _pg_functions(connection).items():
            found[f"{function}()"] = fingerprint(source)
    return dict(sorted(found.items()))


def definitions(connection: Connection) -> dict[str, Found]:
    if connection.dialect.name == "sqlite":
        rows = connection.execute(
            text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        )
        return {name: Found(table, sql or "") for name, table, sql in rows}
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    rows = connection.execute(
        text(
            "SELECT t.tgname, c.relname, t.tgenabled, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = to_regnamespace(current_schema())"
        )
    )
    return {
        name: Found(table, _pg_portable(definition, schema), enabled == "D")
        for name, table, enabled, definition in rows
    }


def _pg_portable(definition: str, schema: str) -> str:
    """pg_get_triggerdef's text without the schema's name (the same trigger in any schema)
    and in PostgreSQL 11's words for the function call (10 said EXECUTE PROCEDURE)."""
    text_ = definition.replace(f" {schema}.", " ").replace(f' "{schema}".', " ")
    return text_.replace("EXECUTE PROCEDURE", "EXECUTE FUNCTION")


def _pg_functions(connection: Connection) -> dict[str, str]:
    rows = connection.execute(
        text(
            "SELECT proname, prosrc FROM pg_proc "
            "WHERE proname IN ('ketamon_refuse', 'ketamon_refuse_signed') "
            "AND pronamespace = to_regnamespace(current_schema())"
        )
    )
    return {name: source or "" for name, source in rows}


def _missing(name: str, table: str) -> Problem:
    return Problem(None, f"protection missing: trigger {name} on {table} was dropped")


def _replaced(what: str) -> Problem:
    return Problem(None, f"protection replaced: {what} is not the one KetaMon's migrations created")
