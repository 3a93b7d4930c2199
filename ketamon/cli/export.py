"""`ketamon export csv`: the record of a period as CSV files (issue 18).

An export is a disclosure of health information: it is made by a named physician or
administrator (`--as`, asked for a password) and recorded on the audit trail.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from ketamon.domain.actors import Actor


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a date, YYYY-MM-DD") from None


def add_commands(commands: argparse._SubParsersAction, parser_class: type, db_help: str) -> None:
    export = commands.add_parser(
        "export", help="the record of a period, for an EHR or a spreadsheet (audited)"
    ).add_subparsers(dest="export_command", parser_class=parser_class, required=True)
    csv = export.add_parser("csv", help="one CSV file per kind of record for a period")
    csv.add_argument("--from", dest="since", type=_day, required=True, metavar="DATE")
    csv.add_argument("--to", dest="until", type=_day, required=True, metavar="DATE")
    csv.add_argument("--out", type=Path, required=True, metavar="DIR", help="an empty folder")
    csv.add_argument(
        "--bom", action="store_true", help="a UTF-8 byte order mark, for spreadsheet programs"
    )
    csv.add_argument(
        "--as",
        dest="as_user",
        required=True,
        metavar="USERNAME",
        help="the physician or administrator exporting (asked for a password)",
    )
    csv.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    csv.add_argument("--db", metavar="URL", dest="sub_db", help=db_help)


def run(args: argparse.Namespace, url: str) -> int:
    from ketamon.services.clinic import Clinic  # the services: only when a command runs

    password = (
        sys.stdin.readline().rstrip("\n")
        if args.password_stdin
        else getpass.getpass(f"Password for {args.as_user}: ")
    )
    clinic = Clinic.open(url)
    try:
        user = clinic.auth.sign_in(args.as_user, password)  # a wrong one: refused, audited
        result = clinic.exports.csv(
            Actor(user.username, user.display_name), args.since, args.until, args.out, bom=args.bom
        )
    finally:
        clinic.close()
    for kind, path in result.files.items():
        print(f"{path}: {result.counts[kind]} rows ({kind.replace('_', ' ')})")
    print(f"Export recorded on the audit trail of {clinic.location}")
    return 0
