"""A tile key that does nothing on the selected chair says why on the status bar: V or S
on an empty chair "Chair 1 is empty — press C to check a patient in" (the key names from
the tile's action table); on a busy chair, the keys it offers. The keys line comes back."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ketamon.ui import key_hints
from tests.conftest import NURSE, ask_questionnaires, baseline, draft, plan_dose, plan_escort
from tests.ui.conftest import tile_of


def select(qtbot, window, number: int):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"))
    tile = tile_of(window, number - 1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    return tile


def test_v_and_s_on_an_empty_chair_say_press_c(clinic, clock, make_window, qtbot, monkeypatch):
    monkeypatch.setattr(key_hints, "HINT_SECONDS", 1)
    window = make_window(clinic)
    keys_line = window.statusBar().currentMessage()
    tile = select(qtbot, window, 1)
    for key in (Qt.Key.Key_V, Qt.Key.Key_S, Qt.Key.Key_E):
        qtbot.keyClick(tile, key)
        assert window.statusBar().currentMessage() == (
            "Chair 1 is empty — press C to check a patient in"
        )
    assert window.statusBar().property("hint") is True  # the large, bold look (QSS)
    assert clinic.board.get().sessions == {}  # nothing happened
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == keys_line, timeout=3000)
    assert window.statusBar().property("hint") is False


def test_a_key_the_busy_chair_does_not_offer_names_the_keys_it_does(
    clinic, clock, make_window, qtbot
):
    patient = clinic.patients.register(NURSE, draft())
    chair = clinic.chairs.all()[1]
    session = clinic.sessions.check_in(NURSE, chair.id, patient.id, 45)
    baseline(clinic, session.id)
    plan_dose(clinic, session.id)
    plan_escort(clinic, session.id)
    ask_questionnaires(clinic, session.id)
    window = make_window(clinic)
    window.controller.reload()
    tile = select(qtbot, window, 2)
    qtbot.keyClick(tile, Qt.Key.Key_D)  # discharge: not before the infusion
    assert window.statusBar().currentMessage() == (
        "Chair 2: Discharge (D) is not possible now — keys here: S start infusion, "
        "O open session, X cancel session, V vitals, Q questionnaires"
    )
    qtbot.keyClick(tile, Qt.Key.Key_S)  # an offered key still acts
    assert tile.phase_label.text() == "INFUSING"


def test_x_on_a_started_infusion_says_how_the_patient_leaves_instead(
    clinic, clock, make_window, qtbot
):
    patient = clinic.patients.register(NURSE, draft())
    chair = clinic.chairs.all()[0]
    session = clinic.sessions.check_in(NURSE, chair.id, patient.id, 45)
    baseline(clinic, session.id)
    plan_dose(clinic, session.id)
    plan_escort(clinic, session.id)
    ask_questionnaires(clinic, session.id)
    clinic.sessions.start(NURSE, session.id)
    window = make_window(clinic)
    window.controller.reload()
    tile = select(qtbot, window, 1)
    assert tile.buttons["cancel"].isHidden() and not tile.buttons["stop"].isHidden()
    qtbot.keyClick(tile, Qt.Key.Key_X)
    assert window.statusBar().currentMessage() == (
        "Chair 1: the infusion has started, so the session is not cancelled — stop it (T), "
        "then discharge (D) through the checklist or as leaving against advice"
    )
    assert clinic.sessions.get(session.id).phase.value == "infusing"


def test_a_locked_board_says_nothing_about_the_chairs(clinic, clock, make_window, qtbot):
    window = make_window(clinic)
    tile = select(qtbot, window, 1)
    keys_line = window.statusBar().currentMessage()
    window.lock()
    qtbot.keyClick(tile, Qt.Key.Key_V)
    assert window.statusBar().currentMessage() == keys_line
