"""The `ketamon` command: open the board, seed a demo clinic, print the version.

Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from ketamon import __version__
from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError
from ketamon.storage.database import StorageError
from ketamon.storage.location import demo_db_url, resolve_db_url

EXIT_ERROR = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
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
    return parser


def workstation_actor() -> Actor:
    """Until sign-in exists, entries are attributed to the operating-system account."""
    try:
        name = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name available
        name = "workstation"
    return Actor(name or "workstation", f"{name} (workstation account)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    url_arg = getattr(args, "sub_db", None) or args.db
    try:
        if args.command == "demo":
            return _demo(resolve_db_url(url_arg, default=demo_db_url()))
        return _run(resolve_db_url(url_arg))
    except (StorageError, DomainError) as error:
        print(f"ketamon: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _demo(url: str) -> int:
    from ketamon.services.clinic import Clinic
    from ketamon.services.demo import seed_demo

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


def _run(url: str) -> int:
    from ketamon.services.clinic import Clinic

    actor = workstation_actor()
    try:
        clinic = Clinic.open(url)
    except StorageError as error:
        from ketamon.ui.app import has_display, show_startup_error

        if has_display():
            show_startup_error(str(error))
        raise
    try:
        clinic.chairs.ensure_defaults(actor)
        from ketamon.ui.app import run

        return run(clinic, actor)
    finally:
        clinic.close()
