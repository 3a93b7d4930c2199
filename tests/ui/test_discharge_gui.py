"""A nurse fills the discharge checklist with the keyboard; Discharge enables only at the end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from ketamon.domain.actors import Actor
from ketamon.domain.sessions import Phase
from ketamon.domain.vitals import VitalsDraft
from ketamon.ui.dialogs.discharge import AgainstAdviceDialog, DischargeDialog
from ketamon.ui.dialogs.dose_record import DoseRecordDialog
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    complete_dose,
    draft,
    plan_dose,
)
from tests.ui.conftest import click, tile_of


def _recovery(clinic, clock, *, minutes_after_stop=35, dose_completed=True):
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    patient = clinic.patients.register(NURSE, draft("KM-1", "Maria Gonzalez"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id, sedation=5)
    plan_dose(clinic, s.id)
    # the escort is named at discharge here: the checklist's own escort fields are typed
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id, no_escort_reason="Her brother will come; phone to follow")
    clock.advance(minutes=40)
    clinic.sessions.stop(NURSE, s.id)
    if dose_completed:
        complete_dose(clinic, s.id, witness="nurse.kim")
    clock.advance(minutes=minutes_after_stop)
    values = dict(systolic=128, diastolic=80, heart_rate=74, spo2=98, resp_rate=14, sedation=5)
    clinic.vitals.record(NURSE, s.id, VitalsDraft(**values))
    return s


def _show(qtbot, dialog) -> None:
    """As exec() would: the dialog is the active window, so keys reach it, not the board."""
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)


def _type(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def _fill_all_but_the_escort_check(qtbot, d: DischargeDialog) -> list[bool]:
    """Answer every item like a nurse; note whether Discharge was enabled after each."""
    enabled = []
    for combo, text in (
        (d.oriented, "Yes"),
        (d.gait, "Yes"),
        (d.nausea, "Minimal"),
        (d.pain, "2"),
        (d.iv_site, "IV"),
    ):
        _type(qtbot, combo, text)
        enabled.append(d.discharge_button.isEnabled())
    d.instructions_ack.setFocus()
    qtbot.keyClick(d.instructions_ack, Qt.Key.Key_Space)
    enabled.append(d.discharge_button.isEnabled())
    for edit, text in (
        (d.escort_name, "Luis Gonzalez"),
        (d.escort_relationship, "Brother"),
        (d.escort_phone, "(212) 555-0143"),
    ):
        _type(qtbot, edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Tab)  # leaving the field saves it
        enabled.append(d.discharge_button.isEnabled())
    return enabled


def fill_checklist(qtbot):
    """An `ask` that fills the real checklist by keyboard and presses Discharge."""

    def ask(cls, parent, title, handlers):
        d = DischargeDialog(parent, title, handlers)
        qtbot.addWidget(d)
        _show(qtbot, d)
        _fill_all_but_the_escort_check(qtbot, d)
        d.escort_verified.setFocus()
        qtbot.keyClick(d.escort_verified, Qt.Key.Key_Space)
        assert d.discharge_button.isEnabled(), d.missing.text()
        qtbot.mouseClick(d.discharge_button, Qt.MouseButton.LeftButton)
        return d.outcome

    return ask


def test_checklist_by_keyboard_enables_discharge_only_at_the_end(
    clinic, clock, make_window, qtbot, monkeypatch
):
    s = _recovery(clinic, clock)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    seen = {}

    def ask(cls, parent, title, handlers):
        d = DischargeDialog(parent, title, handlers)
        qtbot.addWidget(d)
        _show(qtbot, d)
        seen["missing_before"] = d.missing.text()
        seen["enabled"] = _fill_all_but_the_escort_check(qtbot, d)
        seen["missing_before_escort"] = d.missing.text()
        d.escort_verified.setFocus()
        qtbot.keyClick(d.escort_verified, Qt.Key.Key_Space)
        seen["enabled"].append(d.discharge_button.isEnabled())
        seen["padss"] = d.padss.text()
        qtbot.mouseClick(d.discharge_button, Qt.MouseButton.LeftButton)
        return d.outcome

    monkeypatch.setattr(DischargeDialog, "ask", classmethod(ask))
    click(qtbot, tile, "discharge")

    assert "✖ Escort present and verified in person" in seen["missing_before"]
    assert seen["enabled"] == [False] * 9 + [True]
    assert seen["missing_before_escort"].endswith(
        "✖ Escort present and verified in person: not yet verified in person by the nurse"
    )
    assert seen["padss"] == "PADSS 10/10 (discharge needs ≥ 9)"
    assert tile.phase_label.text() == "EMPTY"
    snapshot = clinic.sessions.get(s.id)
    assert snapshot.phase is Phase.DISCHARGED
    state = clinic.discharge.state(s.id)
    assert state.answers.escort.name == "Luis Gonzalez"
    assert state.answers.escort.phone == "+1 212-555-0143"
    assert state.completed_by == NURSE.username


def test_answers_are_kept_when_the_checklist_is_closed_early(
    clinic, clock, make_window, qtbot, monkeypatch
):
    s = _recovery(clinic, clock, minutes_after_stop=5)
    window = make_window(clinic)

    def ask(cls, parent, title, handlers):
        d = DischargeDialog(parent, title, handlers)
        qtbot.addWidget(d)
        _show(qtbot, d)
        _fill_all_but_the_escort_check(qtbot, d)
        d.escort_verified.setChecked(True)
        assert not d.discharge_button.isEnabled()  # observation time not yet over
        assert "Observed 30 min after the infusion: 25:00 still to go" in d.missing.text()
        d.reject()
        return d.outcome

    monkeypatch.setattr(DischargeDialog, "ask", classmethod(ask))
    click(qtbot, tile_of(window, 0), "discharge")
    state = clinic.discharge.state(s.id)
    assert state.answers.escort.relationship == "Brother"
    assert state.answers.pain == 2
    assert clinic.sessions.get(s.id).phase is Phase.RECOVERY


def test_left_against_advice_from_the_checklist(
    clinic, clock, make_window, qtbot, monkeypatch, discharged_said
):
    s = _recovery(clinic, clock, minutes_after_stop=2)
    window = make_window(clinic, Actor("nurse.jo", "Jo Rivera, RN"))

    def ama(cls, parent, witnesses):
        d = AgainstAdviceDialog(parent, witnesses)
        qtbot.addWidget(d)
        _show(qtbot, d)
        record = d.findChild(QPushButton, "btn_record_ama")
        qtbot.mouseClick(record, Qt.MouseButton.LeftButton)  # nothing filled in yet
        assert d.error.text() == (
            "Reason: say why the patient is leaving\nWitness: choose who witnessed it"
        )
        _type(qtbot, d.reason, "Would not wait for escort")
        _type(qtbot, d.witness, "Kim")
        qtbot.mouseClick(record, Qt.MouseButton.LeftButton)
        return d.result_value

    def ask(cls, parent, title, handlers):
        d = DischargeDialog(parent, title, handlers)
        qtbot.addWidget(d)
        _show(qtbot, d)
        qtbot.mouseClick(d.ama_button, Qt.MouseButton.LeftButton)
        return d.outcome

    monkeypatch.setattr(AgainstAdviceDialog, "ask", classmethod(ama))
    monkeypatch.setattr(DischargeDialog, "ask", classmethod(ask))
    click(qtbot, tile_of(window, 0), "discharge")
    state = clinic.discharge.state(s.id)
    assert state.outcome == "ama"
    assert state.ama.reason == "Would not wait for escort"
    assert state.ama.witness == "nurse.kim"
    assert tile_of(window, 0).phase_label.text() == "EMPTY"
    assert len(discharged_said) == 1
    assert discharged_said[0].startswith("Maria Gonzalez left against medical advice at ")
    assert clock() - timedelta(minutes=2) == clinic.sessions.get(s.id).times.ended_at


def test_discharge_and_printing_from_the_session_window(
    clinic, clock, make_window, qtbot, monkeypatch
):
    from ketamon.ui.printing import SummaryPreview
    from ketamon.ui.session_window import open_windows

    s = _recovery(clinic, clock)
    window = make_window(clinic)
    click(qtbot, tile_of(window, 0), "open")
    session_window = next(w for w in open_windows() if w.session_id == s.id)
    button = session_window.buttons["Discharge…"]
    assert button.isEnabled()
    monkeypatch.setattr(DischargeDialog, "ask", classmethod(fill_checklist(qtbot)))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clinic.sessions.get(s.id).phase is Phase.DISCHARGED
    assert not button.isEnabled()  # nothing left to discharge
    assert tile_of(window, 0).phase_label.text() == "EMPTY"

    printed = []
    monkeypatch.setattr(
        SummaryPreview, "ask", classmethod(lambda cls, parent, summary: printed.append(summary))
    )
    qtbot.mouseClick(session_window.buttons["Print summary…"], Qt.MouseButton.LeftButton)
    assert printed[0].session.id == s.id
    assert printed[0].outcome == "discharged"
    assert printed[0].answers.escort.name == "Luis Gonzalez"
    session_window.close()


def test_the_next_appointment_is_typed_checked_and_kept(clinic, clock, qtbot):
    from datetime import datetime

    from ketamon.ui.controller import BoardController

    s = _recovery(clinic, clock)
    controller = BoardController(clinic, NURSE)
    seen = {}

    def ask(cls, parent, title, handlers):
        d = DischargeDialog(parent, title, handlers)
        qtbot.addWidget(d)
        _show(qtbot, d)
        _type(qtbot, d.next_appointment, "next tuesday")
        qtbot.keyClick(d.next_appointment, Qt.Key.Key_Tab)
        seen["bad"] = d.next_error.text()
        d.next_appointment.clear()
        _type(qtbot, d.next_appointment, "2026-03-09 09:30")
        qtbot.keyClick(d.next_appointment, Qt.Key.Key_Tab)
        seen["good"] = d.next_error.text()
        return None

    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DischargeDialog, "ask", classmethod(ask))
        controller.discharge_session(s.id, "Maria Gonzalez (Chair 1)")
    assert seen["bad"] == "Next appointment: type YYYY-MM-DD HH:MM, e.g. 2026-12-01 09:30"
    assert seen["good"] == ""
    expected = datetime(2026, 3, 9, 9, 30).astimezone()
    assert clinic.discharge.state(s.id).next_appointment_at == expected


def test_changing_the_escort_clears_the_verification_and_says_so(clinic, clock, qtbot):
    """Verified in person, then another name (or phone) typed: the tick goes, saved so, with
    a line saying why; ticking again for the new escort is what discharges."""
    import pytest

    from ketamon.ui.controller import BoardController

    s = _recovery(clinic, clock)
    controller = BoardController(clinic, NURSE)
    seen = {}

    def ask(cls, parent, title, handlers):
        d = DischargeDialog(parent, title, handlers)
        qtbot.addWidget(d)
        _show(qtbot, d)
        _fill_all_but_the_escort_check(qtbot, d)
        d.escort_verified.setFocus()
        qtbot.keyClick(d.escort_verified, Qt.Key.Key_Space)
        seen["ready"] = d.discharge_button.isEnabled()
        d.escort_name.selectAll()
        _type(qtbot, d.escort_name, "Ana Gonzalez")
        qtbot.keyClick(d.escort_name, Qt.Key.Key_Tab)
        seen["ticked"] = d.escort_verified.isChecked()
        seen["note"] = d.escort_changed_note.text() if d.escort_changed_note.isVisible() else ""
        seen["enabled"] = d.discharge_button.isEnabled()
        seen["stored"] = clinic.discharge.state(s.id).answers.escort.present_verified
        d.escort_verified.setFocus()
        qtbot.keyClick(d.escort_verified, Qt.Key.Key_Space)
        seen["again"] = d.discharge_button.isEnabled() and not d.escort_changed_note.isVisible()
        d.escort_relationship.selectAll()  # another relationship: another person verified?
        _type(qtbot, d.escort_relationship, "Friend")
        qtbot.keyClick(d.escort_relationship, Qt.Key.Key_Tab)
        seen["relationship"] = (d.escort_verified.isChecked(), d.discharge_button.isEnabled())
        seen["relationship_stored"] = clinic.discharge.state(s.id).answers.escort.present_verified
        return None

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DischargeDialog, "ask", classmethod(ask))
        controller.discharge_session(s.id, "Maria Gonzalez (Chair 1)")
    assert seen["ready"] and not seen["ticked"] and not seen["enabled"]
    assert seen["note"] == (
        "The escort's name, relationship or phone changed: verify the escort in person again"
    )
    assert seen["stored"] is False  # saved cleared, not only shown cleared
    assert seen["again"]
    assert seen["relationship"] == (False, False) and seen["relationship_stored"] is False
    assert clinic.discharge.state(s.id).answers.escort.name == "Ana Gonzalez"


def _answered_by(qtbot, key, texts: list[str]):
    """An `ask` showing the real "Discharged" box and pressing `key` in it."""

    def ask(cls, parent, text):
        box, print_button = cls.build(parent, text)
        texts.append(text)
        box.show()
        box.activateWindow()
        qtbot.waitUntil(box.isActiveWindow, timeout=2000)
        qtbot.keyClick(box, key)
        chosen = box.clickedButton() is print_button
        box.deleteLater()
        return chosen

    return ask


def test_after_discharge_the_time_is_said_and_enter_prints_the_summary(
    clinic, clock, make_window, qtbot, monkeypatch
):
    """Issue 16: the checklist used to close with no word. Now: "… was discharged at
    12:45 UTC", and Enter opens the summary's print preview; Esc leaves it for later."""
    from ketamon.ui.dialogs.messages import Discharged
    from ketamon.ui.printing import SummaryPreview

    s = _recovery(clinic, clock)
    window = make_window(clinic)
    texts: list[str] = []
    printed: list = []
    monkeypatch.setattr(DischargeDialog, "ask", classmethod(fill_checklist(qtbot)))
    monkeypatch.setattr(
        Discharged, "ask", classmethod(_answered_by(qtbot, Qt.Key.Key_Return, texts))
    )
    monkeypatch.setattr(
        SummaryPreview, "ask", classmethod(lambda cls, parent, summary: printed.append(summary))
    )
    click(qtbot, tile_of(window, 0), "discharge")
    ended = clinic.summary.snapshot(s.id).discharged_at.astimezone()
    assert texts == [
        f"Maria Gonzalez was discharged at {ended:%H:%M %Z}.\n\n"
        "Print the take-home summary for the patient and escort now?"
    ]
    assert [p.session.id for p in printed] == [s.id]
    assert printed[0].outcome == "discharged"


