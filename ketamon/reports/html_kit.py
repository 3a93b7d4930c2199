"""The pieces the summary's HTML is built from (the subset Qt's QTextDocument renders):
escaping, local times with their zone, two-column and many-column tables, headings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

from ketamon.domain.patients import AllergyStatus
from ketamon.domain.summary import SessionSummary

# Headings are real <h2>/<h3> blocks: the paginator (reports/pdf.py) keeps each with what
# follows it, so none is left alone at the foot of a page.
H2 = '<h2 style="font-size: 15pt; margin-top: 4px; margin-bottom: 4px;">'
H3 = '<h3 style="margin-top: 12px; margin-bottom: 3px;">'
TABLE = 'border="1" cellspacing="0" cellpadding="3" width="100%" style="border-color:#888;"'
DARK_RED = "#8c1d18"


def e(value: object) -> str:
    return escape(str(value))


def local(summary: SessionSummary, value: datetime | None, *, with_date: bool = False) -> str:
    if value is None:
        return "—"
    shown = value.astimezone(summary.tz)
    return shown.strftime("%Y-%m-%d %H:%M %Z" if with_date else "%H:%M %Z")


def rows(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<tr><td width="30%"><b>{e(k)}</b></td><td>{v}</td></tr>' for k, v in pairs)


def key_values(pairs: Iterable[tuple[str, str]]) -> str:
    return f"<table {TABLE}>" + rows(pairs) + "</table>"


def table(
    header: Iterable[str],
    body: Iterable[Iterable[str]],
    *,
    widths: Sequence[int] = (),
    small: bool = False,
) -> str:
    """`widths`: each column's share of the page in percent (so no column is squeezed
    until its words break); `small`: 9 pt, for a table of many columns."""
    head = "".join(
        f'<th align="left" bgcolor="#e6e9ee"{_width(widths, i)}>{e(h)}</th>'
        for i, h in enumerate(header)
    )
    lines = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    style = TABLE if not small else TABLE.replace('style="', 'style="font-size: 9pt; ')
    return f"<table {style}><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>"


def _width(widths: Sequence[int], column: int) -> str:
    return f' width="{widths[column]}%"' if column < len(widths) else ""


def allergies(s: SessionSummary) -> str:
    """The allergy status in words; a list, or nothing recorded, in bold (and dark red)."""
    p = s.patient
    if p is None:
        return "—"
    if p.allergy_status is AllergyStatus.NONE_KNOWN:
        return e(p.allergy_text)
    return f'<b><font color="{DARK_RED}">{e(p.allergy_text)}</font></b>'
