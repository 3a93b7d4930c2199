"""No infusion without a dose plan, at the board by keyboard: S on a chair without a plan
asks; Enter plans the dose (saving it starts), Esc goes back, Alt+W starts without a plan
after a required reason. The tile says the planned dose, or that there is none."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox

from ketamon.domain.board import DOSE_NOT_PLANNED, NO_DOSE_PLAN
from ketamon.ui.dialogs.dose_record import DoseRecordDialog
from ketamon.ui.dialogs.reason import ReasonDialog
from ketamon.ui.tile import dose_state
from tests.conftest import NURSE, ask_questionnaires, baseline, draft, plan_dose, plan_escort
from tests.ui.conftest import click, tile_of

ENTER, ESC = Qt.Key.Key_Return, Qt.Key.Key_Escape
ALT = Qt.KeyboardModifier.AltModifier


def press_on(monkeypatch, qtbot, cls, act, seen: list) -> None:
    """The dialog of class `cls` appears (instead of a blocking exec) and the nurse does
    `act(dialog)` with the keyboard; what it showed is kept in `seen`."""

    def exec_(dialog):
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
        seen.append(dialog)
        act(dialog)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
        return dialog.result()

    monkeypatch.setattr(cls, "exec", exec_)


def reason_typed(qtbot, text: str, seen: dict):
    """The reason dialog as a tired nurse meets it: Enter on the blank field first (the
    reason is required: it stays open), then the reason and Enter. What it showed (its
    title, its prompt) and whether the blank Enter left it open go into `seen`."""

    def act(dialog):
        seen["title"] = dialog.windowTitle()
        seen["prompt"] = " ".join(label.text() for label in dialog.findChildren(QLabel))
        qtbot.keyClick(dialog.combo, ENTER)  # blank: the reason is required
        seen["still_open"] = dialog.isVisible()
        qtbot.keyClicks(dialog.combo.lineEdit(), text)
        qtbot.keyClick(dialog.combo, ENTER)

    return act


def key(qtbot, k, modifier=Qt.KeyboardModifier.NoModifier):
    def act(dialog):
        qtbot.keyClick(dialog.focusWidget() or dialog, k, modifier)

    return act


def waiting_tile(
    clinic,
    make_window,
    qtbot,
    *,
    weight: float = 72.5,
    escort: bool = True,
    asked: bool = True,
    **details,
):
    """Lena Park checked in with a baseline; the escort plan and the clinic's questionnaires
    too unless `escort` / `asked` say otherwise; the board open, her tile focused."""
    patient = clinic.patients.register(NURSE, draft(name="Lena Park", weight_kg=weight, **details))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id)
    if escort:
        plan_escort(clinic, s.id)
    if asked:
        ask_questionnaires(clinic, s.id)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    return s, window, tile


def not_started(clinic, s, tile) -> None:
    assert tile.phase_label.text() == "CHECKED IN"
    assert clinic.sessions.get(s.id).phase.value == "checked_in"


def test_a_checked_in_tile_says_dose_not_planned(clinic, make_window, qtbot) -> None:
    _s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    assert tile.dose_label.text() == DOSE_NOT_PLANNED == "Dose not planned"
    assert tile.dose_label.isVisible()
    assert dose_state(tile.view) == "unplanned"


def test_s_then_esc_goes_back_and_nothing_starts(clinic, make_window, qtbot, monkeypatch) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    boxes: list = []
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ESC), boxes)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    [box] = boxes
    assert "There is no dose plan for Lena Park" in box.text()
    buttons = {b.text().replace("&", ""): b for b in box.buttons()}
    assert box.defaultButton() is buttons["Plan the dose…"]  # Enter: the safe answer
    assert box.escapeButton() is buttons["Go back"]
    assert "Start without a plan…" in buttons
    not_started(clinic, s, tile)
    assert clinic.dose.get(s.id) is None


def test_s_then_enter_plans_the_dose_and_saving_it_starts(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot, weight=103)
    boxes: list = []
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), boxes)

    def plan_by_keyboard(dialog):
        assert dialog.focusWidget() is dialog.concentration  # the first empty field
        assert dialog.save_plan.text() == "Save plan and start"
        qtbot.keyClicks(dialog.concentration, "10")
        qtbot.keyClick(dialog.concentration, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.focusWidget(), "KET-24101")
        qtbot.keyClick(dialog.focusWidget(), ENTER)  # saves the plan, closes the dialog

    dialogs: list = []
    press_on(monkeypatch, qtbot, DoseRecordDialog, plan_by_keyboard, dialogs)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert len(boxes) == 1 and len(dialogs) == 1
    assert dialogs[0].result() == QDialog.DialogCode.Accepted
    assert tile.phase_label.text() == "INFUSING"
    record = clinic.dose.get(s.id)
    assert (record.weight_kg, record.planned_mg, record.lot_number) == (103, 51.5, "KET-24101")
    start = clinic.sessions.get(s.id).events[-1]
    assert (start.kind.value, start.actor, start.reason) == ("start", NURSE.username, "")
    assert record.planned_at <= start.at
    assert tile.dose_label.text() == "Dose 0.5 mg/kg · 51.5 mg"
    assert dose_state(tile.view) == "planned"


def test_closing_the_dose_dialog_without_a_plan_starts_nothing(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), [])

    def type_then_escape(dialog):
        qtbot.keyClicks(dialog.concentration, "10")
        qtbot.keyClick(dialog.concentration, ESC)  # no lot, not saved

    press_on(monkeypatch, qtbot, DoseRecordDialog, type_then_escape, [])
    qtbot.keyClick(tile, Qt.Key.Key_S)
    not_started(clinic, s, tile)
    assert clinic.dose.get(s.id) is None


def test_the_dose_plan_shows_the_allergies_and_says_so_when_ketamine_is_named(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, _window, tile = waiting_tile(
        clinic, make_window, qtbot, allergies="Ketamine (hallucinations)"
    )
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), [])
    shown: list = []
    press_on(monkeypatch, qtbot, DoseRecordDialog, key(qtbot, ESC), shown)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    [dialog] = shown
    text = dialog.allergies.text()
    assert "ALLERGIES: Ketamine (hallucinations)" in text
    assert "KETAMINE APPEARS IN THE PATIENT'S ALLERGIES" in text
    not_started(clinic, s, tile)  # Esc: nothing planned, nothing started


def test_the_dose_plan_of_a_patient_without_known_allergies_says_only_that(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot, no_known_allergies=True)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), [])
    shown: list = []
    press_on(monkeypatch, qtbot, DoseRecordDialog, key(qtbot, ESC), shown)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert shown[0].allergies.text() == "No known drug allergies"


def test_a_refused_plan_keeps_the_dialog_open_and_starts_nothing(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), [])
    seen = {}

    def enter_without_a_lot(dialog):
        qtbot.keyClicks(dialog.concentration, "10")
        qtbot.keyClick(dialog.concentration, ENTER)  # refused: the lot is required
        seen["open"] = dialog.isVisible()
        seen["lot"] = dialog.errors.text("lot_number")
        qtbot.keyClick(dialog.concentration, ESC)

    press_on(monkeypatch, qtbot, DoseRecordDialog, enter_without_a_lot, [])
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert seen["open"] and "Lot number is required" in seen["lot"]
    not_started(clinic, s, tile)


def test_alt_w_starts_without_a_plan_after_a_required_reason(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, Qt.Key.Key_W, ALT), [])
    seen: dict = {}
    typed = reason_typed(qtbot, "Pharmacy-prepared dose; figures to follow", seen)
    press_on(monkeypatch, qtbot, ReasonDialog, typed, [])
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert seen["still_open"]
    assert "without a dose plan" in seen["prompt"] and "(required)" in seen["prompt"]
    assert tile.phase_label.text() == "INFUSING"
    start = clinic.sessions.get(s.id).events[-1]
    assert (start.actor, start.reason) == (
        NURSE.username,
        "Started without a dose plan: Pharmacy-prepared dose; figures to follow",
    )
    assert clinic.dose.get(s.id) is None
    assert tile.dose_label.text() == NO_DOSE_PLAN
    assert "NO DOSE PLAN" in tile.dose_label.text()
    assert dose_state(tile.view) == "missing"
    assert tile.dose_label.property("dose") == "missing"  # framed and bold, not colour alone


def test_alt_w_then_esc_at_the_reason_starts_nothing(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, Qt.Key.Key_W, ALT), [])
    press_on(monkeypatch, qtbot, ReasonDialog, key(qtbot, ESC), [])
    qtbot.keyClick(tile, Qt.Key.Key_S)
    not_started(clinic, s, tile)


def test_with_a_plan_and_an_escort_s_asks_nothing(clinic, make_window, qtbot) -> None:
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    assert tile.dose_label.text() == "Dose 0.5 mg/kg · 36.25 mg"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    qtbot.keyClick(tile, Qt.Key.Key_S)  # no box: a modal exec() here would fail the test
    assert tile.phase_label.text() == "INFUSING"


def test_the_locked_board_keeps_no_dose_plan_but_not_the_figures(clinic, make_window) -> None:
    planned = clinic.patients.register(NURSE, draft("MRN1", "Ada Lovelace"))
    unplanned = clinic.patients.register(NURSE, draft("MRN2", "Grace Hopper"))
    chairs = clinic.chairs.all()
    a = clinic.sessions.check_in(NURSE, chairs[0].id, planned.id, 40)
    b = clinic.sessions.check_in(NURSE, chairs[1].id, unplanned.id, 40)
    for s in (a, b):
        baseline(clinic, s.id)
    plan_dose(clinic, a.id)
    plan_escort(clinic, a.id)
    ask_questionnaires(clinic, a.id)
    clinic.sessions.start(NURSE, a.id)
    plan_escort(clinic, b.id)
    ask_questionnaires(clinic, b.id)
    clinic.sessions.start(NURSE, b.id, no_plan_reason="Paper dose record")
    window = make_window(clinic)
    window.board.set_masked(True)
    assert tile_of(window, 0).dose_label.text() == ""
    assert tile_of(window, 1).dose_label.text() == NO_DOSE_PLAN
    window.board.set_masked(False)
    assert tile_of(window, 0).dose_label.text() == "Dose 0.5 mg/kg · 36.25 mg"


def test_the_session_window_shows_the_plan_or_that_there_is_none(
    clinic, make_window, qtbot
) -> None:
    from ketamon.ui import session_window

    patient = clinic.patients.register(NURSE, draft(name="Lena Park"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id, no_plan_reason="Paper dose record")
    window = make_window(clinic)
    click(qtbot, tile_of(window, 0), "open")
    [opened] = session_window.open_windows()
    qtbot.addWidget(opened)
    assert opened.dose_line.text() == (
        "⚠ NO DOSE PLAN — the infusion started without one: Paper dose record"
    )
    assert opened.dose_line.property("dose") == "missing"
    plan_dose(clinic, s.id)  # planned afterwards, e.g. from another workstation
    opened.refresh(full=True)
    assert opened.dose_line.text() == (
        "Dose plan: 0.5 mg/kg · 36.25 mg · 10 mg/mL at 5.43 mL/h · lot KET-24101"
    )
    assert opened.dose_line.property("dose") == "planned"
