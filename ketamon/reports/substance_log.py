"""The controlled-substance log as a printable PDF (the report pipeline: one painter for
every report, page headings, "Page n of N", no heading alone at a page's foot) and as CSV.
Incomplete dose records are listed first, in words; totals per lot and per day follow."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtGui import QFont, QTextDocument

from ketamon.domain.exports import local_text, utc_text
from ketamon.domain.substance_log import DRUG, SubstanceEntry, SubstanceLog, Total
from ketamon.reports.html_kit import DARK_RED, H2, H3, TABLE, e, table
from ketamon.reports.pdf import ReportError, page_body, paint_pages, pdf_writer

CSV_COLUMNS = (
    "at_utc",
    "at_local",
    "patient_name",
    "patient_mrn",
    "drug",
    "concentration_mg_ml",
    "lot",
    "planned_mg",
    "given_mg",
    "wasted_mg",
    "nurse",
    "waste_witness",
    "missing",
    "session_id",
)


def _mg(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _row(log: SubstanceLog, entry: SubstanceEntry) -> str:
    """One record's row; an incomplete one is followed by a full-width line saying what
    is missing, in bold red words."""
    cells = [
        e(local_text(entry.at, log.tz)),
        f"{e(entry.patient_name)}<br>MRN {e(entry.mrn)}",
        f"{DRUG} {entry.concentration_mg_ml:g} mg/ml",
        e(entry.lot or "—"),
        _mg(entry.planned_mg),
        _mg(entry.given_mg),
        _mg(entry.wasted_mg),
        e(entry.nurse),
        e(entry.witness or "—"),
    ]
    row = "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
    if entry.missing:
        row += (
            f'<tr><td colspan="{len(cells)}"><b><font color="{DARK_RED}">'
            f"{e(entry.missing)} (session {entry.session_id})</font></b></td></tr>"
        )
    return row


HEADER = (
    ("When", 14),
    ("Patient", 17),
    ("Drug", 11),
    ("Lot", 11),
    ("Planned mg", 8),
    ("Given mg", 8),
    ("Wasted mg", 8),
    ("Nurse", 11),
    ("Waste witness", 12),
)


def _records(log: SubstanceLog) -> str:
    head = "".join(
        f'<th align="left" bgcolor="#e6e9ee" width="{width}%">{e(name)}</th>'
        for name, width in HEADER
    )
    body = "".join(_row(log, entry) for entry in log.entries) or (
        f'<tr><td colspan="{len(HEADER)}">None in this period.</td></tr>'
    )
    style = TABLE.replace('style="', 'style="font-size: 8pt; ')
    return f"<table {style}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def total_mg(value: float, unknown: int, records: int) -> str:
    """A total in words: '36', or what the records that say it add up to and how many do
    not say it ('36 + 1 NOT RECORDED'; 'NOT RECORDED (1)' when none does)."""
    if not unknown:
        return f"{value:g}"
    if unknown == records:
        return f"NOT RECORDED ({unknown})"
    return f"{value:g} + {unknown} NOT RECORDED"


def _totals(title: str, totals: tuple[Total, ...]) -> str:
    body = [
        [
            e(t.key),
            str(t.records),
            _mg(t.planned_mg),
            total_mg(t.given_mg, t.given_unknown, t.records),
            total_mg(t.wasted_mg, t.wasted_unknown, t.records),
        ]
        for t in totals
    ]
    header = [title, "Records", "Planned (mg)", "Given (mg)", "Wasted (mg)"]
    return table(header, body, widths=(30, 14, 18, 18, 20))


def build_html(log: SubstanceLog) -> str:
    period = f"{log.first.isoformat()} to {log.last.isoformat()}"
    zone = log.printed_at.astimezone(log.tz).tzname() or ""
    count = len(log.entries)
    incomplete = (
        f'<p><b><font color="{DARK_RED}">{log.incomplete} dose record'
        f"{'s are' if log.incomplete != 1 else ' is'} incomplete: listed first.</font></b></p>"
        if log.incomplete
        else "<p>Every dose record of the period is complete.</p>"
    )
    parts = [
        "<html><body style=\"font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 9pt;\">",
        f"{H2}Controlled-substance log: {DRUG} (Schedule III)</h2>",
        f"<p>Sessions checked in from {e(period)} ({e(zone)} time): "
        f"{count} dose record{'s' if count != 1 else ''}.</p>",
        incomplete,
        f"{H3}Administrations and waste</h3>",
        _records(log),
        f"{H3}Totals per lot</h3>",
        _totals("Lot", log.by_lot),
        f"{H3}Totals per day</h3>",
        _totals("Day", log.by_day),
        f"{H3}Reviewed by</h3>",
        "<p>Name: ______________________________  Signature: ____________________"
        "  Date: ____________</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_substance_pdf(log: SubstanceLog, path: Path | str, page: str = "A4") -> int:
    """The log as PDF; ReportError names the file and the reason. Returns the pages."""
    writer = pdf_writer(path, page, "Controlled-substance log")
    _band, body = page_body(writer)
    document = QTextDocument()
    document.documentLayout().setPaintDevice(writer)
    document.setDefaultFont(QFont("DejaVu Sans", 9))
    document.setPageSize(body)
    document.setHtml(build_html(log))
    heading = f"Controlled-substance log  ·  {log.first.isoformat()} to {log.last.isoformat()}"
    stamp = log.printed_at.astimezone(log.tz).strftime("Printed %Y-%m-%d %H:%M %Z")
    return paint_pages(document, writer, heading, stamp)


def write_substance_csv(log: SubstanceLog, path: Path | str, *, bom: bool = False) -> int:
    """The log as CSV (times in UTC and local with the zone); the rows written."""
    target = Path(path)
    try:
        handle = target.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8")
    except OSError as error:
        raise ReportError(f"{target}: cannot write here ({error.strerror})") from error
    with handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for entry in log.entries:
            writer.writerow(
                [
                    utc_text(entry.at),
                    local_text(entry.at, log.tz),
                    entry.patient_name,
                    entry.mrn,
                    DRUG,
                    entry.concentration_mg_ml,
                    entry.lot,
                    entry.planned_mg,
                    "" if entry.given_mg is None else entry.given_mg,
                    "" if entry.wasted_mg is None else entry.wasted_mg,
                    entry.nurse,
                    entry.witness,
                    entry.missing,
                    entry.session_id,
                ]
            )
    return len(log.entries)
