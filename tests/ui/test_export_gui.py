"""Export… (issue 18): a physician exports by keyboard from the toolbar; the export runs
in a worker thread with a progress bar and the dialog stays responsive; Cancel stops a
running export and nothing is written; a nurse is not offered it."""

from __future__ import annotations

import time
from datetime import date

from PySide6.QtCore import Qt
from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.domain.exports import ExportCancelled
from ketamon.storage.models import AuditRow
from ketamon.ui.dialogs.export import ExportDialog, ExportHandlers
from tests.conftest import NURSE, PASSWORD, add_user
from tests.reports.conftest import discharged_session
from tests.ui.conftest import toolbar_button, toolbar_shows

DOC = Actor("dr.patel", "Priya Patel, MD")


def test_a_physician_exports_csv_by_keyboard_in_a_worker(
    clinic, clock, make_window, qtbot, monkeypatch, tmp_path
):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    discharged_session(clinic, clock, sets=6)
    window = make_window(clinic, DOC)
    assert toolbar_shows(window, window.export_action)
    day = clock().astimezone().date().isoformat()
    seen = {}

    def ask(cls, parent, handlers):
        dialog = ExportDialog(parent, handlers)
        qtbot.addWidget(dialog)
        dialog.show()
        for field, text in ((dialog.since, day), (dialog.until, day)):
            field.selectAll()
            qtbot.keyClicks(field, text)
        dialog.destination.selectAll()
        qtbot.keyClicks(dialog.destination, str(tmp_path / "out"))
        qtbot.keyClick(dialog.destination, Qt.Key.Key_Return)  # Enter: Export
        seen["running"] = dialog.running
        qtbot.waitUntil(lambda: not dialog.running, timeout=10000)
        seen["status"] = dialog.status.text()
        seen["earlier"] = dialog.earlier.text()
        return dialog.answer()

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
    qtbot.mouseClick(toolbar_button(window, window.export_action), Qt.MouseButton.LeftButton)
    assert seen["running"] is True
    # The audit trail's record of it, listed in the dialog: who, when, what.
    assert seen["earlier"].startswith("Earlier exports (audit trail):\n")
    assert f"Priya Patel, MD · csv {day}..{day}: sessions 1" in seen["earlier"]
    assert seen["status"].startswith(f"Wrote 6 files to {tmp_path / 'out'}: sessions 1")
    assert (tmp_path / "out" / "vitals.csv").exists()
    with clinic.db.transaction(write=False) as tx:
        (row,) = tx.scalars(select(AuditRow).where(AuditRow.action == "export")).all()
    assert row.actor == "dr.patel"


def test_cancel_stops_a_running_export_and_the_dialog_says_so(qtbot, tmp_path):
    from ketamon.ui.app import application

    application()
    started = []

    def slow(request, progress):  # stands in for a long export
        started.append(request.kind)
        rows = 0
        while progress("vitals", rows):
            rows += 200
            time.sleep(0.01)
        raise ExportCancelled

    dialog = ExportDialog(None, ExportHandlers(run=slow, today=lambda: date(2026, 3, 2)))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "rows so far" in dialog.status.text(), timeout=5000)
    assert dialog.isVisible() and not dialog.export_button.isEnabled()  # responsive, busy
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)
    assert dialog.error.text() == "Export cancelled: nothing was written"
    assert dialog.isVisible() and dialog.export_button.isEnabled()
    assert started == ["csv"]


