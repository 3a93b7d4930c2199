"""The print preview fits a laptop screen with **Print…** in words under the pages (not in
a toolbar's "»" overflow); Enter prints, Esc closes; a summary without the clinic's phone
says so before the preview opens."""

from __future__ import annotations

from datetime import UTC

import pypdf
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QToolBar

from ketamon.ui import printing
from ketamon.ui.printing import SummaryPreview
from tests.conftest import NURSE
from tests.reports.conftest import discharged_session


def _summary(clinic, clock, phone="(212) 555-0100"):
    clinic.settings.update(NURSE, clinic_phone=phone)
    session = discharged_session(clinic, clock, sets=8)
    return clinic.summary.snapshot(session.id, tz=UTC)


def _to_pdf(path):
    chosen = []

    def choose(parent, printer: QPrinter) -> bool:  # the system dialog, as if OK was pressed
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        chosen.append(printer)
        return True

    return choose, chosen


def test_print_is_a_visible_button_at_1366_by_768_and_enter_prints(clinic, clock, qtbot, tmp_path):
    path = tmp_path / "printed.pdf"
    choose, chosen = _to_pdf(path)
    dialog = SummaryPreview(None, _summary(clinic, clock), choose)
    qtbot.addWidget(dialog)
    dialog.fit_to(QSize(1366, 768 - 28))  # a laptop screen less its panel
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= 1366 and dialog.height() <= 740
    assert dialog.findChildren(QToolBar) == []  # nothing hidden behind an overflow "»"
    button = dialog.print_button
    assert button.text() == "Print…" and button.isVisible() and button.isDefault()
    where = QRect(button.mapTo(dialog, button.rect().topLeft()), button.size())
    assert dialog.rect().contains(where), where
    assert dialog.close_button.text() == "Close" and dialog.close_button.isVisible()
    assert dialog.preview.height() > 500  # the page itself has the room

    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert chosen and dialog.printed and dialog.result() == QDialog.DialogCode.Accepted
    first = " ".join(pypdf.PdfReader(str(path)).pages[0].extract_text().split())
    assert "Going home after your ketamine infusion" in first and "(212) 555-0100" in first


def test_escape_closes_without_printing(clinic, clock, qtbot, tmp_path):
    choose, chosen = _to_pdf(tmp_path / "never.pdf")
    dialog = SummaryPreview(None, _summary(clinic, clock), choose)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not chosen and not dialog.printed and not dialog.isVisible()
    assert not (tmp_path / "never.pdf").exists()


def test_a_missing_clinic_phone_is_said_before_printing(clinic, clock, qtbot, monkeypatch):
    summary = _summary(clinic, clock, phone="")
    said, opened = [], []

    def answer(choice):
        def run(box):
            said.append(box.text())
            return next((b for b in box.buttons() if b.text() == choice), None)

        return run

    def shown(self):
        opened.append(self)
        return 0

    monkeypatch.setattr(SummaryPreview, "exec", shown)
    monkeypatch.setattr(printing, "run_box", answer("Cancel"))
    assert SummaryPreview.ask(None, summary) is False
    assert "phone number is not set" in said[0] and "Clinic phone" in said[0]
    assert opened == []  # stopped: the nurse sets the phone first
    monkeypatch.setattr(printing, "run_box", answer("Print anyway"))
    assert SummaryPreview.ask(None, summary) is False  # previewed, closed unprinted
    assert len(opened) == 1 and len(said) == 2
    clinic.settings.update(NURSE, clinic_phone="(212) 555-0100")
    complete = clinic.summary.snapshot(summary.session.id, tz=UTC)
    SummaryPreview.ask(None, complete)
    assert len(said) == 2 and len(opened) == 2  # nothing to say: straight to the preview
