"""By keyboard: the checklist shows what the record blocks on (a SEVERE side effect, an open
dose record), in words; an answer the record contradicts is refused under its field; the
physician's decision dialog records on Enter in the password and nothing on Esc."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ketamon.domain.sessions import Phase
from ketamon.domain.side_effects import Severity
from ketamon.domain.vitals import VitalsDraft
from ketamon.ui.dialogs.discharge import DischargeDialog
from ketamon.ui.dialogs.physician_decision import PhysicianDecisionDialog
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    complete_dose,
    draft,
    plan_escort,
)
from tests.ui.conftest import click, tile_of
from tests.ui.test_discharge_gui import _fill_all_but_the_escort_check, _show, _type

DECISION = "Known migraine, usual pattern; home with escort"


@pytest.fixture
def severe_headache(clinic, clock):
    """In recovery, observed 35 min, dose planned but not completed, headache SEVERE open."""
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    add_user(clinic, "dr.patel", "Anil Patel", "MD", "physician", PASSWORD)
    patient = clinic.patients.register(NURSE, draft("KM-1", "Maria Gonzalez"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id, sedation=5)
    clinic.dose.plan(NURSE, s.id, 72.5, 0.5, 10, "LOT-4411")
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(minutes=2)
    effect = clinic.side_effects.tick(NURSE, s.id, "headache", severity=Severity.SEVERE)
    clock.advance(minutes=38)
    clinic.sessions.stop(NURSE, s.id)
    clock.advance(minutes=35)
    clinic.vitals.record(NURSE, s.id, VitalsDraft(128, 80, 74, 98, 14, sedation=5))
    return s, effect


def decide_by_keyboard(qtbot, seen: dict, *, password: str = PASSWORD, key=Qt.Key.Key_Return):
    """An `ask` for PhysicianDecisionDialog: the physician types the decision, Tab, their
    username, Enter (to the password), the password, then `key`."""

    def ask(cls, parent, title, effects, record, physician=""):
        d = PhysicianDecisionDialog(parent, title, effects, record, physician)
        qtbot.addWidget(d)
        _show(qtbot, d)
        seen["effects"] = [d.effect.itemText(i) for i in range(d.effect.count())]
        seen["focus_first"] = d.decision.hasFocus()
        qtbot.keyClicks(d.decision, DECISION)
        qtbot.keyClick(d.decision, Qt.Key.Key_Tab)
        seen["tab_to_username"] = d.username.hasFocus()
        qtbot.keyClicks(d.username, "dr.patel")
        qtbot.keyClick(d.username, Qt.Key.Key_Return)
        seen["enter_to_password"] = d.password.hasFocus()
        qtbot.keyClicks(d.password, password)
        qtbot.keyClick(d.password, key)
        seen["error"] = d.error.text() if d.error.isVisible() else ""
        seen["password_left"] = d.password.text()
        seen["open"] = d.isVisible()
        return d.recorded

    return ask


def test_the_checklist_shows_what_the_record_blocks_on_and_a_decision_clears_it(
    clinic, clock, make_window, qtbot, monkeypatch, severe_headache
):
    s, _effect = severe_headache
    window = make_window(clinic)
    seen: dict = {}

    def ask(cls, parent, title, handlers):
        d = DischargeDialog(parent, title, handlers)
        qtbot.addWidget(d)
        _show(qtbot, d)
        _fill_all_but_the_escort_check(qtbot, d)
        d.escort_verified.setFocus()
        qtbot.keyClick(d.escort_verified, Qt.Key.Key_Space)
        rows = {key: (m.text(), e.text()) for key, (m, _l, e) in d.computed_rows.items()}
        seen["rows"], seen["missing"] = rows, d.missing.text()
        seen["enabled_before"] = d.discharge_button.isEnabled()
        seen["decision_offered"] = d.decision_button.isVisible()
        qtbot.keyClick(d, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # Physician's decision
        qtbot.waitUntil(lambda: "open" in decision, timeout=3000)  # a mnemonic animates
        seen["side_effects_after"] = d.computed_rows["side_effects"][0].text()
        seen["decision_offered_after"] = d.decision_button.isVisible()
        seen["missing_after"] = d.missing.text()
        complete_dose(clinic, s.id, witness="nurse.kim")  # the nurse completes the dose record
        d.state = handlers.state()
        d._verdict()
        seen["enabled_after"] = d.discharge_button.isEnabled()
        qtbot.mouseClick(d.discharge_button, Qt.MouseButton.LeftButton)
        return d.outcome

    decision: dict = {}
    monkeypatch.setattr(
        PhysicianDecisionDialog, "ask", classmethod(decide_by_keyboard(qtbot, decision))
    )
    monkeypatch.setattr(DischargeDialog, "ask", classmethod(ask))
    click(qtbot, tile_of(window, 0), "discharge")

    marks = {key: mark for key, (mark, _e) in seen["rows"].items()}
    assert marks["side_effects"] == "✖ Missing" and marks["dose"] == "✖ Missing"
    assert marks["stop"] == "✔ Met"
    evidence = seen["rows"]["side_effects"][1]
    assert evidence.startswith("Headache SEVERE since ")
    assert evidence.endswith("not resolved — resolve it or a physician's decision")
    assert "amount given, amount wasted, witness not recorded yet" in seen["rows"]["dose"][1]
    assert "✖ No SEVERE side effect unresolved: Headache SEVERE since" in seen["missing"]
    assert "✖ Dose record completed (given, wasted, witness)" in seen["missing"]
    assert seen["enabled_before"] is False and seen["decision_offered"] is True

    assert decision["focus_first"] and decision["tab_to_username"]
    assert decision["enter_to_password"] and decision["error"] == ""
    assert decision["effects"][0].startswith("Headache SEVERE since ")
    assert seen["side_effects_after"] == "✔ Met" and seen["decision_offered_after"] is False
    assert "No SEVERE side effect unresolved" not in seen["missing_after"]
    assert seen["enabled_after"] is True
    assert clinic.sessions.get(s.id).phase is Phase.DISCHARGED
    decided = clinic.side_effects.for_session(s.id)[0]
    assert (decided.physician_decision, decided.physician_decision_by) == (DECISION, "dr.patel")


def test_esc_in_the_decision_dialog_records_nothing(clinic, qtbot, severe_headache):
    s, effect = severe_headache
    d = PhysicianDecisionDialog(None, "Maria Gonzalez", [effect], _record(clinic))
    qtbot.addWidget(d)
    _show(qtbot, d)
    qtbot.keyClicks(d.decision, DECISION)
    qtbot.keyClick(d.decision, Qt.Key.Key_Tab)
    qtbot.keyClicks(d.username, "dr.patel")
    qtbot.keyClick(d.username, Qt.Key.Key_Return)
    qtbot.keyClicks(d.password, PASSWORD)
    qtbot.keyClick(d.password, Qt.Key.Key_Escape)
    assert not d.isVisible() and d.recorded is None
    assert not clinic.side_effects.for_session(s.id)[0].physician_decided


def _record(clinic):
    return lambda effect_id, text, username, password: (
        clinic.side_effects.record_physician_decision(NURSE, effect_id, text, username, password)
    )


def test_enter_before_everything_is_typed_records_nothing_and_names_the_field(
    clinic, qtbot, severe_headache
):
    s, effect = severe_headache
    d = PhysicianDecisionDialog(None, "Maria Gonzalez", [effect], _record(clinic))
    qtbot.addWidget(d)
    _show(qtbot, d)
    qtbot.keyClick(d.username, Qt.Key.Key_Return)  # Enter in the username: to the password
    qtbot.keyClick(d.password, Qt.Key.Key_Return)  # Enter with nothing typed
    assert d.isVisible() and d.recorded is None
    assert d.error.text().startswith("Decision: say what was decided")
    assert "Physician's username is required" in d.error.text()
    assert d.decision.hasFocus()
    qtbot.keyClick(d, Qt.Key.Key_Return)  # Enter on the dialog: no default button records
    assert d.isVisible() and d.recorded is None
    assert not clinic.side_effects.for_session(s.id)[0].physician_decided


def test_a_wrong_password_is_refused_and_cleared_the_rest_kept(clinic, qtbot, severe_headache):
    s, effect = severe_headache
    seen: dict = {}
    recorded = decide_by_keyboard(qtbot, seen, password="not it")(
        PhysicianDecisionDialog, None, "Maria Gonzalez", [effect], _record(clinic)
    )
    assert recorded is None and seen["open"]
    assert seen["error"].startswith("Not recorded. The physician's username or password")
    assert seen["password_left"] == ""
    assert not clinic.side_effects.for_session(s.id)[0].physician_decided


def test_a_contradicting_answer_is_refused_under_its_field(
    clinic, clock, qtbot, monkeypatch, severe_headache
):
    from ketamon.ui.controller import BoardController

    s, _ = severe_headache
    clinic.side_effects.tick(NURSE, s.id, "vomiting", severity=Severity.SEVERE)
    controller = BoardController(clinic, NURSE)
    seen: dict = {}

    def ask(cls, parent, title, handlers):
        d = DischargeDialog(parent, title, handlers)
        qtbot.addWidget(d)
        _show(qtbot, d)
        _type(qtbot, d.oriented, "Yes")
        _type(qtbot, d.nausea, "Minimal")
        seen["refused"] = d.refusals["nausea"].text()
        seen["shown"] = d.refusals["nausea"].isVisible()
        seen["nausea_row"] = next(m for m in d.check().missing if m.startswith("Nausea"))
        d.nausea.setFocus()
        qtbot.keyClick(d.nausea, Qt.Key.Key_End)  # "Severe": what the record says
        seen["after"] = d.refusals["nausea"].isVisible()
        return None

    monkeypatch.setattr(DischargeDialog, "ask", classmethod(ask))
    controller.discharge_session(s.id, "Maria Gonzalez (Chair 1)")
    assert seen["shown"] and seen["refused"].startswith(
        "Not saved. Nausea / vomiting: “Minimal” contradicts the record: Vomiting SEVERE since"
    )
    assert "contradicts the record" in seen["nausea_row"]
    assert seen["after"] is False
    stored = clinic.discharge.state(s.id).answers
    assert (stored.oriented, stored.nausea.value) == (True, "severe")


def test_the_session_window_offers_the_decision_only_on_a_severe_open_effect(
    clinic, clock, make_window, qtbot, monkeypatch, severe_headache
):
    from ketamon.ui.session_window import open_windows

    s, effect = severe_headache
    window = make_window(clinic)
    click(qtbot, tile_of(window, 0), "open")
    session_window = next(w for w in open_windows() if w.session_id == s.id)
    button = session_window.buttons["Physician's decision…"]
    assert button.isVisible() and "Headache SEVERE since" in button.toolTip()
    seen: dict = {}
    monkeypatch.setattr(
        PhysicianDecisionDialog, "ask", classmethod(decide_by_keyboard(qtbot, seen))
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clinic.side_effects.for_session(s.id)[0].physician_decision == DECISION
    assert not button.isVisible()  # nothing left to decide
    assert "Physician's decision recorded on Headache by Anil Patel, MD" in (
        session_window.message.text()
    )
    session_window.close()
