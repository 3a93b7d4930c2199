"""From the review list a physician opens a finished session read-only (nothing can be
recorded or changed, not even before signing) and signs it from that window; the review
list follows. A nurse who opens a signed session adds an addendum from the session window."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt

from ketamon.ui.review.dialogs import AddendumDialog, SignDialog
from ketamon.ui.session_window import open_windows
from tests.conftest import NURSE, PASSWORD, add_user, open_clinic
from tests.reports.conftest import discharged_session
from tests.ui.conftest import toolbar_button
from tests.ui.test_review_gui import (
    DOC,
    _show,
    _two_finished_sessions,
    sign_typing_the_password,
)


def _session_window(session_id):
    return next(w for w in open_windows() if w.session_id == session_id)


def test_physician_opens_a_session_read_only_and_signs_it_there(
    clinic, clock, make_window, qtbot, monkeypatch
):
    first, _other = _two_finished_sessions(clinic, clock)
    window = make_window(clinic, DOC)
    qtbot.mouseClick(toolbar_button(window, window.review_action), Qt.MouseButton.LeftButton)
    review = window.controller.review_window
    review.patient.setFocus()
    qtbot.keyClicks(review.patient, "KM-20001")
    assert review.model.row_at(0).session_id == first.id
    qtbot.mouseClick(review.open_button, Qt.MouseButton.LeftButton)
    session = _session_window(first.id)

    # Read-only although not signed yet: the review changes nothing in the record.
    assert session.review_banner.isVisible()
    assert "READ-ONLY" in session.review_banner.text()
    assert "Read it, then Sign…" in session.review_banner.text()
    for name in ("Record vitals…", "Side effects…", "Discharge…"):
        assert not session.buttons[name].isEnabled(), name
    session.table.selectRow(0)
    assert not session.buttons["Correct…"].isEnabled()
    assert not session.buttons["Void…"].isEnabled()
    for name in ("Give medication…", "Dose record…"):
        assert not session.interventions.buttons[name].isEnabled(), name
    assert session.model.rowCount() == len(clinic.vitals.for_session(first.id)) == 6  # all of it
    assert session.buttons["Sign…"].isVisible() and session.buttons["Sign…"].isEnabled()
    assert not session.buttons["Add addendum…"].isVisible()

    def sign(cls, parent, title, meanings, need_username, call):
        dialog = SignDialog(parent, title, meanings, need_username, call)
        qtbot.addWidget(dialog)
        _show(qtbot, dialog)
        assert need_username  # the first signing since sign-in
        qtbot.keyClicks(dialog.username, "dr.patel")
        qtbot.keyClicks(dialog.password, PASSWORD)
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        return dialog.signature

    monkeypatch.setattr(SignDialog, "ask", classmethod(sign))
    qtbot.mouseClick(session.buttons["Sign…"], Qt.MouseButton.LeftButton)

    assert clinic.review.signature(first.id).signer == "dr.patel"
    assert "Electronically signed by Priya Patel, MD — Reviewed — " in (
        session.signature_label.text()
    )
    assert not session.buttons["Sign…"].isVisible()
    assert session.buttons["Add addendum…"].isVisible()
    # Issue 16: the band no longer asks to sign what is signed.
    assert session.review_banner.text().startswith("SIGNED · READ-ONLY")
    assert "then Sign" not in session.review_banner.text()
    assert "Add addendum…" in session.review_banner.text()
    # The review list and the toolbar follow without being touched.
    assert review.awaiting.text() == "Awaiting review: 1"
    assert "Electronically signed by Priya Patel, MD" in review.detail.text()
    assert window.review_action.text() == "Review (1)"
    session.close()
    review.close()


def test_a_nurse_adds_an_addendum_to_a_signed_session_from_its_window(
    clinic, clock, make_window, qtbot, monkeypatch
):
    s = discharged_session(clinic, clock, sets=6)
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    clinic.review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=clinic.review.record_digest(s.id))
    window = make_window(clinic, NURSE)
    session = window.controller.open_session(s.id)
    assert not session.review_banner.isVisible()  # a nurse's window, but signed: locked
    assert not session.buttons["Record vitals…"].isEnabled()
    assert not session.buttons["Sign…"].isVisible()  # nurses never sign
    assert session.buttons["Add addendum…"].isVisible()

    def add(cls, parent, title, call):
        dialog = AddendumDialog(parent, title, call)
        qtbot.addWidget(dialog)
        _show(qtbot, dialog)
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)  # empty: refused
        assert dialog.error.isVisible() and dialog.addendum is None
        qtbot.keyClicks(dialog.text, "Escort called: patient slept well")
        qtbot.keyClicks(dialog.reason, "Follow-up call")
        qtbot.keyClicks(dialog.password, PASSWORD)  # the nurse signs the addendum
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        return dialog.addendum

    monkeypatch.setattr(AddendumDialog, "ask", classmethod(add))
    qtbot.mouseClick(session.buttons["Add addendum…"], Qt.MouseButton.LeftButton)
    text = session.signature_label.text()
    assert "Addendum after signing" in text
    assert "Escort called: patient slept well" in text
    assert [(a.author, a.valid) for a in clinic.review.addenda(s.id)] == [(NURSE.username, True)]
    session.close()


def test_a_record_changed_while_the_physician_reads_it_is_not_signed(
    clinic, clock, db_url, make_window, qtbot, monkeypatch
):
    first, _other = _two_finished_sessions(clinic, clock)
    window = make_window(clinic, DOC)
    session = window.controller.open_session(first.id, review=True)
    # Another workstation corrects the newest set to RED while the physician reads, before
    # its change reaches this window.
    nurse_station = open_clinic(db_url, clock)
    newest = clinic.vitals.for_session(first.id)[-1]
    raised = replace(newest.values, systolic=194)
    nurse_station.vitals.correct(NURSE, newest.id, raised, "Misread")
    nurse_station.db.engine.dispose()
    assert session.sets[-1].values.systolic != 194  # not yet seen here
    refusals = sign_typing_the_password(qtbot, monkeypatch)
    qtbot.mouseClick(session.buttons["Sign…"], Qt.MouseButton.LeftButton)
    assert clinic.review.signature(first.id) is None
    assert "changed by Jo Rivera, RN at " in refusals[0] and "after you opened it" in refusals[0]
    assert refusals[0].startswith("Not signed. ") and "nothing was signed" in refusals[0]
    # The window read the record again: the correction shows, and signing it now works.
    assert session.sets[-1].values.systolic == 194
    qtbot.mouseClick(session.buttons["Sign…"], Qt.MouseButton.LeftButton)
    assert refusals[1:] == ["signed"]
    assert clinic.review.signature(first.id).signer == "dr.patel"
    session.close()


def test_a_set_from_elsewhere_shown_by_the_live_refresh_is_what_gets_signed(
    clinic, clock, db_url, make_window, qtbot, monkeypatch
):
    first, _other = _two_finished_sessions(clinic, clock)
    window = make_window(clinic, DOC)
    session = window.controller.open_session(first.id, review=True)
    nurse_station = open_clinic(db_url, clock)
    newest = clinic.vitals.for_session(first.id)[-1]
    nurse_station.vitals.correct(NURSE, newest.id, replace(newest.values, systolic=194), "Misread")
    nurse_station.db.engine.dispose()
    session.refresh_vitals()  # what a vitals-only change from another workstation brings
    assert session.sets[-1].values.systolic == 194  # shown here
    said = sign_typing_the_password(qtbot, monkeypatch)
    qtbot.mouseClick(session.buttons["Sign…"], Qt.MouseButton.LeftButton)
    assert said == ["signed"]  # what the physician sees is what is signed, first time
    session.close()
