"""Choosing a side effect's severity by keyboard records only the severity settled on:
arrowing from mild to SEVERE never records a "moderate" that did not happen. Settled by
Enter, by Tab (leaving the field), by choosing from the list, or by closing the dialog."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from ketamon.domain.side_effects import Severity
from ketamon.ui.dialogs.reason import ReasonDialog
from tests.conftest import NURSE
from tests.ui.conftest import click, tile_of
from tests.ui.test_side_effects_gui import drive
from tests.ui.test_vitals_entry import infusing


def severity_trail(clinic, session_id) -> list[tuple[str, str | None, str | None]]:
    """(action, old, new) of every severity change on the session's side effects."""
    return [
        (e.action, e.old_value, e.new_value)
        for e in clinic.audit.session_history(session_id)
        if e.entity == "side_effect" and e.field == "severity"
    ]


def tick_and_focus(qtbot, dialog, key):
    row = dialog.row(key)
    row.check.setFocus()
    qtbot.keyClick(row.check, Qt.Key.Key_Space)  # tick by keyboard: onset now, mild
    assert row.check.isChecked()
    qtbot.waitUntil(row.severity.hasFocus, timeout=2000)
    return row


def test_arrowing_to_severe_then_enter_records_one_change_and_no_moderate(
    clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)
    tile = tile_of(window, 0)

    def driver(dialog):
        row = tick_and_focus(qtbot, dialog, "nausea")
        qtbot.keyClick(row.severity, Qt.Key.Key_Down)  # moderate: a step on the way
        assert clinic.side_effects.for_session(session.id)[0].severity is Severity.MILD
        assert row.pending_label.isVisible() and row.pending_label.text() == "Enter saves"
        qtbot.keyClick(row.severity, Qt.Key.Key_Down)  # SEVERE
        assert clinic.side_effects.for_session(session.id)[0].severity is Severity.MILD
        assert not tile.alert_banner.isVisible()  # nothing saved yet
        qtbot.keyClick(row.severity, Qt.Key.Key_Return)
        assert not row.pending_label.isVisible()
        assert tile.alert_banner.isVisible()  # saved: the board shows it at once

    drive(monkeypatch, qtbot, driver)
    click(qtbot, tile, "side_effects")
    [effect] = clinic.side_effects.for_session(session.id)
    assert effect.severity is Severity.SEVERE
    trail = severity_trail(clinic, session.id)
    assert trail == [("create", None, "mild"), ("update", "mild", "severe")]
    assert not any("moderate" in str(step) for step in trail)


def test_tab_settles_and_going_back_before_settling_records_nothing(
    clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)

    def driver(dialog):
        row = tick_and_focus(qtbot, dialog, "headache")
        qtbot.keyClick(row.severity, Qt.Key.Key_Down)
        qtbot.keyClick(row.severity, Qt.Key.Key_Up)  # back to mild: nothing to save
        assert not row.pending_label.isVisible()
        qtbot.keyClick(row.severity, Qt.Key.Key_Down)  # moderate, settled by Tab
        qtbot.keyClick(row.severity, Qt.Key.Key_Tab)
        assert not row.severity.hasFocus()
        assert clinic.side_effects.for_session(session.id)[0].severity is Severity.MODERATE

    drive(monkeypatch, qtbot, driver)
    click(qtbot, tile_of(window, 0), "side_effects")
    trail = severity_trail(clinic, session.id)
    assert trail == [("create", None, "mild"), ("update", "mild", "moderate")]


