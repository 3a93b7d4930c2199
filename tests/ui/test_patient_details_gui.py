"""Allergies in sight and patient details correctable, by keyboard: register with "No
known drug allergies" (Alt+N), the session header, Edit patient details with a reason
(Enter saves, Esc leaves it), and Give medication of a drug named in the allergies (the
override asks a reason; Enter and Esc go back, nothing stored; Alt+R records it)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from ketamon.ui import session_window as sw
from ketamon.ui.app import application
from ketamon.ui.dialogs.checkin import CheckInDialog, CheckInHandlers
from ketamon.ui.dialogs.medication import AllergyOverrideDialog, MedicationDialog
from ketamon.ui.dialogs.patient_form import EditPatientDialog
from tests.conftest import NURSE, ask_questionnaires, baseline, draft, open_clinic, plan_escort
from tests.ui.conftest import click, tile_of

ENTER, ESC = Qt.Key.Key_Return, Qt.Key.Key_Escape
ALT = Qt.KeyboardModifier.AltModifier


def _active(qtbot, widget) -> None:
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)


def _type(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


# -- registration ------------------------------------------------------------------------------
@pytest.fixture
def checkin(qtbot, clinic):
    application()
    chair = clinic.chairs.all()[0].id

    def check_in(pid, minutes, _escort):
        return clinic.sessions.check_in(NURSE, chair, pid, minutes)

    handlers = CheckInHandlers(
        search=clinic.patients.search,
        register=lambda d: clinic.patients.register(NURSE, d),
        check_in=check_in,
    )
    dialog = CheckInDialog(None, "Chair 1", handlers, clinic.settings.get())
    qtbot.addWidget(dialog)
    _active(qtbot, dialog)
    dialog.tabs.setCurrentIndex(1)
    for key, text in (
        ("mrn", "KM-42"),
        ("full_name", "Sam Patel"),
        ("date_of_birth", "1990-02-03"),
        ("weight_kg", "81.2"),
    ):
        _type(qtbot, dialog.fields[key], text)
    return dialog


def test_register_with_nkda_by_keyboard(qtbot, clinic, checkin) -> None:
    dialog = checkin
    qtbot.keyClick(dialog.fields["weight_kg"], Qt.Key.Key_N, ALT)  # the tick's mnemonic
    qtbot.waitUntil(dialog.form.nkda.isChecked, timeout=2000)  # a mnemonic animates
    dialog.fields["weight_kg"].setFocus()  # back in a field: Enter checks in
    qtbot.keyClick(dialog.fields["weight_kg"], ENTER)  # Enter: Check in
    assert dialog.result() == QDialog.DialogCode.Accepted
    [patient] = clinic.patients.search("Patel")
    assert (patient.allergies, patient.no_known_allergies) == ("", True)
    assert patient.allergy_text == "No known drug allergies"


def test_a_list_and_the_tick_are_refused_at_the_tick(qtbot, clinic, checkin) -> None:
    dialog = checkin
    _type(qtbot, dialog.fields["allergies"], "Latex")
    qtbot.keyClick(dialog.fields["allergies"], Qt.Key.Key_N, ALT)
    qtbot.waitUntil(dialog.form.nkda.isChecked, timeout=2000)
    qtbot.keyClick(dialog.fields["allergies"], ENTER)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert clinic.patients.search("Patel") == []
    error = dialog.errors["no_known_allergies"]
    assert error.isVisible() and "clear one of the two" in error.text()
    assert dialog.fields["allergies"].text() == "Latex"  # nothing typed is lost
    qtbot.keyClick(dialog.form.nkda, Qt.Key.Key_Space)  # untick, on the focused tick
    assert not dialog.form.nkda.isChecked() and not error.isVisible()
    qtbot.keyClick(dialog.form.nkda, ENTER)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert clinic.patients.search("Patel")[0].allergy_text == "ALLERGIES: Latex"


def test_the_chosen_patients_allergies_show_before_check_in(qtbot, clinic) -> None:
    application()
    clinic.patients.register(NURSE, draft("KM-1", "Ada Lovelace", allergies="Penicillin"))
    clinic.patients.register(NURSE, draft("KM-2", "Ada Byron"))
    handlers = CheckInHandlers(
        search=clinic.patients.search,
        register=lambda d: clinic.patients.register(NURSE, d),
        check_in=lambda *a: None,
    )
    dialog = CheckInDialog(None, "Chair 1", handlers, clinic.settings.get())
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.search_edit, "Ada")
    texts = [dialog.results.item(i).text() for i in range(dialog.results.count())]
    assert any("Byron" in t and "ALLERGIES NOT RECORDED" in t for t in texts)
    assert any("Lovelace" in t and "ALLERGIES: Penicillin" in t for t in texts)
    dialog.results.setCurrentRow(next(i for i, t in enumerate(texts) if "Lovelace" in t))
    assert "Checking in <b>Ada Lovelace</b>" in dialog.chosen.text()
    assert "ALLERGIES: Penicillin" in dialog.chosen.text()


# -- the session window ------------------------------------------------------------------------
@pytest.fixture
def opened(clinic, clock, make_window, qtbot):
    def open_for(**kw):
        patient = clinic.patients.register(NURSE, draft("KM-5", "Lena Park", weight_kg=80, **kw))
        s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
        clock.advance(minutes=3)
        baseline(clinic, s.id)
        window = make_window(clinic)
        click(qtbot, tile_of(window, 0), "open")
        [session_window] = sw.open_windows()
        qtbot.addWidget(session_window)
        return s, session_window

    return open_for


def test_the_header_shows_allergies_and_the_weight_of_the_day(clinic, opened) -> None:
    s, window = opened()
    header = window.header.text()
    assert "ALLERGIES NOT RECORDED" in header
    assert "Not weighed yet today (registered 80.0 kg)" in header
    clinic.dose.plan(NURSE, s.id, 82, 0.5, 10, "L1")
    window.refresh(full=True)
    assert "Weight today 82.0 kg" in window.header.text()


def _edit(qtbot, monkeypatch, steps):
    """Edit patient details opens; `steps(dialog)` types and presses keys in it."""
    seen = {}

    def ask(cls, parent, patient, save, reload=None):
        dialog = cls(parent, patient, save, reload)
        qtbot.addWidget(dialog)
        _active(qtbot, dialog)
        seen["dialog"] = dialog
        steps(dialog)
        return dialog.saved

    monkeypatch.setattr(EditPatientDialog, "ask", classmethod(ask))
    return seen


def test_edit_patient_needs_a_reason_then_enter_saves(clinic, opened, qtbot, monkeypatch):
    s, window = opened()
    shown = {}

    def steps(dialog):
        name = dialog.form.fields["full_name"]
        assert name.hasFocus() and name.text() == "Lena Park"
        name.selectAll()
        qtbot.keyClicks(name, "Lena Parker")
        qtbot.keyClick(dialog.form.fields["allergies"], Qt.Key.Key_A)  # typed into allergies
        dialog.form.fields["allergies"].clear()
        qtbot.keyClicks(dialog.form.fields["allergies"], "Ondansetron (rash)")
        qtbot.keyClick(name, ENTER)  # no reason yet: refused, nothing stored
        shown["error"] = dialog.reason_error.text()
        shown["stored"] = clinic.patients.get(s.patient_id).full_name
        qtbot.keyClicks(dialog.reason.lineEdit(), "Checked against her ID")
        qtbot.keyClick(dialog.reason.lineEdit(), ENTER)

    _edit(qtbot, monkeypatch, steps)
    qtbot.mouseClick(window.buttons["Edit patient details…"], Qt.MouseButton.LeftButton)
    assert shown == {
        "error": "A reason is required to correct patient details",
        "stored": "Lena Park",
    }
    patient = clinic.patients.get(s.patient_id)
    assert (patient.full_name, patient.allergies) == ("Lena Parker", "Ondansetron (rash)")
    assert "Lena Parker" in window.header.text()
    assert "ALLERGIES: Ondansetron (rash)" in window.header.text()
    rows = [r for r in window.history.rows() if r[3].startswith("patient details")]
    assert [(r[4], r[5], r[6]) for r in rows] == [
        ("Full name", "Lena Park → Lena Parker", "Checked against her ID"),
        ("Allergies", "(none) → Ondansetron (rash)", "Checked against her ID"),
    ]


def test_a_correction_saved_on_another_workstation_meanwhile_is_not_overwritten(
    clinic, opened, qtbot, monkeypatch, db_url, clock
) -> None:
    s, window = opened()
    other = open_clinic(db_url, clock)  # workstation B
    shown = {}

    def steps(dialog):
        name = dialog.form.fields["full_name"]
        name.selectAll()
        qtbot.keyClicks(name, "Lena Parker")
        qtbot.keyClicks(dialog.reason.lineEdit(), "Checked against her ID")
        on_b = other.patients.get(s.patient_id)  # B corrects the weight meanwhile
        heavier = replace(on_b.as_draft(), weight_kg=64.0)
        other.patients.correct(NURSE, s.patient_id, heavier, "Weighed", version=on_b.version)
        qtbot.keyClick(dialog.reason.lineEdit(), ENTER)  # refused: reloaded, name kept
        shown["message"] = dialog.message.text()
        shown["fields"] = (name.text(), dialog.form.fields["weight_kg"].text())
        shown["kept"] = name.property("kept")
        qtbot.keyClick(dialog.reason.lineEdit(), ENTER)  # saved on top of B's

    _edit(qtbot, monkeypatch, steps)
    try:
        qtbot.mouseClick(window.buttons["Edit patient details…"], Qt.MouseButton.LeftButton)
    finally:
        other.close()
    assert shown["message"].startswith("Not saved: The patient's details were changed by")
    assert "they have been reloaded" in shown["message"]
    assert shown["message"].endswith("Kept from your entries: Full name.")
    assert shown["fields"] == ("Lena Parker", "64") and shown["kept"] is True
    patient = clinic.patients.get(s.patient_id)
    assert (patient.full_name, patient.weight_kg) == ("Lena Parker", 64.0)


def test_edit_patient_esc_changes_nothing(clinic, opened, qtbot, monkeypatch) -> None:
    s, window = opened()

    def steps(dialog):
        qtbot.keyClicks(dialog.form.fields["full_name"], "x")
        qtbot.keyClicks(dialog.reason.lineEdit(), "Typo")
        qtbot.keyClick(dialog.form.fields["full_name"], ESC)

    seen = _edit(qtbot, monkeypatch, steps)
    qtbot.mouseClick(window.buttons["Edit patient details…"], Qt.MouseButton.LeftButton)
    assert seen["dialog"].result() == QDialog.DialogCode.Rejected
    assert clinic.patients.get(s.patient_id).full_name == "Lena Park"
    assert not [r for r in window.history.rows() if r[3].startswith("patient")]


# -- a drug named in the allergies -------------------------------------------------------------
def _give_ondansetron(qtbot, monkeypatch, page, answer):
    """Give medication: ondansetron 4 mg; when the override asks, `answer(override)`."""
    seen = {}

    def override_exec(dialog):
        _active(qtbot, dialog)
        seen["override"] = dialog.findChildren(type(dialog.error))[0].text()
        answer(dialog)
        return dialog.result()

    def ask(cls, parent, title, handlers):
        dialog = cls(parent, title, handlers)
        qtbot.addWidget(dialog)
        _active(qtbot, dialog)
        seen["allergies"] = dialog.allergies.text()
        dialog.drug.setCurrentIndex(dialog.drug.findText("ondansetron"))
        _type(qtbot, dialog.dose, "4")
        qtbot.keyClick(dialog.dose, ENTER)  # Save
        seen["message"] = dialog.errors.message.text()
        seen["typed"] = dialog.dose.text()
        return dialog.saved

    monkeypatch.setattr(AllergyOverrideDialog, "exec", override_exec)
    monkeypatch.setattr(MedicationDialog, "ask", classmethod(ask))
    qtbot.mouseClick(page.buttons["Give medication…"], Qt.MouseButton.LeftButton)
    return seen


@pytest.fixture
def allergic(clinic, opened):
    s, window = opened(allergies="Ondansetron (rash)")
    clinic.dose.plan(NURSE, s.id, 80, 0.5, 10, "L1")
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    window.refresh(full=True)
    window.tabs.setCurrentWidget(window.interventions)
    return s, window, window.interventions


@pytest.mark.parametrize("key", [ENTER, ESC], ids=["Enter", "Esc"])
def test_enter_or_esc_on_the_override_goes_back_storing_nothing(
    clinic, allergic, qtbot, monkeypatch, key
):
    s, _window, page = allergic

    def answer(override):
        assert override.back.isDefault()
        qtbot.keyClicks(override.reason, "Physician ordered")
        qtbot.keyClick(override.reason, key)

    seen = _give_ondansetron(qtbot, monkeypatch, page, answer)
    assert "ALLERGIES: Ondansetron (rash)" in seen["allergies"]
    assert "appears in the patient's allergies" in seen["message"]
    assert seen["typed"] == "4"  # kept, to go on or cancel
    assert clinic.interventions.for_session(s.id) == []


def test_alt_r_with_a_reason_records_it_with_the_override(clinic, allergic, qtbot, monkeypatch):
    s, window, page = allergic

    def answer(override):
        qtbot.keyClick(override.reason, Qt.Key.Key_R, ALT)  # no reason yet: stays open
        qtbot.waitUntil(lambda: not override.error.isHidden(), timeout=2000)
        assert override.isVisible()
        qtbot.keyClicks(override.reason, "Rash only; physician ordered")
        qtbot.keyClick(override.reason, Qt.Key.Key_R, ALT)
        qtbot.waitUntil(lambda: not override.isVisible(), timeout=2000)

    _give_ondansetron(qtbot, monkeypatch, page, answer)
    [med] = clinic.interventions.for_session(s.id)
    assert med.allergy_override_reason == "Rash only; physician ordered"
    assert "NAMED IN ALLERGIES, given because: Rash only; physician ordered" in (
        page.list.item(0).text()
    )


def test_a_signed_session_shows_the_correction_beside_a_valid_signature(
    clinic, clock, make_window, qtbot
) -> None:
    from ketamon.domain.actors import Actor
    from tests.conftest import PASSWORD, add_user
    from tests.reports.conftest import discharged_session

    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    s = discharged_session(clinic, clock, sets=8)
    clinic.review.sign(
        Actor("dr.patel", "Priya Patel, MD"),
        s.id,
        PASSWORD,
        "Reviewed",
        "",
        reviewed=clinic.review.record_digest(s.id),
    )
    typed = draft("KM-20001", "Maria Gonzales")
    clinic.patients.correct(NURSE, clinic.sessions.get(s.id).patient_id, typed, "ID card")
    window = make_window(clinic)
    session_window = window.controller.open_session(s.id)
    qtbot.addWidget(session_window)
    text = session_window.signature_label.text()
    assert "SIGNATURE INVALID" not in text
    assert "Patient details corrected after signing" in text
    assert "Full name: Maria Gonzalez → Maria Gonzales (" in text and "ID card" in text
    assert session_window.buttons["Edit patient details…"].isEnabled()
