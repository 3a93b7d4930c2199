"""Each use case two screens offer is one object (the signed-in user's `UseCases`, built by
the controller and handed to the session window and its Interventions tab): the same inputs
ask the same questions, store the same record and are refused in the same words."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ketamon.domain.errors import DomainError
from ketamon.domain.sessions import EventKind
from ketamon.ui import start_flow as start_flow_module
from ketamon.ui.dialogs.dose_record import DoseRecordDialog
from ketamon.ui.dialogs.messages import Confirm
from ketamon.ui.dialogs.reason import ReasonDialog
from ketamon.ui.dialogs.start import PLAN
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    draft,
    plan_escort,
)
from tests.ui.conftest import click, tile_of
from tests.ui.test_use_case_wiring import windows_of
from tests.ui.test_vitals_entry import infusing

LEFT = Qt.MouseButton.LeftButton


def open_window(qtbot, window, tile):
    click(qtbot, tile, "open")
    [session_window] = windows_of(window)
    session_window.tabs.setCurrentWidget(session_window.interventions)
    return session_window


def test_one_set_of_use_cases_serves_the_board_the_window_and_its_tab(
    clinic, clock, make_window, qtbot
):
    infusing(clinic, clock)
    window = make_window(clinic)
    controller = window.controller
    session_window = open_window(qtbot, window, tile_of(window, 0))
    cases = controller.use_cases
    assert session_window.use_cases is cases
    assert session_window.interventions.use_cases is cases
    # the checklist's physician's decision is the window's
    assert cases.discharge.decision is cases.physician_decision
    session_window.close()


def test_pause_from_the_tile_and_from_the_interventions_tab(
    clinic, clock, make_window, qtbot, monkeypatch
):
    """The same question (title, words, reasons), the same event, by the same nurse."""
    session = infusing(clinic, clock)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    session_window = open_window(qtbot, window, tile)
    page = session_window.interventions
    asked = []

    def reason(cls, parent, title, text, choices):
        asked.append((title, text, tuple(choices)))
        return "Nausea"

    monkeypatch.setattr(ReasonDialog, "ask", classmethod(reason))
    click(qtbot, tile, "pause")
    assert session_window.session.paused  # the window followed the tile's change
    qtbot.mouseClick(page.buttons["Resume"], LEFT)
    assert tile.phase_label.text() == "INFUSING"
    qtbot.mouseClick(page.buttons["Pause…"], LEFT)
    assert tile.phase_label.text() == "PAUSED"
    from_tile, from_tab = asked
    assert from_tile == from_tab
    events = clinic.sessions.get(session.id).events
    pauses = [(e.reason, e.actor) for e in events if e.kind is EventKind.PAUSE]
    assert pauses == [("Nausea", NURSE.username)] * 2
    session_window.close()


def test_stop_early_from_the_tile_and_from_the_tab_asks_the_same(
    clinic, clock, make_window, qtbot, monkeypatch
):
    """Two sessions, one stopped from its tile, one from its window's tab, 10 minutes in."""
    first = infusing(clinic, clock, minutes=0)
    patient = clinic.patients.register(NURSE, draft(name="Ada Byrne", mrn="KM-20002"))
    second = clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40)
    baseline(clinic, second.id)
    plan_escort(clinic, second.id)
    ask_questionnaires(clinic, second.id)
    clinic.sessions.start(NURSE, second.id, no_plan_reason="Dose prepared on the paper record")
    clock.advance(minutes=10)
    window = make_window(clinic)
    asked = []

    def reason(cls, parent, title, text, choices):
        asked.append((title, text.replace("Ada Byrne", "Maria Gonzalez"), tuple(choices)))
        return "Patient request"

    monkeypatch.setattr(ReasonDialog, "ask", classmethod(reason))
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a, **k: pytest.fail("confirm")))
    click(qtbot, tile_of(window, 0), "stop")
    session_window = open_window(qtbot, window, tile_of(window, 1))
    qtbot.mouseClick(session_window.interventions.buttons["Stop infusion…"], LEFT)
    from_tile, from_tab = asked
    assert from_tile == from_tab and "before its target" in from_tile[1]
    for session in (first, second):
        [stop] = [e for e in clinic.sessions.get(session.id).events if e.kind is EventKind.STOP]
        assert (stop.reason, stop.actor) == ("Patient request", NURSE.username)
    session_window.close()


def test_the_dose_record_from_a_start_without_plan_and_from_the_tab(
    clinic, clock, make_window, qtbot, monkeypatch
):
    """The same defaults, witnesses and patient; a refused plan says the same; both are
    the one DoseRecording."""
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    patient = clinic.patients.register(NURSE, draft(name="Lena Park", weight_kg=80))
    session = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, session.id)
    plan_escort(clinic, session.id)  # S asks the escort first: named, it asks the dose
    ask_questionnaires(clinic, session.id)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    seen = []

    def ask(cls, parent, title, handlers, record, *, before_start=False):
        with pytest.raises(DomainError) as refused:
            handlers.plan(None, 0.5, 10.0, "KET-1", "", "", 0)  # 0: no plan shown
        seen.append((handlers, record, before_start, str(refused.value)))
        return None  # closed without a plan: nothing starts

    monkeypatch.setattr(DoseRecordDialog, "ask", classmethod(ask))
    monkeypatch.setattr(start_flow_module, "ask_plan_first", lambda parent, name: PLAN)
    click(qtbot, tile, "start")
    assert tile.phase_label.text() == "CHECKED IN"
    session_window = open_window(qtbot, window, tile)
    qtbot.mouseClick(session_window.interventions.buttons["Dose record…"], LEFT)
    (tile_handlers, tile_record, tile_start, tile_refusal), (tab_handlers, tab_record, *rest) = seen
    assert (tile_start, rest[0]) == (True, False)
    assert tile_refusal == rest[1]
    assert tile_record is None and tab_record is None
    assert tile_handlers.defaults == tab_handlers.defaults
    assert tile_handlers.defaults.weight_kg == 80
    assert tile_handlers.witnesses == tab_handlers.witnesses == [("nurse.kim", "Kim Osei, RN")]
    assert tile_handlers.names == tab_handlers.names
    assert tile_handlers.patient == tab_handlers.patient
    assert clinic.dose.get(session.id) is None  # refused: nothing planned
    session_window.close()