def test_a_bad_date_is_refused_at_the_field(qtbot):
    from ketamon.ui.app import application

    application()
    calls = []
    dialog = ExportDialog(
        None, ExportHandlers(run=lambda *a: calls.append(a) or "", today=lambda: date(2026, 3, 2))
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.since.setText("2026-02-30")
    qtbot.keyClick(dialog.since, Qt.Key.Key_Return)
    assert "From: a date, YYYY-MM-DD" in dialog.error.text() and calls == []


def test_a_nurse_is_not_offered_export_an_administrator_is(clinic, make_window):
    add_user(clinic, "nurse.sam", "Sam Okoye", "RN", "nurse", PASSWORD)
    window = make_window(clinic, Actor("nurse.sam", "Sam Okoye, RN"))
    assert not toolbar_shows(window, window.export_action)
    admin = make_window(clinic, NURSE)  # Jo is a nurse and the administrator: offered
    assert toolbar_shows(admin, admin.export_action)


def test_the_substance_log_pdf_is_painted_in_the_worker(
    clinic, clock, make_window, qtbot, monkeypatch, tmp_path
):
    import pypdf

    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    discharged_session(clinic, clock, sets=6)
    window = make_window(clinic, DOC)
    day = clock().astimezone().date().isoformat()
    target = tmp_path / "log.pdf"
    seen = {}

    def ask(cls, parent, handlers):
        dialog = ExportDialog(parent, handlers)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.kind.setCurrentIndex(dialog.kind.findData("substance_pdf"))
        dialog.since.setText(day)
        dialog.until.setText(day)
        dialog.destination.setText(str(target))
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.running, timeout=10000)
        seen["status"] = dialog.status.text() or dialog.error.text()
        return dialog.answer()

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
    window.export_action.trigger()
    assert seen["status"].startswith(f"Wrote the controlled-substance log to {target} (1 page)")
    text = " ".join(pypdf.PdfReader(target).pages[0].extract_text().split())
    assert "Controlled-substance log" in text and "Maria Gonzalez" in text


def test_a_fhir_bundle_is_written_in_the_worker(
    clinic, clock, make_window, qtbot, monkeypatch, tmp_path
):
    import json

    from ketamon.reports.fhir_checks import check_bundle

    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    discharged_session(clinic, clock, sets=6)
    window = make_window(clinic, DOC)
    day = clock().astimezone().date().isoformat()
    seen = {}

    def ask(cls, parent, handlers):
        dialog = ExportDialog(parent, handlers)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.kind.setFocus()
        while dialog.kind.currentData() != "fhir":  # the keyboard: Down through the kinds
            qtbot.keyClick(dialog.kind, Qt.Key.Key_Down)
        dialog.since.setText(day)
        dialog.until.setText(day)
        dialog.destination.setText(str(tmp_path / "bundle"))
        qtbot.keyClick(dialog.destination, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.running, timeout=10000)
        seen["status"] = dialog.status.text() or dialog.error.text()
        return dialog.answer()

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
    window.export_action.trigger()
    target = tmp_path / "bundle.json"  # .json added to a name without it
    assert seen["status"].startswith(f"Wrote the FHIR bundle to {target}: 1 session, ")
    assert "1 not signed" in seen["status"]
    assert check_bundle(json.loads(target.read_text(encoding="utf-8"))) == []


def test_one_patients_fhir_bundle_by_mrn_the_field_for_fhir_only(
    clinic, clock, make_window, qtbot, monkeypatch, tmp_path
):
    import json

    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    discharged_session(clinic, clock, sets=6)
    window = make_window(clinic, DOC)
    seen = {}

    def ask(cls, parent, handlers):
        dialog = ExportDialog(parent, handlers)
        qtbot.addWidget(dialog)
        dialog.show()
        seen["csv patient field"] = dialog.patient.isEnabled()
        dialog.kind.setCurrentIndex(dialog.kind.findData("fhir"))
        seen["fhir patient field"] = dialog.patient.isEnabled()
        dialog.since.setText("not a date")  # not used: the MRN names the sessions
        qtbot.keyClicks(dialog.patient, "KM-20001")
        seen["period greyed"] = not dialog.since.isEnabled() and not dialog.until.isEnabled()
        dialog.destination.setText(str(tmp_path / "iris.json"))
        qtbot.keyClick(dialog.patient, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.running, timeout=10000)
        seen["status"] = dialog.status.text() or dialog.error.text()
        return dialog.answer()

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
    window.export_action.trigger()
    assert (seen["csv patient field"], seen["fhir patient field"]) == (False, True)
    assert seen["period greyed"]
    assert seen["status"].startswith(f"Wrote the FHIR bundle to {tmp_path / 'iris.json'}: 1 ")
    bundle = json.loads((tmp_path / "iris.json").read_text(encoding="utf-8"))
    mrns = [
        e["resource"]["identifier"][0]["value"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Patient"
    ]
    assert mrns == ["KM-20001"]
    with clinic.db.transaction(write=False) as tx:
        (row,) = tx.scalars(select(AuditRow).where(AuditRow.action == "export")).all()
    assert row.new_value.startswith("fhir patient KM-20001: sessions 1")
