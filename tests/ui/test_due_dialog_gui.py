"""The Due list by keyboard over the real service: most urgent first, the level in words,
why in words; Enter opens the highlighted patient's page; Esc closes."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from ketamon.ui.app import application
from ketamon.ui.dialogs.due import DueDialog, DueHandlers
from tests.conftest import NURSE, draft
from tests.reports.conftest import discharged_session


def test_the_due_list_reads_in_words_and_enter_opens_the_patient(qtbot, clinic, clock) -> None:
    application()
    clinic.settings.update(NURSE, initial_course_length=2)
    gap = clinic.patients.register(NURSE, draft("MRN-G", "Gina Gap"))
    done = clinic.patients.register(NURSE, draft("MRN-D", "Dan Done"))
    discharged_session(clinic, clock, sets=16, patient=gap)
    discharged_session(clinic, clock, sets=16, patient=done)
    discharged_session(clinic, clock, sets=16, patient=done)
    clock.advance(timedelta(days=30))
    dialog = DueDialog(None, DueHandlers(clinic.courses.due))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.count.text() == "Due: 2 patients, most urgent first"
    rows = [
        [dialog.table.item(r, c).text() for c in range(3)] for r in range(dialog.table.rowCount())
    ]
    assert rows == [["OVERDUE", "Dan Done", "MRN-D"], ["SERIES GAP", "Gina Gap", "MRN-G"]]
    assert dialog.table.item(0, 4).text().startswith("Booster overdue: last infusion 30 days")
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert dialog.answer() == gap.id and not dialog.isVisible()


def test_escape_chooses_no_one(qtbot, clinic) -> None:
    application()
    dialog = DueDialog(None, DueHandlers(clinic.courses.due))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.count.text() == "Due: no one is due this week."
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.answer() is None and not dialog.isVisible()


def test_today_and_due_from_the_toolbar_enter_opens_the_patient(
    qtbot, clinic, clock, make_window, monkeypatch
) -> None:
    """Issue 17: Today lists the day's sessions first; Enter on one opens that patient."""
    from tests.ui.conftest import toolbar_button

    here = clinic.patients.register(NURSE, draft("MRN-H", "Hana Here"))
    clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, here.id, 40)
    window = make_window(clinic)
    seen = []

    def ask(cls, parent, handlers):
        dialog = DueDialog(parent, handlers)
        qtbot.addWidget(dialog)
        dialog.show()
        seen.append(
            (dialog.today_count.text(), [dialog.today_table.item(0, c).text() for c in range(5)])
        )
        dialog.activateWindow()
        qtbot.waitUntil(dialog.today_table.hasFocus, timeout=2000)
        qtbot.keyClick(dialog.today_table, Qt.Key.Key_Return)
        return dialog.answer()

    monkeypatch.setattr(DueDialog, "ask", classmethod(ask))
    qtbot.mouseClick(toolbar_button(window, window.due_action), Qt.MouseButton.LeftButton)
    checked_in = clock().astimezone()
    assert seen == [
        (
            "Today: 1 patient visit",
            [f"{checked_in:%H:%M %Z}", "Hana Here", "MRN-H", "Chair 1", "Checked in"],
        )
    ]
    patients = window.controller.patients_window
    assert patients is not None and "Hana Here" in patients.heading.text()
