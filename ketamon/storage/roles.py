"""PostgreSQL: the owner role changes the schema, the application role only what the app does.

Whoever owns a table can disable its triggers and TRUNCATE it, so the login every
workstation holds must own nothing. The owner (the clinic's administrator) runs the
migrations; `grant()` gives the application role exactly what KetaMon's code needs:

- SELECT and INSERT on every table (SELECT only on alembic_version);
- UPDATE on the tables the app updates: not the audit trail, not signatures or addenda
  (append-only), not session events (written once; see NO_UPDATE);
- USAGE and SELECT on the sequences behind the integer keys (SELECT: pg_dump reads
  them, so the nightly backup can run with this login rather than the owner's);
- no DELETE (KetaMon never deletes), no TRUNCATE, REFERENCES or TRIGGER, no CREATE in the
  schema; default privileges so a table the owner creates later gets SELECT and INSERT
  (the upgrade re-applies the whole set right after migrating, in the same transaction).

SELECT ... FOR UPDATE needs UPDATE on the table locked: a table the services lock must not
be in NO_UPDATE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, String, literal, text

from ketamon.domain.errors import StorageError

# Never updated by the app: append-only (audit_log, signature, addendum; the triggers refuse
# it anyway), written once (course, session_event), or the migrations' own (alembic_version).
NO_UPDATE = frozenset({"audit_log", "signature", "addendum", "session_event", "alembic_version"})
READ_ONLY = frozenset({"alembic_version"})
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class Grants:
    role: str
    owner: str
    schema: str
    tables: dict[str, tuple[str, ...]]  # table -> privileges granted, e.g. ("SELECT", "INSERT")


def privileges_for(table: str) -> tuple[str, ...]:
    if table in READ_ONLY:
        return ("SELECT",)
    if table in NO_UPDATE:
        return ("SELECT", "INSERT")
    return ("SELECT", "INSERT", "UPDATE")


def role_name(name: str, what: str = "role name") -> str:
    """A role (or database) name KetaMon will put in SQL: lower-case letters, digits, _."""
    if not ROLE_NAME.fullmatch(name or ""):
        raise StorageError(
            "PostgreSQL",
            f"{what} {name!r}: use lower-case letters, digits and _ (at most 63, "
            "not starting with a digit)",
        )
    return name


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


def schema_owner(connection: Connection) -> str | None:
    """The role owning KetaMon's tables (the owner of alembic_version), None before any."""
    return connection.scalar(
        text(
            "SELECT pg_get_userbyid(relowner) FROM pg_class "
            "WHERE oid = to_regclass(quote_ident(current_schema()) || '.alembic_version')"
        )
    )


def can_change_schema(connection: Connection) -> bool:
    """Whether this login may run the migrations: it is (a member of) the owner of the
    tables, or, before there are any, it may create tables in the schema."""
    owner = schema_owner(connection)
    if owner is None:
        return bool(
            connection.scalar(text("SELECT has_schema_privilege(current_schema(), 'CREATE')"))
        )
    return bool(
        connection.scalar(text("SELECT pg_has_role(current_user, :o, 'USAGE')"), {"o": owner})
    )


def app_roles(connection: Connection) -> list[str]:
    """The application roles `grant()` set up, which an upgrade grants again: those that
    may INSERT into the audit trail, other than its owner (a read-only reporting role the
    administrator added is not one, and gets nothing more)."""
    rows = connection.execute(
        text(
            "SELECT DISTINCT r.rolname FROM pg_class c "
            "CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee "
            "WHERE c.oid = to_regclass(quote_ident(current_schema()) || '.audit_log') "
            "AND a.grantee <> c.relowner AND a.privilege_type = 'INSERT' ORDER BY 1"
        )
    )
    return [name for (name,) in rows]


def _refuse(role: str, reason: str) -> StorageError:
    return StorageError("PostgreSQL", f"application role {role}: {reason}; nothing was granted")


def _check_role(connection: Connection, role: str, owner: str) -> None:
    found = connection.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    if found is None:
        raise _refuse(role, "no such role (create it first: `ketamon db init-server`)")
    if found[0]:
        raise _refuse(role, "it is a superuser, which no grant can restrict")
    if role == owner or connection.scalar(
        text("SELECT pg_has_role(:r, :o, 'MEMBER')"), {"r": role, "o": owner}
    ):
        raise _refuse(role, f"it is, or is a member of, the owner role {owner}")
    owned = connection.scalars(
        text(
            "SELECT relname FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles "
            "WHERE rolname = :r) UNION SELECT nspname FROM pg_namespace WHERE nspowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = :r) UNION SELECT datname FROM "
            "pg_database WHERE datname = current_database() AND datdba = (SELECT oid FROM "
            "pg_roles WHERE rolname = :r) ORDER BY 1"
        ),
        {"r": role},
    ).all()
    if owned:
        raise _refuse(role, f"it owns {', '.join(owned)} (the owner can undo any protection)")


