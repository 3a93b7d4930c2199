"""A nurse at the board: check in, start, pause, resume, stop, discharge by clicking."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from ketamon.domain.vitals import VitalsDraft
from ketamon.ui.dialogs.checkin import CheckInDialog
from ketamon.ui.dialogs.discharge import DischargeDialog
from ketamon.ui.dialogs.messages import Confirm
from ketamon.ui.dialogs.reason import ReasonDialog
from tests.conftest import (
    NURSE,
    T0,
    ask_questionnaires,
    baseline,
    complete_dose,
    draft,
    open_clinic,
    plan_dose,
    plan_escort,
)
from tests.ui.conftest import click, tile_of
from tests.ui.test_discharge_gui import fill_checklist


def fill_new_patient(qtbot, dialog, **values) -> None:
    dialog.tabs.setCurrentIndex(1)
    for key, text in values.items():
        edit = dialog.fields[key]
        edit.clear()
        qtbot.keyClicks(edit, text)


def drive_check_in(monkeypatch, qtbot, seen: list, **values):
    """Replace the modal exec() with typing into the real dialog and clicking Check in."""

    def ask(parent, chair_name, handlers, settings):
        dialog = CheckInDialog(parent, chair_name, handlers, settings)
        qtbot.addWidget(dialog)
        fill_new_patient(qtbot, dialog, **values)
        qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
        seen.append(dialog)
        return dialog.result() == CheckInDialog.DialogCode.Accepted

    monkeypatch.setattr(CheckInDialog, "ask", classmethod(lambda cls, *a: ask(*a)))


PATIENT = {
    "mrn": "KM-20001",
    "full_name": "Maria Gonzalez",
    "date_of_birth": "1979-04-12",
    "weight_kg": "68.5",
}


def test_full_session_by_clicking_and_restart_shows_same_state(
    clinic, clock, db_url, make_window, qtbot, monkeypatch
):
    window = make_window(clinic)
    tile = tile_of(window, 0)
    assert tile.phase_label.text() == "EMPTY"

    dialogs: list = []
    drive_check_in(monkeypatch, qtbot, dialogs, **PATIENT)
    click(qtbot, tile, "check_in")
    assert tile.phase_label.text() == "CHECKED IN"
    assert tile.patient_label.text() == "Maria Gonzalez  ·  MRN\N{NO-BREAK SPACE}KM-20001"
    assert tile.course_label.text() == "Infusion 1 of 6"

    baseline(clinic, window.controller.session_on(tile.chair_id).id)
    plan_dose(clinic, window.controller.session_on(tile.chair_id).id, weight_kg=68.5)
    plan_escort(clinic, window.controller.session_on(tile.chair_id).id)
    ask_questionnaires(clinic, window.controller.session_on(tile.chair_id).id)
    click(qtbot, tile, "start")
    assert tile.phase_label.text() == "INFUSING"
    assert tile.timer_label.text() == "00:00 / 40:00"
    assert tile.dose_label.text() == "Dose 0.5 mg/kg · 34.25 mg"

    clock.advance(minutes=10, seconds=7)
    # The repaint timer picks the new time up on its own: no manual refresh.
    qtbot.waitUntil(lambda: tile.timer_label.text() == "10:07 / 40:00", timeout=2000)

    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "Nausea"))
    click(qtbot, tile, "pause")
    assert tile.phase_label.text() == "PAUSED"
    clock.advance(minutes=3)
    qtbot.waitUntil(lambda: "PAUSED 03:00: Nausea" in tile.status_label.text(), timeout=2000)
    assert tile.timer_label.text() == "10:07 / 40:00"  # a pause does not count

    click(qtbot, tile, "resume")
    clock.advance(minutes=30)
    qtbot.waitUntil(lambda: tile.timer_label.text() == "40:07 / 40:00", timeout=2000)
    assert "TARGET REACHED" in tile.status_label.text()
    assert tile.property("level") == "target"

    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a, **k: True))
    click(qtbot, tile, "stop")
    assert tile.phase_label.text() == "RECOVERY"
    clock.advance(minutes=12)
    qtbot.waitUntil(lambda: tile.timer_label.text() == "12:00 / 30:00", timeout=2000)
    assert tile.detail_label.text() == "Infusion ran 40:07 of 40:00"
    assert tile.status_label.text() == "18:00 to minimum observation"
    assert tile.progress.value() == 400  # the bar: 12 of the 30 minutes' observation

    # A second window over the same database, as after a restart: same state.
    other = open_clinic(db_url, clock)
    try:
        again = tile_of(make_window(other), 0)
        for attr in ("phase_label", "patient_label", "timer_label", "detail_label"):
            assert getattr(again, attr).text() == getattr(tile, attr).text()
    finally:
        other.close()

    session_id = window.controller.session_on(tile.chair_id).id
    clock.advance(minutes=20)  # the minimum observation time, then the last checks
    clinic.vitals.record(NURSE, session_id, VitalsDraft(120, 78, 70, 98, 14, sedation=5))
    complete_dose(clinic, session_id)  # the Schedule III record, completed with a witness
    monkeypatch.setattr(DischargeDialog, "ask", classmethod(fill_checklist(qtbot)))
    click(qtbot, tile, "discharge")
    assert tile.phase_label.text() == "EMPTY"
    history = clinic.sessions.get(session_id)
    assert [e.kind.value for e in history.events] == [
        "check_in",
        "start",
        "pause",
        "resume",
        "stop",
        "discharge",
    ]
    assert {e.actor for e in history.events} == {NURSE.username}


def test_keyboard_shortcuts_act_on_the_selected_chair(clinic, clock, make_window, qtbot):
    patient = clinic.patients.register(NURSE, draft())
    chairs = clinic.chairs.all()
    session = clinic.sessions.check_in(NURSE, chairs[1].id, patient.id, 45)
    baseline(clinic, session.id)
    plan_dose(clinic, session.id)
    plan_escort(clinic, session.id)
    ask_questionnaires(clinic, session.id)
    window = make_window(clinic)
    window.controller.reload()
    tile = tile_of(window, 1)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_2)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert tile.phase_label.text() == "INFUSING"
    assert tile.timer_label.text() == "00:00 / 45:00"


def test_overrun_turns_tile_red_with_words(clinic, clock, make_window, qtbot):
    patient = clinic.patients.register(NURSE, draft())
    chair = clinic.chairs.all()[0]
    s = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    baseline(clinic, s.id)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    clock.advance(minutes=45, seconds=1)
    qtbot.waitUntil(lambda: tile.property("level") == "overrun", timeout=2000)
    assert tile.status_label.text() == "OVER TARGET by 05:01"


def test_refused_action_shows_message_and_board_keeps_running(
    clinic, clock, db_url, make_window, qtbot
):
    patient = clinic.patients.register(NURSE, draft())
    chair = clinic.chairs.all()[0]
    s = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    window = make_window(clinic)
    # Another workstation starts the infusion behind this board's back (its changes do
    # not reach this one's channel yet).
    other = open_clinic(db_url, clock)
    baseline(other, s.id)
    plan_dose(other, s.id)
    plan_escort(other, s.id)
    ask_questionnaires(other, s.id)
    other.sessions.start(NURSE, s.id)
    other.close()
    click(qtbot, tile_of(window, 0), "start")
    assert window.controller.last_message == "The infusion has already been started"
    assert tile_of(window, 0).phase_label.text() == "INFUSING"  # reloaded, still running
    assert window.board.timer.isActive()


def test_cancel_needs_a_reason_and_frees_the_chair(clinic, clock, make_window, qtbot, monkeypatch):
    patient = clinic.patients.register(NURSE, draft())
    chair = clinic.chairs.all()[0]
    clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: None))
    click(qtbot, tile, "cancel")
    assert tile.phase_label.text() == "CHECKED IN"  # no reason, nothing happened
    monkeypatch.setattr(
        ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "No escort available")
    )
    click(qtbot, tile, "cancel")
    assert tile.phase_label.text() == "EMPTY"


def test_open_session_shows_the_timeline_with_times_and_who(
    clinic, clock, make_window, qtbot, monkeypatch
):
    from ketamon.ui import session_window

    patient = clinic.patients.register(NURSE, draft(name="Lena Park"))
    chair = clinic.chairs.all()[0]
    s = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    clock.advance(minutes=2)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clock.advance(minutes=2)
    baseline(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(minutes=6)
    clinic.sessions.pause(NURSE, s.id, "Elevated blood pressure")
    window = make_window(clinic)
    click(qtbot, tile_of(window, 0), "open")
    [opened] = session_window.open_windows()
    qtbot.addWidget(opened)
    dialog = opened.timeline
    rows = [[dialog.item(r, c).text() for c in range(4)] for r in range(dialog.rowCount())]
    assert [r[1] for r in rows] == [
        "Checked in",
        "Dose planned: 36.25 mg (0.5 mg/kg × 72.5 kg), 10 mg/ml at 5.43 mL/h, lot KET-24101",
        "Vitals: BP 124/78 · HR 72 · SpO2 98% · RR 14",
        "Infusion started",
        "Infusion paused",
    ]
    assert {r[2] for r in rows} == {"Jo Rivera, RN"}  # who, by name
    assert dialog.item(0, 2).toolTip() == f"Username {NURSE.username}"  # as the record has it
    assert rows[4][3] == "Elevated blood pressure"
    started = T0 + timedelta(minutes=4)
    assert rows[3][0] == started.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def test_start_without_baseline_asks_for_a_reason_and_records_it(
    clinic, clock, make_window, qtbot, monkeypatch
):
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    asked = []
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: asked.append(a)))
    click(qtbot, tile, "start")  # no reason given: nothing happens
    assert "No baseline vitals in the last 30 minutes" in asked[0][2]
    assert tile.phase_label.text() == "CHECKED IN"
    monkeypatch.setattr(
        ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "Monitor fault: manual readings")
    )
    click(qtbot, tile, "start")
    assert tile.phase_label.text() == "INFUSING"
    start = clinic.sessions.get(s.id).events[-1]
    assert (start.actor, start.reason) == (
        NURSE.username,
        "Started without recent baseline vitals: Monitor fault: manual readings",
    )


def test_high_baseline_bp_needs_a_confirmation_that_is_recorded(
    clinic, clock, make_window, qtbot, monkeypatch
):
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id, systolic=152, diastolic=94)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a, **k: False))
    click(qtbot, tile, "start")
    assert tile.phase_label.text() == "CHECKED IN"
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a, **k: True))
    click(qtbot, tile, "start")
    assert tile.phase_label.text() == "INFUSING"
    assert clinic.sessions.get(s.id).events[-1].reason == (
        "Baseline BP 152/94 above 140/90: proceeded"
    )