def test_esc_after_discharge_prints_nothing(clinic, clock, make_window, qtbot, monkeypatch):
    from ketamon.ui.dialogs.messages import Discharged
    from ketamon.ui.printing import SummaryPreview

    _recovery(clinic, clock)
    window = make_window(clinic)
    texts: list[str] = []
    printed: list = []
    monkeypatch.setattr(DischargeDialog, "ask", classmethod(fill_checklist(qtbot)))
    monkeypatch.setattr(
        Discharged, "ask", classmethod(_answered_by(qtbot, Qt.Key.Key_Escape, texts))
    )
    monkeypatch.setattr(
        SummaryPreview, "ask", classmethod(lambda cls, parent, summary: printed.append(summary))
    )
    click(qtbot, tile_of(window, 0), "discharge")
    assert len(texts) == 1 and "was discharged at" in texts[0]
    assert printed == []
    assert tile_of(window, 0).phase_label.text() == "EMPTY"


def test_the_dose_record_owed_opens_from_the_checklist(clinic, clock, make_window, qtbot):
    """Found by a walk-through: "Dose record completed" was missing with no way to it but
    the session window's Interventions tab. The button under the criterion opens the
    session's dose record; once it is complete the checklist reads it and the button goes."""
    s = _recovery(clinic, clock, dose_completed=False)
    window = make_window(clinic)
    seen = {}

    def complete(cls, parent, title, handlers, record, **_kw):
        seen["title"], seen["record"] = title, record
        return complete_dose(clinic, s.id, witness="nurse.kim")  # as typed in the dialog

    def ask(cls, parent, title, handlers):
        d = DischargeDialog(parent, title, handlers)
        qtbot.addWidget(d)
        _show(qtbot, d)
        seen["before"] = (d.dose_button.isVisible(), d.computed_rows["dose"][0].text())
        qtbot.mouseClick(d.dose_button, Qt.MouseButton.LeftButton)
        seen["after"] = (d.dose_button.isVisible(), d.computed_rows["dose"][0].text())
        d.reject()
        return None

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DoseRecordDialog, "ask", classmethod(complete))
        mp.setattr(DischargeDialog, "ask", classmethod(ask))
        window.controller.discharge_session(s.id, "Maria Gonzalez (Chair 1)")
    assert seen["before"][0] and seen["record"].planned_mg > 0 and not seen["record"].completed
    assert seen["title"] == "Maria Gonzalez (Chair 1)"
    assert seen["after"][0] is False and seen["after"][1] != seen["before"][1]
    assert clinic.dose.get(s.id).completed
