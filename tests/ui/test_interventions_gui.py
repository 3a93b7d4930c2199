"""A nurse gives a medication, pauses, changes the rate, stops early and completes the dose
record from the session window, clicking and typing; the board follows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from ketamon.domain.actors import Actor
from ketamon.domain.sessions import EventKind, Phase
from ketamon.ui import session_window as sw
from ketamon.ui.dialogs.dose_record import DoseRecordDialog
from ketamon.ui.dialogs.infusion import RateChangeDialog
from ketamon.ui.dialogs.medication import MedicationDialog
from ketamon.ui.dialogs.messages import Confirm
from ketamon.ui.dialogs.reason import ReasonDialog
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

LEFT = Qt.MouseButton.LeftButton
KIM = Actor("nurse.kim", "Kim Osei")


@pytest.fixture
def infusing(clinic, clock):
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    patient = clinic.patients.register(NURSE, draft(name="Lena Park", weight_kg=80))
    session = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    clock.advance(minutes=3)
    baseline(clinic, session.id)
    clock.advance(minutes=2)
    # Started without a plan (with its reason): these tests type the plan afterwards.
    plan_escort(clinic, session.id)
    ask_questionnaires(clinic, session.id)
    clinic.sessions.start(NURSE, session.id, no_plan_reason="Dose prepared on the paper record")
    clock.advance(minutes=10)
    return session


@pytest.fixture
def opened(clinic, infusing, make_window, qtbot):
    """The board, and the session window opened from the tile (Interventions tab shown)."""
    window = make_window(clinic)
    click(qtbot, tile_of(window, 0), "open")
    [session_window] = sw.open_windows()
    qtbot.addWidget(session_window)
    page = session_window.interventions
    session_window.tabs.setCurrentWidget(page)
    return window, session_window, page


def _nausea(clinic, session_id: int) -> int:
    service = getattr(clinic, "side_effects", None)
    if service is not None:
        return service.tick(NURSE, session_id, "nausea").id
    from ketamon.storage.audit import AuditContext
    from ketamon.storage.models import SideEffectRow

    with clinic.db.transaction(audit=AuditContext(NURSE.username, clinic.clock())) as s:
        row = SideEffectRow(
            session_id=session_id,
            kind_key="nausea",
            label="Nausea",
            onset_at=clinic.clock(),
            severity="mild",
            entered_by=NURSE.username,
            entered_at=clinic.clock(),
        )
        s.add(row)
        s.flush()
        return row.id


def _choose(combo, text: str) -> None:
    index = combo.findText(text, Qt.MatchFlag.MatchContains)
    assert index >= 0, f"{text!r} not offered"
    combo.setCurrentIndex(index)


def test_give_ondansetron_for_nausea(clinic, infusing, opened, qtbot, monkeypatch) -> None:
    effect_id = _nausea(clinic, infusing.id)
    _window, session_window, page = opened
    session_window.refresh(full=True)  # the side effect was ticked elsewhere
    seen = {}

    def ask(cls, parent, title, handlers):
        dialog = cls(parent, title, handlers)
        qtbot.addWidget(dialog)
        seen["effects"] = [dialog.treated.itemText(i) for i in range(dialog.treated.count())]
        _choose(dialog.drug, "ondansetron")
        qtbot.keyClicks(dialog.dose, "0")  # refused: above 0 only
        _choose(dialog.route, "ODT")
        _choose(dialog.treated, "Nausea")
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, LEFT)
        assert clinic.interventions.for_session(infusing.id) == []  # nothing saved yet
        seen["error"] = dialog.errors.text("dose")
        dialog.dose.clear()
        qtbot.keyClicks(dialog.dose, "4")
        qtbot.mouseClick(save, LEFT)
        return dialog.saved

    monkeypatch.setattr(MedicationDialog, "ask", classmethod(ask))
    qtbot.mouseClick(page.buttons["Give medication…"], LEFT)
    assert "(not for a side effect)" in seen["effects"] and "Nausea" in seen["effects"]
    assert seen["error"] == "Dose must be a number above 0 and up to 1000 mg"
    [med] = clinic.interventions.for_session(infusing.id)
    assert (med.drug, med.dose, med.unit, med.route) == ("ondansetron", 4.0, "mg", "ODT")
    assert (med.side_effect_id, med.given_by) == (effect_id, NURSE.username)
    assert page.list.count() == 1
    assert "ondansetron 4 mg ODT" in page.list.item(0).text()
    assert "by Jo Rivera, RN" in page.list.item(0).text()  # who gave it, by name
    assert "for Nausea" in page.list.item(0).text()


def test_a_refused_dose_is_shown_at_the_field_and_kept(
    clinic, infusing, opened, qtbot, monkeypatch
):
    _window, _sw, page = opened
    shown = {}

    def ask(cls, parent, title, handlers):
        dialog = cls(parent, title, handlers)
        qtbot.addWidget(dialog)
        _choose(dialog.drug, "midazolam")
        qtbot.keyClicks(dialog.dose, "2000")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), LEFT)
        shown["dose"] = dialog.errors.text("dose")
        shown["typed"] = dialog.dose.text()
        return dialog.saved

    monkeypatch.setattr(MedicationDialog, "ask", classmethod(ask))
    qtbot.mouseClick(page.buttons["Give medication…"], LEFT)
    assert shown == {"dose": "Dose must be a number above 0 and up to 1000 mg", "typed": "2000"}
    assert clinic.interventions.for_session(infusing.id) == []


def test_pause_from_the_session_window_pauses_the_tile(
    clinic, infusing, opened, qtbot, monkeypatch
) -> None:
    window, session_window, page = opened
    tile = tile_of(window, 0)
    assert tile.phase_label.text() == "INFUSING"
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "Nausea"))
    qtbot.mouseClick(page.buttons["Pause…"], LEFT)
    assert tile.phase_label.text() == "PAUSED"
    assert session_window.session.paused
    assert "PAUSED" in page.state.text()
    assert not page.buttons["Pause…"].isEnabled() and page.buttons["Resume"].isEnabled()
    qtbot.mouseClick(page.buttons["Resume"], LEFT)
    assert tile.phase_label.text() == "INFUSING"
    kinds = [e.kind for e in clinic.sessions.get(infusing.id).events]
    assert kinds[-2:] == [EventKind.PAUSE, EventKind.RESUME]


def test_rate_change_from_the_session_window(clinic, infusing, opened, qtbot, monkeypatch):
    _window, session_window, page = opened

    def ask(cls, parent, title, info, submit):
        dialog = cls(parent, title, info, submit)
        qtbot.addWidget(dialog)
        qtbot.keyClicks(dialog.rate, "4.5")
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, LEFT)  # no reason yet: refused at the field
        assert dialog.errors.text("reason") == "A reason is required to change the infusion rate"
        qtbot.keyClicks(dialog.reason.lineEdit(), "Nausea: rate reduced")
        qtbot.mouseClick(save, LEFT)
        return dialog.saved

    monkeypatch.setattr(RateChangeDialog, "ask", classmethod(ask))
    qtbot.mouseClick(page.buttons["Rate change…"], LEFT)
    event = clinic.sessions.get(infusing.id).events[-1]
    assert (event.kind, event.rate_ml_h, event.reason) == (
        EventKind.RATE_CHANGE,
        4.5,
        "Nausea: rate reduced",
    )
    assert "4.5 mL/h" in page.state.text()
    assert session_window.session.phase is Phase.INFUSING


def test_early_stop_asks_a_reason_on_the_tile_and_in_the_window(
    clinic, clock, infusing, opened, qtbot, monkeypatch
) -> None:
    window, _session_window, page = opened
    asked = []
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: asked.append(a)))
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a, **k: pytest.fail("confirm")))
    click(qtbot, tile_of(window, 0), "stop")  # 10 of 40 minutes: a reason, not a yes/no
    assert asked and "before its target" in asked[0][2]
    assert clinic.sessions.get(infusing.id).phase is Phase.INFUSING  # going back stops nothing
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "Patient request"))
    qtbot.mouseClick(page.buttons["Stop infusion…"], LEFT)
    stopped = clinic.sessions.get(infusing.id)
    assert stopped.phase is Phase.RECOVERY
    assert stopped.events[-1].reason == "Patient request"
    assert tile_of(window, 0).phase_label.text() == "RECOVERY"


def test_stop_at_target_from_the_tile_is_a_confirmation(
    clinic, clock, infusing, make_window, qtbot, monkeypatch
) -> None:
    window = make_window(clinic)
    clock.advance(minutes=31)
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: pytest.fail("ask")))
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a, **k: True))
    click(qtbot, tile_of(window, 0), "stop")
    assert clinic.sessions.get(infusing.id).events[-1].reason == ""
    assert tile_of(window, 0).phase_label.text() == "RECOVERY"


def test_dose_record_plan_then_complete_with_a_witness(
    clinic, clock, infusing, opened, qtbot, monkeypatch
) -> None:
    _window, _session_window, page = opened
    seen = {}

    def ask(cls, parent, title, handlers, record, **options):
        dialog = cls(parent, title, handlers, record, **options)
        qtbot.addWidget(dialog)
        assert not dialog.before_start  # from the Interventions tab: not a start
        assert dialog.weight.text() == "80"  # from the patient's record
        assert dialog.mg_per_kg.text() == "0.5"  # the clinic's default
        qtbot.keyClicks(dialog.concentration, "10")
        seen["figures"] = dialog.figures.text()
        assert not dialog.complete_button.isEnabled()  # plan first
        qtbot.mouseClick(dialog.save_plan, LEFT)
        seen["lot"] = dialog.errors.text("lot_number")
        qtbot.keyClicks(dialog.lot, "KX-2291")
        qtbot.mouseClick(dialog.save_plan, LEFT)
        assert dialog.complete_button.isEnabled()
        qtbot.keyClicks(dialog.actual, "40")
        qtbot.keyClicks(dialog.wasted, "2")
        qtbot.keyClicks(dialog.witness, "nurse.kim")
        qtbot.keyClicks(dialog.witness_password, "not her password")
        qtbot.mouseClick(dialog.complete_button, LEFT)
        seen["refused"] = dialog.errors.text("witness_password")
        seen["password_left"] = dialog.witness_password.text()
        seen["kept"] = (dialog.actual.text(), dialog.wasted.text(), dialog.witness.text())
        qtbot.keyClicks(dialog.witness_password, PASSWORD)
        qtbot.mouseClick(dialog.complete_button, LEFT)
        seen["status"] = dialog.status.text()
        return dialog.record if dialog.changed else None

    monkeypatch.setattr(DoseRecordDialog, "ask", classmethod(ask))
    qtbot.mouseClick(page.buttons["Dose record…"], LEFT)
    assert seen["figures"] == "40 mg total · 4 mL · 6 mL/h over 40 min"
    assert seen["lot"] == "Lot number is required (as printed on the vial)"
    assert "not accepted" in seen["refused"]
    assert seen["password_left"] == ""  # a refused password is not kept on screen
    assert seen["kept"] == ("40", "2", "nurse.kim")
    assert "COMPLETED" in seen["status"]
    record = clinic.dose.get(infusing.id)
    assert (record.planned_mg, record.planned_rate_ml_h, record.lot_number) == (40, 6, "KX-2291")
    assert (record.actual_mg, record.wasted_mg, record.witness) == (40, 2, "nurse.kim")
    assert "witness Kim Osei, RN" in page.state.text()  # the name; the record keeps the username


def test_live_figures_follow_the_typing(clinic, infusing, qtbot) -> None:
    from ketamon.ui.dialogs.dose_record import DoseHandlers

    handlers = DoseHandlers(
        plan=lambda *a: None,  # type: ignore[arg-type,return-value]
        complete=lambda *a: None,  # type: ignore[arg-type,return-value]
        defaults=clinic.dose.defaults(infusing.id),
    )
    dialog = DoseRecordDialog(None, "Chair 1", handlers, None)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.concentration, "50")
    assert dialog.figures.text() == "40 mg total · 0.8 mL · 1.2 mL/h over 40 min"
    dialog.weight.clear()
    qtbot.keyClicks(dialog.weight, "100")
    assert dialog.figures.text().startswith("50 mg total · 1 mL")
