"""From the board: recent discharges -> save the summary as PDF; the paper path prints the
same pages through a QPrinter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from ketamon.reports.pdf import paint
from ketamon.ui.dialogs.recent import RecentDialog
from ketamon.ui.file_dialogs import SaveFileDialog
from ketamon.ui.printing import make_printer
from tests.reports.conftest import discharged_session
from tests.reports.test_summary import _squash, pdf_pages
from tests.ui.conftest import toolbar_button


def test_recent_discharges_lists_the_session_and_saves_its_pdf(
    clinic, clock, make_window, qtbot, monkeypatch, tmp_path
):
    s = discharged_session(clinic, clock, sets=8)
    window = make_window(clinic)
    target = tmp_path / "summary.pdf"
    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(lambda cls, *a, **k: target))
    seen = {}

    def ask(cls, parent, handlers):
        d = RecentDialog(parent, handlers)
        qtbot.addWidget(d)
        seen["rows"] = [
            [d.table.item(r, c).text() for c in range(d.table.columnCount())]
            for r in range(d.table.rowCount())
        ]
        qtbot.mouseClick(d.pdf_button, Qt.MouseButton.LeftButton)

    monkeypatch.setattr(RecentDialog, "ask", classmethod(ask))
    qtbot.mouseClick(toolbar_button(window, window.recent_action), Qt.MouseButton.LeftButton)
    assert len(seen["rows"]) == 1
    row = seen["rows"][0]
    assert row[1:] == [
        "Maria Gonzalez  ·  MRN KM-20001",
        "Chair 1",
        "Discharged",
        "Awaiting review",
    ]
    text = _squash(" ".join(pdf_pages(target)))
    assert "Maria Gonzalez · MRN KM-20001" in text and "Luis Gonzalez" in text
    assert window.controller.last_message == f"Saved {target}"
    assert s.id == clinic.summary.recent()[0].session_id


def test_the_printer_path_paints_the_same_summary(clinic, clock, qapp, tmp_path):
    s = discharged_session(clinic, clock, sets=8)
    printer = make_printer("Letter")
    assert printer.pageLayout().pageSize().id().name == "Letter"
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "paper.pdf"))
    pages = paint(clinic.summary.snapshot(s.id), printer)
    texts = pdf_pages(tmp_path / "paper.pdf")
    assert len(texts) == pages
    assert "Do not drive or operate machinery" in _squash(" ".join(texts))
