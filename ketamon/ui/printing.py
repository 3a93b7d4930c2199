"""Printing the discharge summary: a print preview (paper, A4 or Letter as the printer is
set) and Save as PDF. Both draw with ketamon.reports.pdf.paint, so paper and PDF match.

The preview is our own window, sized to the screen, with **Print…** and **Close** in words
under the pages (Qt's QPrintPreviewDialog hides Print behind its toolbar's "»" on a laptop
screen). Before printing, a summary that lacks what the patient's page needs (the
clinic's phone) says so and lets the nurse stop and set it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLocale, QSize, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.summary import SessionSummary
from ketamon.reports.pdf import MARGINS_MM, write_pdf
from ketamon.reports.pdf import paint as paint_pages
from ketamon.ui.dialogs.kit import run_box
from ketamon.ui.file_dialogs import SaveFileDialog

PAPERS = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}


def default_paper() -> str:
    """US Letter where the locale measures in inches (US, Canada...), A4 elsewhere."""
    imperial = QLocale().measurementSystem() != QLocale.MeasurementSystem.MetricSystem
    return "Letter" if imperial else "A4"


def _layout(paper: str) -> QPageLayout:
    return QPageLayout(
        QPageSize(PAPERS.get(paper, QPageSize.PageSizeId.A4)),
        QPageLayout.Orientation.Portrait,
        MARGINS_MM,
        QPageLayout.Unit.Millimeter,
    )


def make_printer(paper: str | None = None) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(_layout(paper or default_paper()))
    return printer


def confirm_gaps(parent: QWidget | None, summary: SessionSummary) -> bool:
    """True to go on. What the patient's page lacks (the clinic's phone) is said first; the
    nurse prints anyway (a blank is left to write it in) or stops to set it."""
    gaps = summary.gaps()
    if not gaps:
        return True
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Summary: something is missing")
    box.setText("<br>".join(f"{reason}." for reason in gaps.values()))
    box.setInformativeText(
        "Print anyway leaves a blank line on page 1 to write the number in by hand; "
        "Cancel to have an administrator set it first."
    )
    go = box.addButton("Print anyway", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(go)
    return run_box(box) is go


def choose_printer(parent: QWidget, printer: QPrinter) -> bool:
    """The system's print dialog (printer, copies); True to print."""
    dialog = QPrintDialog(printer, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


class SummaryPreview(QDialog):
    """The pages as they will print, sized to the screen; Print… (Enter) and Close (Esc)."""

    def __init__(
        self,
        parent: QWidget | None,
        summary: SessionSummary,
        choose: Callable[[QWidget, QPrinter], bool] = choose_printer,
    ) -> None:
        super().__init__(parent)
        self.summary, self.choose, self.printed = summary, choose, False
        self.setWindowTitle(f"Discharge summary: {summary.session.patient_name}")
        self.printer = make_printer()
        self.preview = QPrintPreviewWidget(self.printer, self)
        self.preview.paintRequested.connect(lambda printer: paint_pages(summary, printer))
        self.preview.setViewMode(QPrintPreviewWidget.ViewMode.SinglePageView)
        self.paper = QComboBox()
        self.paper.addItems(list(PAPERS))
        self.paper.setCurrentText(default_paper())
        self.paper.currentTextChanged.connect(self._paper_changed)
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Paper:"))
        tools.addWidget(self.paper)
        for text, action in (
            ("Previous page", lambda: self._turn(-1)),
            ("Next page", lambda: self._turn(1)),
            ("Zoom out", lambda: self.preview.zoomOut()),
            ("Zoom in", lambda: self.preview.zoomIn()),
            ("Fit width", self.preview.fitToWidth),
            ("Whole page", self.preview.fitInView),
        ):
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(action)
            tools.addWidget(button)
        tools.addStretch(1)
        self.buttons = QDialogButtonBox()
        self.print_button = self.buttons.addButton("Print…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        self.print_button.setDefault(True)
        self.print_button.setToolTip("Choose the printer and print (Enter)")
        self.close_button.setToolTip("Close without printing (Esc)")
        self.buttons.accepted.connect(self._print)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.buttons)
        screen = self.screen()
        self.fit_to(screen.availableGeometry().size() if screen is not None else QSize())

    def fit_to(self, room: QSize) -> None:
        """As large as the room allows (a page and its buttons in sight), at most 1100 x
        1000; the whole page shown."""
        if room.isValid() and not room.isEmpty():
            self.resize(min(1100, room.width() - 40), min(1000, room.height() - 60))
        else:
            self.resize(1100, 900)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.print_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.preview.fitInView()

    def _turn(self, step: int) -> None:
        page = min(max(1, self.preview.currentPage() + step), self.preview.pageCount())
        self.preview.setCurrentPage(page)

    def _paper_changed(self, paper: str) -> None:
        self.printer.setPageLayout(_layout(paper))
        self.preview.updatePreview()

    def _print(self) -> None:
        if not self.choose(self, self.printer):
            return  # the printer dialog was cancelled: the preview stays open
        paint_pages(self.summary, self.printer)
        self.printed = True
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, summary: SessionSummary) -> bool:
        """Preview, then print; True when printed. A missing clinic phone is said first."""
        if not confirm_gaps(parent, summary):
            return False
        dialog = cls(parent, summary)
        dialog.exec()
        printed = dialog.printed
        dialog.deleteLater()
        return printed


class SavePdf:
    """Ask where to save, then write the PDF. Returns the path written, or None."""

    @classmethod
    def ask(cls, parent: QWidget | None, summary: SessionSummary) -> Path | None:
        """A PDF is saved as it is (a missing phone leaves its blank on page 1)."""
        name = f"discharge-summary-{summary.session.mrn}-{summary.session.id}.pdf"
        path = SaveFileDialog.ask(
            parent, "Save discharge summary as PDF", Path.home() / name, "PDF (*.pdf)", ".pdf"
        )
        if path is None:
            return None
        write_pdf(summary, str(path), default_paper())
        return path
