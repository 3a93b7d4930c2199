"""`ketamon db ...` and `ketamon backup`: the clinic IT person's commands.

db init-server  the owner and application roles and the database (PostgreSQL)
db upgrade      the schema to this release's (the owner only; after a backup on PostgreSQL)
db grant        the application role's rights (again after anything changed them)
backup          a consistent copy, checked: SQLite's online backup API, or pg_dump
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from ketamon.domain.errors import DomainError, StorageError

EXIT_ERROR = 1
EXIT_AUDIT_BROKEN = 3


def add_commands(commands: argparse._SubParsersAction, parser_class: type, db_help: str) -> None:
    db = commands.add_parser("db", help="set up, upgrade and grant the database").add_subparsers(
        dest="db_command", parser_class=parser_class, required=True
    )
    init = db.add_parser(
        "init-server",
        help="create the owner and application roles and the database (PostgreSQL)",
    )
    init.add_argument("--database", required=True, help="the database to create, e.g. ketamon")
    init.add_argument("--owner", required=True, help="the owner role (schema changes)")
    init.add_argument("--app-role", required=True, help="the workstations' login role")
    init.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new roles' passwords from standard input (owner's first)",
    )
    upgrade = db.add_parser("upgrade", help="bring the schema to this release's (the owner)")
    upgrade.add_argument(
        "--i-have-a-backup",
        action="store_true",
        help="PostgreSQL: confirm a backup was taken (ketamon backup, or pg_dump)",
    )
    grant = db.add_parser("grant", help="grant the application role its rights (the owner)")
    grant.add_argument("--app-role", required=True, help="the workstations' login role")
    backup = commands.add_parser("backup", help="a consistent, checked copy of the database")
    backup.add_argument("--out", required=True, type=Path, metavar="FILE", help="a new file")
    backup.add_argument(
        "--pg-dump", default="pg_dump", metavar="PATH", help="PostgreSQL: the pg_dump to run"
    )
    for sub in (*db.choices.values(), backup):
        sub.add_argument("--db", metavar="URL", dest="sub_db", help=db_help)


def run(args: argparse.Namespace, url: str) -> int:
    if args.command == "backup":
        return _backup(url, args.out, args.pg_dump)
    if args.db_command == "init-server":
        return _init_server(args, url)
    if args.db_command == "grant":
        return _grant(url, args.app_role)
    return _upgrade(url, args.i_have_a_backup)


def _postgres_only(url: str, command: str) -> None:
    if make_url(url).get_backend_name() != "postgresql":
        raise DomainError(
            f"`ketamon db {command}` is for a PostgreSQL server (--db postgresql+psycopg://...)"
        )


def _admin_engine(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _hidden(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _init_server(args: argparse.Namespace, url: str) -> int:
    from ketamon.storage import roles

    _postgres_only(url, "init-server")
    lines = sys.stdin.read().splitlines() if args.password_stdin else None
    engine = _admin_engine(url)
    try:
        with engine.connect() as conn:
            passwords = {}
            for role in (args.owner, args.app_role):
                exists = conn.execute(
                    text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
                ).first()
                if not exists:
                    passwords[role] = _new_password(role, lines)
            setup = roles.create_roles_and_database(
                conn, args.database, args.owner, args.app_role, passwords
            )
    except Exception as error:
        raise _fault(url, error) from error
    finally:
        engine.dispose()
    database_url = make_url(url).set(database=args.database)
    engine = _admin_engine(database_url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            roles.lock_down_database(conn, args.owner, args.app_role)
    except Exception as error:
        raise _fault(url, error) from error
    finally:
        engine.dispose()
    for what in setup.created:
        print(f"Created {what}")
    for what in setup.kept:
        print(f"{what[0].upper()}{what[1:]} exists already: kept as it is")
    owner_url = database_url.set(username=args.owner, password=None)
    app_url = database_url.set(username=args.app_role, password=None)
    print(f"Database {args.database}: only {args.owner} and {args.app_role} may connect")
    print("Next, as the owner (its password in the pgpass file):")
    print(f"  ketamon db upgrade --db '{owner_url.render_as_string(hide_password=True)}'")
    print(
        f"  ketamon db grant --db '{owner_url.render_as_string(hide_password=True)}' "
        f"--app-role {args.app_role}"
    )
    print("Each workstation's ketamon.toml (its password in that computer's pgpass file):")
    print(f'  database = "{app_url.render_as_string(hide_password=True)}"')
    return 0


def _new_password(role: str, lines: list[str] | None) -> str:
    if lines is not None:
        if not lines:
            raise DomainError(f"Password for {role}: no more lines on standard input")
        password = lines.pop(0)
    else:
        password = getpass.getpass(f"Password for the new role {role}: ")
        if getpass.getpass("Again: ") != password:
            raise DomainError("The two passwords differ; nothing was created")
    if len(password) < 12:
        raise DomainError(f"Password for {role}: at least 12 characters; nothing was created")
    return password


def _fault(url: str, error: Exception) -> StorageError:
    from ketamon.storage.database import error_reason

    if isinstance(error, StorageError):
        return error
    return StorageError(_hidden(url), error_reason(error))


def _grant(url: str, role: str) -> int:
    from ketamon.storage import roles

    _postgres_only(url, "grant")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            grants = roles.grant(conn, role)
    except Exception as error:
        raise _fault(url, error) from error
    finally:
        engine.dispose()
    print(
        f"Granted {role} the application's rights on "
        f"{len(grants.tables)} tables of {grants.schema}:"
    )
    for table, privileges in grants.tables.items():
        print(f"  {table}: {', '.join(privileges)}")
    print(f"  no DELETE, TRUNCATE, TRIGGER or REFERENCES; it owns nothing ({grants.owner} does)")
    return 0


def _upgrade(url: str, have_backup: bool) -> int:
    from ketamon.storage import migrate, roles
    from ketamon.storage.database import Database

    db = Database(url)
    try:
        db.check_connection()
        before, _tables = migrate.current_revision(db)
        backup = migrate.upgrade(db, have_backup=have_backup)
        after, _tables = migrate.current_revision(db)
        regranted: list[str] = []
        if not db.is_sqlite:
            with db.engine.connect() as conn:
                regranted = roles.app_roles(conn)
    finally:
        db.dispose()
    if before == after:
        print(f"{db.location} is up to date (schema {after})")
        return 0
    if backup is not None:
        print(f"Backed up to {backup}")
    print(f"Upgraded {db.location} from schema {before or '(empty)'} to {after}")
    if regranted:
        print(f"Application role(s) granted again: {', '.join(regranted)}")
    return 0


def _backup(url: str, out: Path, pg_dump_program: str) -> int:
    from ketamon.services.clinic import Clinic
    from ketamon.storage import backup
    from ketamon.storage.database import Database

    out = out.expanduser().resolve()
    db = Database(url)
    try:
        if not db.is_sqlite:
            command = backup.pg_dump(url, out, pg_dump_program)
            problems = backup.pg_dump_readable(out, pg_dump_program)
            if problems:
                print(f"ketamon: the dump {out} does not read back: {problems[0]}", file=sys.stderr)
                return EXIT_ERROR
            print(f"Backed up {db.location} to {out} with: {' '.join(command)}")
            print(
                "Restore it into a new database with pg_restore, then check it with "
                "`ketamon audit verify --db NEW_URL` (README: restore)"
            )
            return 0
        if db.path is None:
            raise StorageError(db.location, "an in-memory database has nothing to back up")
        backup.sqlite_copy(db.path, out)
    finally:
        db.dispose()
    problems = backup.integrity_problems(out)
    if problems:
        print(f"ketamon: the copy {out} is damaged: {problems[0]}", file=sys.stderr)
        return EXIT_ERROR
    copy = Clinic.open(f"sqlite:///{out}")
    try:
        report = copy.audit.verify_report()
    finally:
        copy.close(anchor=False)
    if not report.intact:
        print(
            f"ketamon: the copy {out} does not verify: {report.problems[0].text}", file=sys.stderr
        )
        for problem in report.problems[1:]:
            print(f"  also: {problem.text}", file=sys.stderr)
        return EXIT_AUDIT_BROKEN
    head = f"row {report.head_seq}" if report.head_seq else "no rows yet"
    print(
        f"Backed up {db.location} to {out}: integrity_check ok, audit trail intact "
        f"(chain ends at {head})"
    )
    return 0
