"""The database triggers KetaMon's migrations create, and which of them are missing.

Anyone holding the database file can drop a trigger; verification lists every one that is
gone (or, on PostgreSQL, disabled, or whose function no longer refuses), so a dropped
protection is reported even when nothing has been changed through the gap yet.

A migration that creates triggers adds them to TRIGGERS below (the migrations test checks
the list against a freshly migrated database, so a forgotten one fails the tests).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from ketamon.storage.audit import Problem

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
    """One problem per trigger that is missing, disabled or no longer refuses anything."""
    backend = connection.dialect.name
    expected = TRIGGERS.get(backend)
    if expected is None:
        return [Problem(None, f"triggers on {backend} are not known to KetaMon: not checked", True)]
    if backend == "sqlite":
        return _sqlite(connection, expected)
    return _postgresql(connection, expected)


def _missing(name: str, table: str) -> Problem:
    return Problem(None, f"protection missing: trigger {name} on {table} was dropped")


def _sqlite(connection: Connection, expected: dict[str, str]) -> list[Problem]:
    found = {
        name: (table, sql or "")
        for name, table, sql in connection.execute(
            text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        )
    }
    problems = []
    for name, table in expected.items():
        if name not in found:
            problems.append(_missing(name, table))
        elif found[name][0] != table or "RAISE(ABORT" not in found[name][1].upper():
            problems.append(
                Problem(None, f"protection replaced: trigger {name} no longer refuses on {table}")
            )
    return problems


def _postgresql(connection: Connection, expected: dict[str, str]) -> list[Problem]:
    rows = connection.execute(
        text(
            "SELECT t.tgname, c.relname, t.tgenabled, p.proname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = to_regnamespace(current_schema())"
        )
    )
    found = {name: (table, enabled, function) for name, table, enabled, function in rows}
    problems = []
    for name, table in expected.items():
        if name not in found or found[name][0] != table:
            problems.append(_missing(name, table))
        elif found[name][1] == "D":
            problems.append(Problem(None, f"protection disabled: trigger {name} on {table}"))
        elif found[name][2] not in PG_FUNCTIONS:
            problems.append(
                Problem(
                    None, f"protection replaced: trigger {name} on {table} calls {found[name][2]}"
                )
            )
    sources: dict[str, str] = dict(
        connection.execute(
            text(
                "SELECT proname, prosrc FROM pg_proc "
                "WHERE proname IN ('ketamon_refuse', 'ketamon_refuse_signed')"
            )
        ).all()
    )
    for function in PG_FUNCTIONS:
        if "RAISE EXCEPTION" not in (sources.get(function) or "").upper():
            problems.append(
                Problem(None, f"protection replaced: function {function}() no longer refuses")
            )
    return problems