def test_closing_with_esc_saves_the_severity_still_pending(
    clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    closed: list[bool] = []

    def driver(dialog):
        row = tick_and_focus(qtbot, dialog, "dizziness")
        qtbot.keyClick(row.severity, Qt.Key.Key_End)  # SEVERE, not settled
        assert row.pending_label.isVisible()
        qtbot.keyClick(row.severity, Qt.Key.Key_Escape)  # the nurse closes the list
        closed.append(not dialog.isVisible())

    drive(monkeypatch, qtbot, driver)
    click(qtbot, tile, "side_effects")
    assert closed == [True]
    [effect] = clinic.side_effects.for_session(session.id)
    assert effect.severity is Severity.SEVERE  # nothing chosen was lost
    assert severity_trail(clinic, session.id) == [
        ("create", None, "mild"),
        ("update", "mild", "severe"),
    ]
    assert tile.alert_banner.isVisible()


def test_arrowing_before_ticking_only_chooses_the_severity_for_the_tick(
    clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)

    def driver(dialog):
        row = dialog.row("vomiting")
        row.severity.setFocus()
        qtbot.waitUntil(row.severity.hasFocus, timeout=2000)
        qtbot.keyClick(row.severity, Qt.Key.Key_Down)
        qtbot.keyClick(row.severity, Qt.Key.Key_Down)
        assert row.severity.currentText() == "SEVERE" and not row.pending_label.isVisible()
        assert clinic.side_effects.for_session(session.id) == []
        row.check.setFocus()
        qtbot.keyClick(row.check, Qt.Key.Key_Space)

    drive(monkeypatch, qtbot, driver)
    click(qtbot, tile_of(window, 0), "side_effects")
    [effect] = clinic.side_effects.for_session(session.id)
    assert effect.severity is Severity.SEVERE
    assert severity_trail(clinic, session.id) == [("create", None, "severe")]


def test_the_mouse_wheel_does_not_change_a_recorded_severity(
    clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=12)
    clinic.side_effects.tick(NURSE, session.id, "anxiety")
    window = make_window(clinic)

    def driver(dialog):
        box = dialog.row("anxiety").severity
        centre = QPointF(box.rect().center())
        wheel = QWheelEvent(
            centre, QPointF(box.mapToGlobal(box.rect().center())), QPoint(0, 0),
            QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QApplication.sendEvent(box, wheel)
        assert box.currentText() == "mild"

    drive(monkeypatch, qtbot, driver)
    click(qtbot, tile_of(window, 0), "side_effects")
    assert clinic.side_effects.for_session(session.id)[0].severity is Severity.MILD


def test_lowering_a_severity_asks_why_and_a_cancel_shows_the_grade_on_record(
    clinic, clock, make_window, qtbot, monkeypatch
):
    """Found by an attack battery: SEVERE lowered to mild with no reason let the patient go.
    Lowering is a correction: the nurse is asked why (Esc keeps the record as it was)."""
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    answers: list[str | None] = [None, "Graded too high: a mistake"]
    asked: list[str] = []

    def reason(cls, parent, title, question, choices, *a, **k):
        asked.append(question)
        return answers.pop(0)

    monkeypatch.setattr(ReasonDialog, "ask", classmethod(reason))

    def driver(dialog):
        row = tick_and_focus(qtbot, dialog, "nausea")
        qtbot.keyClick(row.severity, Qt.Key.Key_End)  # SEVERE, raised: no reason asked
        qtbot.keyClick(row.severity, Qt.Key.Key_Return)
        assert asked == [] and tile.alert_banner.isVisible()
        qtbot.keyClick(row.severity, Qt.Key.Key_Home)  # mild: a correction
        qtbot.keyClick(row.severity, Qt.Key.Key_Return)  # ... cancelled
        assert asked == ["Why is Nausea being lowered from SEVERE to mild?"]
        assert row.severity.chosen() is Severity.SEVERE  # the grade on record, shown again
        assert not row.pending_label.isVisible()
        assert clinic.side_effects.for_session(session.id)[0].severity is Severity.SEVERE
        qtbot.keyClick(row.severity, Qt.Key.Key_Home)
        qtbot.keyClick(row.severity, Qt.Key.Key_Return)  # ... and now with a reason
        assert row.severity.chosen() is Severity.MILD
        assert not tile.alert_banner.isVisible()

    drive(monkeypatch, qtbot, driver)
    click(qtbot, tile, "side_effects")
    assert len(asked) == 2
    [effect] = clinic.side_effects.for_session(session.id)
    assert effect.severity is Severity.MILD
    lowered = [
        (e.old_value, e.new_value, e.reason)
        for e in clinic.audit.session_history(session.id)
        if e.entity == "side_effect" and e.field == "severity" and e.action == "update"
    ]
    assert lowered == [("mild", "severe", ""), ("severe", "mild", "Graded too high: a mistake")]
