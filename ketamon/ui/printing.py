"""Printing the discharge summary: a print preview (paper, A4 or Letter as the printer is
set) and Save as PDF. Both draw with ketamon.reports.pdf.paint, so paper and PDF match."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from ketamon.domain.summary import SessionSummary
from ketamon.reports.pdf import MARGINS_MM, write_pdf
from ketamon.reports.pdf import paint as paint_pages
from ketamon.ui.file_dialogs import SaveFileDialog


def default_paper() -> str:
    """US Letter where the locale measures in inches (US, Canada...), A4 elsewhere."""
    imperial = QLocale().measurementSystem() != QLocale.MeasurementSystem.MetricSystem
    return "Letter" if imperial else "A4"


def make_printer(paper: str | None = None) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    size = (
        QPageSize.PageSizeId.Letter
        if (paper or default_paper()) == "Letter"
        else (QPageSize.PageSizeId.A4)
    )
    printer.setPageLayout(
        QPageLayout(
            QPageSize(size),
            QPageLayout.Orientation.Portrait,
            MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )
    return printer


class SummaryPreview:
    """The print preview dialog; paper size and printer are chosen in it."""

    @classmethod
    def ask(cls, parent: QWidget | None, summary: SessionSummary) -> bool:
        printer = make_printer()
        dialog = QPrintPreviewDialog(printer, parent)
        dialog.setWindowTitle(f"Discharge summary: {summary.session.patient_name}")
        dialog.paintRequested.connect(lambda p: paint_pages(summary, p))
        dialog.resize(1100, 900)
        printed = dialog.exec() == QPrintPreviewDialog.DialogCode.Accepted
        dialog.deleteLater()
        return printed


class SavePdf:
    """Ask where to save, then write the PDF. Returns the path written, or None."""

    @classmethod
    def ask(cls, parent: QWidget | None, summary: SessionSummary) -> Path | None:
        name = f"discharge-summary-{summary.session.mrn}-{summary.session.id}.pdf"
        path = SaveFileDialog.ask(
            parent, "Save discharge summary as PDF", Path.home() / name, "PDF (*.pdf)", ".pdf"
        )
        if path is None:
            return None
        write_pdf(summary, str(path), default_paper())
        return path
