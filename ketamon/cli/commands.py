"""The `ketamon` commands (ketamon.cli starts the board on its own light path): seed a
demo clinic, users, audit, reports, exports, the database, print the version.

Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import NoReturn

from ketamon import __version__
from ketamon.cli import db as db_commands
from ketamon.cli import export as export_commands
from ketamon.domain.actors import Actor
from ketamon.domain.audit import AnchorState
from ketamon.domain.errors import DomainError
from ketamon.logs import configure as configure_logging
from ketamon.storage import roles
from ketamon.storage.database import StorageError, is_database_file
from ketamon.storage.location import data_dir, demo_db_url, has_password, resolve_db_url

EXIT_ERROR = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, no usage dump
        self.exit(EXIT_USAGE, f"ketamon: {message} (see ketamon --help)\n")


def build_parser() -> argparse.ArgumentParser:
    db_help = "SQLAlchemy database URL (default: $KETAMON_DB, else the per-user data folder)"
    parser = _Parser(prog="ketamon", description="KetaMon: infusion-room chair board.")
    parser.add_argument("--version", action="version", version=f"ketamon {__version__}")
    parser.add_argument("--db", metavar="URL", help=db_help)
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    run = commands.add_parser("run", help="open the chair board (the default)")
    run.add_argument("--db", metavar="URL", dest="sub_db", help=db_help)
    demo = commands.add_parser("demo", help="seed a demo clinic into an empty database")
    demo.add_argument(
        "--db",
        metavar="URL",
        dest="sub_db",
        help="database to seed (default: a separate demo database in the data folder)",
    )
    users = commands.add_parser("user", help="manage user accounts").add_subparsers(
        dest="user_command", parser_class=_Parser, required=True
    )
    add = users.add_parser("add", help="add a user (the first one on an empty database)")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="nurse, physician, admin (comma-separated)")
    add.add_argument("--full-name", required=True)
    add.add_argument("--credentials", default="", help='shown after the name, e.g. "RN"')
    for name, needs_reason in (
        ("deactivate", True),
        ("reactivate", True),
        ("reset-password", False),
    ):
        sub = users.add_parser(name, help=f"{name.replace('-', ' ')} a user (admin only)")
        sub.add_argument("username")
        if needs_reason:
            sub.add_argument("--reason", required=True)
    users.add_parser("list", help="list the user accounts")
    for sub in users.choices.values():
        sub.add_argument("--db", metavar="URL", dest="sub_db", help=db_help)
        if sub.prog.split()[-1] != "list":
            sub.add_argument(
                "--as",
                dest="as_user",
                metavar="ADMIN",
                help="the administrator making the change (asked for a password)",
            )
            sub.add_argument(
                "--password-stdin",
                action="store_true",
                help="read passwords from standard input, one per line "
                "(the administrator's first, when --as is given)",
            )
    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", parser_class=_Parser, required=True
    )
    verify = audit.add_parser(
        "verify", help="check the hash chain, every record, the triggers and the anchors"
    )
    verify.add_argument(
        "--anchors",
        metavar="PATH",
        action="append",
        type=Path,
        help="also check this anchor file (or folder holding audit-anchors.txt); repeatable",
    )
    verify.add_argument(
        "--since-last-anchor",
        action="store_true",
        help="recompute the chain only after the newest anchor still held (quicker; the "
        "records, protections, signatures and anchors are checked whole)",
    )
    anchor = audit.add_parser(
        "anchor", help="append the chain's head to the anchor files (data folder, copy folder)"
    )
    anchor.add_argument(
        "--copy-to",
        metavar="DIR",
        action="append",
        type=Path,
        help="also append it to DIR/audit-anchors.txt (a backup drive); repeatable",
    )
    for sub in (verify, anchor):
        sub.add_argument("--db", metavar="URL", dest="sub_db", help=db_help)
    summary = commands.add_parser("summary", help="write a session's discharge summary as PDF")
    summary.add_argument("session_id", type=int, metavar="SESSION_ID")
    summary.add_argument("--pdf", metavar="FILE", required=True, help="the PDF file to write")
    summary.add_argument("--paper", choices=("A4", "Letter"), default="A4")
    summary.add_argument("--db", metavar="URL", dest="sub_db", help=db_help)
    course = commands.add_parser(
        "course-report", help="write a patient's course report (for the referring clinician)"
    )
    course.add_argument("mrn", metavar="MRN")
    course.add_argument("--pdf", metavar="FILE", required=True, help="the PDF file to write")
    course.add_argument("--paper", choices=("A4", "Letter"), default="A4")
    course.add_argument("--db", metavar="URL", dest="sub_db", help=db_help)
    db_commands.add_commands(commands, _Parser, db_help)
    export_commands.add_commands(commands, _Parser, db_help)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    url_arg = getattr(args, "sub_db", None) or args.db
    configure_logging(data_dir())
    _warn_of_a_password(url_arg)
    try:
        if args.command == "user":
            return _user(args, resolve_db_url(url_arg))
        if args.command == "audit" and args.audit_command == "anchor":
            return _audit_anchor(args.copy_to or [], resolve_db_url(url_arg))
        if args.command == "audit":
            return _audit_verify(
                args.anchors or [], resolve_db_url(url_arg), args.since_last_anchor
            )
        if args.command in ("summary", "course-report"):
            return _summary(args, resolve_db_url(url_arg))
        if args.command == "export":
            return export_commands.run(args, resolve_db_url(url_arg))
        if args.command in ("db", "backup"):
            return db_commands.run(args, resolve_db_url(url_arg))
        if args.command == "demo":
            return _demo(resolve_db_url(url_arg, default=demo_db_url()))
        return _run(resolve_db_url(url_arg))
    except (StorageError, DomainError) as error:
        print(f"ketamon: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _warn_of_a_password(url_arg: str | None) -> None:
    if url_arg and has_password(url_arg):
        print(
            "ketamon: warning: the --db URL holds a password, which other users of this "
            "computer can read in its list of processes: put it in the pgpass file instead",
            file=sys.stderr,
        )


def prepare_board(url_arg: str | None) -> str:
    """The board's start, run off the GUI thread by ketamon.cli's light path while the
    sign-in window is shown: the data layer and the main window imported, logging set up,
    the database URL resolved (StorageError or DomainError when it cannot be)."""
    import ketamon.ui.app  # noqa: F401  (services, storage, SQLAlchemy, the main window)

    configure_logging(data_dir())
    _warn_of_a_password(url_arg)
    return resolve_db_url(url_arg)


def _demo(url: str) -> int:
    from ketamon.demo.seed import seed_demo
    from ketamon.services.clinic import Clinic

    clinic = Clinic.open(url)
    try:
        summary = seed_demo(clinic, Actor("demo", "Demo seeder"))
    finally:
        clinic.close()
    print(
        f"Seeded demo clinic in {clinic.location}: {summary.patients} patients, "
        f"{summary.sessions} sessions ({summary.live_sessions} live now)"
    )
    return 0


def _summary(args: argparse.Namespace, url: str) -> int:
    import os

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # fonts, no window
    from PySide6.QtGui import QGuiApplication

    from ketamon.reports.course_pdf import write_course_pdf
    from ketamon.reports.pdf import ReportError, write_pdf
    from ketamon.services.clinic import Clinic

    _app = QGuiApplication.instance() or QGuiApplication(["ketamon"])
    clinic = Clinic.open(url)
    try:
        if is_database_file(args.pdf):  # writing it would drop the locks, or worse
            print(
                f"ketamon: {args.pdf} is a clinic database file; nothing written", file=sys.stderr
            )
            return EXIT_ERROR
        if args.command == "course-report":
            pages = write_course_pdf(clinic.courses.report(args.mrn), args.pdf, args.paper)
        else:
            pages = write_pdf(clinic.summary.snapshot(args.session_id), args.pdf, args.paper)
    except ReportError as error:
        print(f"ketamon: {error}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        clinic.close()
    print(f"Wrote {args.pdf} ({pages} page{'s' if pages != 1 else ''})")
    return 0


def _run(url: str) -> int:
    from ketamon.services.clinic import Clinic

    try:
        clinic = Clinic.open(url)
    except StorageError as error:
        from ketamon.ui.app import has_display, show_startup_error

        if has_display():
            show_startup_error(str(error))
        raise
    try:
        from ketamon.ui.app import run

        return run(clinic)  # first administrator, sign-in, then the board
    finally:
        clinic.close()


class _Passwords:
    """Passwords from a prompt (never echoed) or, with --password-stdin, one per line."""

    def __init__(self, from_stdin: bool) -> None:
        self.lines = sys.stdin.read().splitlines() if from_stdin else None

    def ask(self, prompt: str, *, confirm: bool = False) -> str:
        if self.lines is not None:
            if not self.lines:
                raise DomainError(f"{prompt.rstrip(': ')}: no more lines on standard input")
            return self.lines.pop(0)
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Again: ") != first:
            raise DomainError("The two passwords differ; nothing was changed")
        return first


def _user(args: argparse.Namespace, url: str) -> int:
    from ketamon.services.clinic import Clinic

    clinic = Clinic.open(url)
    try:
        if args.user_command == "list":
            for user in clinic.users.all():
                roles = ",".join(sorted(r.value for r in user.roles))
                state = "active" if user.active else "deactivated"
                print(f"{user.username}\t{user.display_name}\t{roles}\t{state}")
            return 0
        passwords = _Passwords(args.password_stdin)
        if args.user_command == "add" and not clinic.users.any_users():
            password = passwords.ask(f"Password for {args.username}: ", confirm=True)
            user = clinic.users.create_first_admin(
                args.username, args.full_name, args.credentials, password, roles=args.role
            )
            print(f"Added {user.username} ({user.display_name}), the first administrator")
            return 0
        if not args.as_user:
            raise DomainError("Name the administrator making the change with --as USERNAME")
        admin = clinic.auth.sign_in(args.as_user, passwords.ask(f"Password for {args.as_user}: "))
        actor = Actor(admin.username, admin.display_name)
        if args.user_command == "add":
            password = passwords.ask(f"Password for {args.username}: ", confirm=True)
            user = clinic.users.add(
                actor, args.username, args.full_name, args.credentials, args.role, password
            )
            print(f"Added {user.username} ({user.display_name})")
        elif args.user_command == "reset-password":
            password = passwords.ask(f"New password for {args.username}: ", confirm=True)
            clinic.users.reset_password(actor, args.username, password)
            print(f"Password reset for {args.username}")
        elif args.user_command == "deactivate":
            clinic.users.deactivate(actor, args.username, args.reason)
            print(f"Deactivated {args.username}")
        else:
            clinic.users.reactivate(actor, args.username, args.reason)
            print(f"Reactivated {args.username}")
        return 0
    finally:
        clinic.close()


EXIT_AUDIT_BROKEN = 3


def _audit_verify(extra_anchors: list[Path], url: str, since_last_anchor: bool = False) -> int:
    from ketamon.services.clinic import Clinic

    clinic = Clinic.open(url)
    try:
        report = clinic.audit.verify_report(extra_anchors, since_last_anchor=since_last_anchor)
        with clinic.db.engine.connect() as conn:
            login = roles.login_warning(conn)
    finally:
        clinic.close(anchor=False)  # verifying writes nothing, not even an anchor
    head = f"row {report.head_seq}" if report.head_seq else "no rows yet"
    if report.chain_after is not None:
        head += f", recomputed after row {report.chain_after}"
    if report.intact:
        print(
            f"Audit trail intact: every record of {clinic.location} matches its trail "
            f"(chain ends at {head}), every protection is in place, every signature verifies, "
            "every anchor is held"
        )
    else:
        first, *more = report.problems
        heading = "" if first.text.startswith("SIGNATURE INVALID") else "audit trail BROKEN: "
        print(f"ketamon: {heading}{first.text}", file=sys.stderr)
        for problem in more:
            print(f"  also: {problem.text}", file=sys.stderr)
    out = sys.stdout if report.intact else sys.stderr
    for warning in report.warnings:
        print(f"  warning: {warning.text}", file=out)
    if login is not None:
        print(f"  warning: {login}", file=out)
    for checked in report.anchor_files:
        what = checked.state.label
        if checked.state is AnchorState.CHECKED:
            what = f"{checked.anchors} anchor(s) of this database checked"
        print(f"  anchors: {checked.path}: {what}", file=out)
    return 0 if report.intact else EXIT_AUDIT_BROKEN


def _audit_anchor(copy_to: list[Path], url: str) -> int:
    from ketamon.services.clinic import Clinic

    clinic = Clinic.open(url)
    try:
        result = clinic.anchors.anchor(copy_to)
    finally:
        clinic.close(anchor=False)
    if result.seq is None:
        print(f"Nothing to anchor: the audit trail of {clinic.location} is empty")
        return 0
    for path in result.written:
        print(f"Anchored row {result.seq} in {path}")
    for path in result.unchanged:
        print(f"{path} already holds row {result.seq}")
    for path, why in result.failed:
        print(f"ketamon: could not anchor in {path}: {why}", file=sys.stderr)
    return EXIT_ERROR if result.failed else 0
