"""The discharge summary on paper and as PDF: QTextDocument, paginated by hand so every page
carries the patient's name and MRN at the top and "Page n of N" at the bottom.

The same `paint` draws on a QPdfWriter (PDF file) and on a QPrinter (print preview / paper).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from ketamon.domain.summary import SessionSummary
from ketamon.reports.chart import chart_image
from ketamon.reports.summary_html import CHART_URL, build_html

if TYPE_CHECKING:  # the printer of ui/printing.py; a PDF needs no print support
    from PySide6.QtPrintSupport import QPrinter

PAGE_SIZES = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
MARGINS_MM = QMarginsF(16, 14, 16, 14)


class ReportError(Exception):
    """The summary could not be written (the message names the file and the reason)."""


def page_layout(page: str) -> QPageLayout:
    if page not in PAGE_SIZES:
        raise ReportError(f"Unknown paper size {page!r}: use A4 or Letter")
    return QPageLayout(
        QPageSize(PAGE_SIZES[page]),
        QPageLayout.Orientation.Portrait,
        MARGINS_MM,
        QPageLayout.Unit.Millimeter,
    )


def build_document(
    summary: SessionSummary, device: QPagedPaintDevice | None = None, width: float = 640
) -> QTextDocument:
    """The summary as a QTextDocument laid out for `device` (fonts at its resolution), with
    the chart `width` device pixels wide."""
    document = QTextDocument()
    if device is not None:
        document.documentLayout().setPaintDevice(device)
    document.setDefaultFont(QFont("DejaVu Sans", 10))
    document.addResource(
        QTextDocument.ResourceType.ImageResource, QUrl(CHART_URL), chart_image(summary)
    )
    document.setHtml(build_html(summary, chart_width=int(width)))
    return document


def _page(document: QTextDocument, block: QTextBlock) -> int:
    """The page of the block's first line (a line that did not fit was moved down to the
    next page, the block's own position stays where it began)."""
    top = document.documentLayout().blockBoundingRect(block).top()
    layout = block.layout()
    if layout is not None and layout.lineCount():
        top += layout.lineAt(0).y()
    return int(top // document.pageSize().height())


def _follower(block: QTextBlock) -> QTextBlock:
    """The first block of what follows a heading: past a table's header row (which Qt
    repeats on the next page), the first body cell."""
    following = block.next()
    table = QTextCursor(following).currentTable() if following.isValid() else None
    if table is not None and table.format().headerRowCount() and table.rows() > 1:
        return table.cellAt(table.format().headerRowCount(), 0).firstCursorPosition().block()
    return following


def orphaned_headings(document: QTextDocument) -> list[QTextBlock]:
    """Headings laid out on an earlier page than the content that follows them."""
    orphans = []
    block = document.begin()
    while block.isValid():
        follower = _follower(block)
        if (
            block.blockFormat().headingLevel()
            and follower.isValid()
            and _page(document, block) < _page(document, follower)
        ):
            orphans.append(block)
        block = block.next()
    return orphans


def keep_headings_with_next(document: QTextDocument) -> None:
    """No heading alone at the foot of a page: a heading whose content starts on the next
    page starts that page itself (Qt honours "page-break-before" but not "avoid")."""
    for _ in range(64):  # each move pushes later content down: look again, top to bottom
        orphans = orphaned_headings(document)
        if not orphans:
            return
        moved = QTextBlockFormat()
        moved.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        QTextCursor(orphans[0]).mergeBlockFormat(moved)


def page_body(device: QPdfWriter | QPrinter) -> tuple[float, QSizeF]:
    """The header/footer band's height and the body's size on `device`, in device pixels."""
    dpi = device.resolution()
    area = device.pageLayout().paintRectPixels(dpi)
    band = dpi * 0.35
    return band, QSizeF(area.width(), area.height() - 2 * band)


def image_width(device: QPdfWriter | QPrinter, body: QSizeF) -> float:
    """A full-width image's width: Qt scales images by the device's resolution over the
    screen's 96 dpi, so undo that."""
    return body.width() * 0.98 * 96 / device.resolution()


def paint_pages(
    document: QTextDocument, device: QPdfWriter | QPrinter, heading: str, stamp: str
) -> int:
    """Paint a laid-out document page by page, each with `heading` and `stamp` at the top
    and "Page n of N" at the foot; no heading left alone at a page's foot. Returns the
    page count (every KetaMon report goes through here)."""
    band, body = page_body(device)
    document.setPageSize(body)
    keep_headings_with_next(document)
    pages = document.pageCount()
    painter = QPainter(device)
    if not painter.isActive():
        raise ReportError("could not start drawing on the page")
    small = QFont("DejaVu Sans", 8)
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom
    try:
        for index in range(pages):
            if index:
                device.newPage()
            painter.setFont(small)
            top = QRectF(0, 0, body.width(), band * 0.8)
            painter.drawText(top, left, heading)
            painter.drawText(top, right, stamp)
            painter.drawLine(0, int(band * 0.9), int(body.width()), int(band * 0.9))
            painter.save()
            painter.translate(0, band - index * body.height())
            clip = QRectF(0, index * body.height(), body.width(), body.height())
            document.drawContents(painter, clip)
            painter.restore()
            bottom = QRectF(0, band + body.height() + band * 0.2, body.width(), band * 0.8)
            painter.setFont(small)
            painter.drawText(
                bottom,
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                f"Page {index + 1} of {pages}",
            )
    finally:
        painter.end()
    return pages


def paint(summary: SessionSummary, device: QPdfWriter | QPrinter) -> int:
    """Lay the summary out on `device`'s pages and paint them. Returns the page count."""
    _band, body = page_body(device)
    document = build_document(summary, device, image_width(device, body))
    session = summary.session
    heading = f"{session.patient_name}  ·  MRN {session.mrn}  ·  Discharge summary"
    stamp = summary.printed_at.astimezone(summary.tz).strftime("Printed %Y-%m-%d %H:%M %Z")
    return paint_pages(document, device, heading, stamp)


def pdf_writer(path: Path | str, page: str, title: str) -> QPdfWriter:
    """A PDF writer for `path` at 300 dpi; ReportError names the file and the reason."""
    target = Path(path)
    if target.is_dir():
        raise ReportError(f"{target}: is a folder, not a file name")
    if not target.parent.exists():
        raise ReportError(f"{target}: the folder {target.parent} does not exist")
    try:
        with open(target, "ab"):
            pass
    except OSError as error:
        raise ReportError(f"{target}: cannot write here ({error.strerror})") from error
    writer = QPdfWriter(str(target))
    writer.setResolution(300)
    writer.setPageLayout(page_layout(page))
    writer.setTitle(title)
    writer.setCreator("KetaMon")
    return writer


def write_pdf(summary: SessionSummary, path: Path | str, page: str = "A4") -> int:
    """Write the summary to `path` as PDF; ReportError names the file and the reason."""
    writer = pdf_writer(path, page, f"Discharge summary: {summary.session.patient_name}")
    return paint(summary, writer)
