"""`ketamon export csv | substance-log | fhir`: the record leaving KetaMon (issue 18).

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
    csv.add_argument("--out", type=Path, required=True, metavar="DIR", help="an empty folder")
    csv.add_argument(
        "--bom", action="store_true", help="a UTF-8 byte order mark, for spreadsheet programs"
    )
    log = export.add_parser(
        "substance-log", help="the controlled-substance log of a period (PDF or CSV)"
    )
    where = log.add_mutually_exclusive_group(required=True)
    where.add_argument("--pdf", type=Path, metavar="FILE")
    where.add_argument("--csv", type=Path, metavar="FILE")
    log.add_argument("--paper", choices=("A4", "Letter"), default="A4")
    fhir = export.add_parser(
        "fhir",
        help="a FHIR R4 Bundle (JSON) of one session, one patient's sessions or a period's",
    )
    fhir.add_argument("session", nargs="?", type=int, metavar="SESSION_ID", help="one session")
    fhir.add_argument("--patient", metavar="MRN", help="every session of one patient")
    fhir.add_argument("--out", type=Path, required=True, metavar="FILE.json")
    for sub in (csv, log, fhir):  # the period and the exporter, the same for every export
        needed = sub is not fhir  # a FHIR export may name a session or a patient instead
        sub.add_argument("--from", dest="since", type=_day, required=needed, metavar="DATE")
        sub.add_argument("--to", dest="until", type=_day, required=needed, metavar="DATE")
        sub.add_argument(
            "--as",
            dest="as_user",
            required=True,
            metavar="USERNAME",
            help="the physician or administrator exporting (asked for a password)",
        )
        sub.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )
        sub.add_argument("--db", metavar="URL", dest="sub_db", help=db_help)


def run(args: argparse.Namespace, url: str) -> int:
    from ketamon.services.clinic import Clinic  # the services: only when a command runs

    password = (
        sys.stdin.readline().rstrip("\n")
        if args.password_stdin
        else getpass.getpass(f"Password for {args.as_user}: ")
    )
    if args.export_command == "substance-log":
        return _substance_log(args, url, password)
    if args.export_command == "fhir":
        return _fhir(args, url, password)
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


def _substance_log(args: argparse.Namespace, url: str, password: str) -> int:
    import os

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # fonts, no window
    from PySide6.QtGui import QGuiApplication

    from ketamon.reports.pdf import ReportError
    from ketamon.reports.substance_log import write_substance_csv, write_substance_pdf
    from ketamon.services.clinic import Clinic

    _app = QGuiApplication.instance() or QGuiApplication(["ketamon"])
    clinic = Clinic.open(url)
    try:
        user = clinic.auth.sign_in(args.as_user, password)
        actor = Actor(user.username, user.display_name)
        log = clinic.exports.substance_log(actor, args.since, args.until)
        if args.pdf is not None:
            pages = write_substance_pdf(log, args.pdf, args.paper)
            print(f"Wrote {args.pdf} ({pages} page{'s' if pages != 1 else ''})")
        else:
            rows = write_substance_csv(log, args.csv)
            print(f"Wrote {args.csv} ({rows} dose records)")
    except ReportError as error:
        print(f"ketamon: {error}", file=sys.stderr)
        return 1
    finally:
        clinic.close()
    if log.incomplete:
        print(f"{log.incomplete} incomplete dose record(s), listed first")
    print(f"Export recorded on the audit trail of {clinic.location}")
    return 0


def _fhir(args: argparse.Namespace, url: str, password: str) -> int:
    from ketamon.services.clinic import Clinic

    clinic = Clinic.open(url)
    try:
        user = clinic.auth.sign_in(args.as_user, password)
        result = clinic.exports.fhir(
            Actor(user.username, user.display_name),
            args.out,
            session_id=args.session,
            mrn=args.patient,
            since=args.since,
            until=args.until,
        )
    finally:
        clinic.close()
    resources = ", ".join(f"{kind} {n}" for kind, n in result.counts.items())
    sessions = f"{result.sessions} session{'s' if result.sessions != 1 else ''}"
    print(f"Wrote {result.path}: {sessions} ({resources})")
    if result.unsigned:
        print(f"{result.unsigned} session(s) without a valid signature: no Provenance for them")
    print(f"Export recorded on the audit trail of {clinic.location}")
    return 0