def grant(connection: Connection, role: str) -> Grants:
    """Give `role` exactly the application's rights on KetaMon's tables (idempotent: what it
    held before is revoked first). Run as the owner, in the caller's transaction."""
    role = role_name(role)
    owner = schema_owner(connection)
    if owner is None:
        raise _refuse(role, "the database has no KetaMon schema yet (run `ketamon db upgrade`)")
    _check_role(connection, role, owner)
    schema = str(connection.scalar(text("SELECT current_schema()")))
    r, s, o = _quote(connection, role), _quote(connection, schema), _quote(connection, owner)
    database = _quote(connection, str(connection.scalar(text("SELECT current_database()"))))
    tables = connection.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY 1"), {"s": schema}
    ).all()
    run = connection.exec_driver_sql
    run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}")
    run(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}")
    run(f"REVOKE CREATE ON SCHEMA {s} FROM {r}")
    run(f"GRANT USAGE ON SCHEMA {s} TO {r}")
    if not connection.scalar(
        text("SELECT has_database_privilege(:r, current_database(), 'CONNECT')"), {"r": role}
    ):
        run(f"GRANT CONNECT ON DATABASE {database} TO {r}")
    granted = {}
    for table in tables:
        granted[table] = privileges_for(table)
        run(f"GRANT {', '.join(granted[table])} ON TABLE {s}.{_quote(connection, table)} TO {r}")
    run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}")
    default = f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s}"
    run(f"{default} REVOKE ALL ON TABLES FROM {r}")
    run(f"{default} GRANT SELECT, INSERT ON TABLES TO {r}")
    run(f"{default} REVOKE ALL ON SEQUENCES FROM {r}")
    run(f"{default} GRANT USAGE, SELECT ON SEQUENCES TO {r}")
    if connection.scalar(
        text("SELECT has_schema_privilege(:r, :s, 'CREATE')"), {"r": role, "s": schema}
    ):
        raise _refuse(
            role,
            f"it may still create tables in schema {schema} (granted to PUBLIC); the server's "
            f"administrator runs: REVOKE CREATE ON SCHEMA {s} FROM PUBLIC",
        )
    return Grants(role, owner, schema, granted)


def reapply(connection: Connection) -> list[Grants]:
    """After the owner migrated: every application role gets its rights on the new schema."""
    return [grant(connection, role) for role in app_roles(connection)]


def password_sql(connection: Connection, role: str, password: str) -> str:
    """The PASSWORD clause's literal: a SCRAM verifier computed here by libpq when the
    driver offers it (the password itself never reaches the server's logs), else the
    password quoted as an SQL literal."""
    driver = getattr(connection.connection, "driver_connection", None)
    pgconn = getattr(driver, "pgconn", None)
    secret = password
    if pgconn is not None:
        secret = pgconn.encrypt_password(
            password.encode(), role.encode(), b"scram-sha-256"
        ).decode()
    return str(
        literal(secret, String()).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
    )


@dataclass(frozen=True)
class ServerSetup:
    created: tuple[str, ...]  # what was created, e.g. ("role ketamon_owner", "database ...")
    kept: tuple[str, ...]  # what existed already and was left as it was


def create_roles_and_database(
    connection: Connection, database: str, owner: str, app: str, passwords: dict[str, str]
) -> ServerSetup:
    """As the server's administrator (autocommit): the owner and the application login
    roles (passwords: role -> password, for the roles not there yet) and the database,
    owned by the owner. What exists already is kept (run it again: nothing changes)."""
    database = role_name(database, "database name")
    owner, app = role_name(owner), role_name(app)
    if owner == app:
        raise StorageError("PostgreSQL", "the owner and the application role must differ")
    created, kept = [], []
    for role in (owner, app):
        if connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
            kept.append(f"role {role}")
            continue
        clause = ""
        if passwords.get(role):
            clause = f" PASSWORD {password_sql(connection, role, passwords[role])}"
        connection.exec_driver_sql(
            f"CREATE ROLE {_quote(connection, role)} LOGIN NOSUPERUSER NOCREATEDB "
            f"NOCREATEROLE NOINHERIT{clause}"
        )
        created.append(f"role {role}")
    if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}):
        kept.append(f"database {database}")
    else:
        connection.exec_driver_sql(
            f"CREATE DATABASE {_quote(connection, database)} OWNER {_quote(connection, owner)}"
        )
        created.append(f"database {database}")
    return ServerSetup(tuple(created), tuple(kept))


def lock_down_database(connection: Connection, owner: str, app: str) -> None:
    """As the server's administrator, in the new database: only the two roles connect,
    the owner owns the public schema, and nobody else may create tables in it."""
    owner, app = role_name(owner), role_name(app)
    o, a = _quote(connection, owner), _quote(connection, app)
    database = _quote(connection, str(connection.scalar(text("SELECT current_database()"))))
    run = connection.exec_driver_sql
    run(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
    run(f"GRANT CONNECT ON DATABASE {database} TO {a}")  # no TEMPORARY: KetaMon needs none
    run(f"ALTER SCHEMA public OWNER TO {o}")
    run("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    run(f"GRANT USAGE ON SCHEMA public TO {a}")


def login_warning(connection: Connection) -> str | None:
    """Why the login connected could switch the protections off (a superuser, or the
    owner of the tables), for `ketamon audit verify` to say; None when it cannot."""
    if connection.dialect.name != "postgresql":
        return None
    user, superuser = connection.execute(
        text("SELECT rolname, rolsuper FROM pg_roles WHERE rolname = current_user")
    ).one()
    owner = schema_owner(connection)
    if superuser:
        what = "is a superuser"
    elif owner is not None and connection.scalar(
        text("SELECT pg_has_role(current_user, :o, 'USAGE')"), {"o": owner}
    ):
        what = "owns KetaMon's tables"
    else:
        return None
    return (
        f"this login ({user}) {what}: it could switch the protections off; workstations "
        "log in as the application role (README: the IT person's set-up)"
    )
