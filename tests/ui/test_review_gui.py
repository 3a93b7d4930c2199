"""A physician filters the review list down to one session, signs it (username and password
the first time; a wrong password signs nothing), and adds an addendum. A nurse has no
Review action."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ketamon.domain.actors import Actor
from ketamon.ui.review.dialogs import AddendumDialog, SignDialog
from tests.conftest import NURSE, PASSWORD, add_user, draft, open_clinic
from tests.reports.conftest import discharged_session
from tests.ui.conftest import toolbar_button, toolbar_shows

DOC = Actor("dr.patel", "Priya Patel, MD")


def _two_finished_sessions(clinic, clock):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    first = discharged_session(clinic, clock, sets=6)  # Maria Gonzalez, KM-20001
    clock.advance(hours=1)
    patient = clinic.patients.register(NURSE, draft("KM-30002", "Alan Turing"))
    other = clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40)
    clinic.sessions.cancel(NURSE, other.id, "Unwell before dosing")
    return first, other


def _show(qtbot, dialog) -> None:
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)


def sign_typing_the_password(qtbot, monkeypatch) -> list[str]:
    """Every sign dialog from now on: username (the first time) and password typed, Enter;
    a refusal is read off the dialog and Esc closes it. Returns what each attempt said
    (the refusal, or "signed")."""
    said: list[str] = []

    def sign(cls, parent, title, meanings, need_username, call):
        dialog = SignDialog(parent, title, meanings, need_username, call)
        qtbot.addWidget(dialog)
        _show(qtbot, dialog)
        if need_username:
            qtbot.keyClicks(dialog.username, "dr.patel")
        qtbot.keyClicks(dialog.password, PASSWORD)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        said.append(dialog.error.text() if dialog.signature is None else "signed")
        if dialog.signature is None:
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        return dialog.signature

    monkeypatch.setattr(SignDialog, "ask", classmethod(sign))
    return said


def read_in_its_window(qtbot, review) -> None:
    """Enter on the chosen row opens the session read-only; the physician reads it and
    closes it (Esc)."""
    from ketamon.ui.session_window import open_windows

    review.table.setFocus()
    qtbot.keyClick(review.table, Qt.Key.Key_Return)
    [session_window] = open_windows()
    assert session_window.session_id == review.current.session_id
    qtbot.keyClick(session_window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not open_windows(), timeout=2000)


def test_physician_filters_signs_and_adds_an_addendum(
    clinic, clock, make_window, qtbot, monkeypatch
):
    first, _other = _two_finished_sessions(clinic, clock)
    window = make_window(clinic, DOC)
    assert toolbar_shows(window, window.review_action)
    assert window.review_action.text() == "Review (2)"
    qtbot.mouseClick(toolbar_button(window, window.review_action), Qt.MouseButton.LeftButton)
    review = window.controller.review_window
    assert review.awaiting.text() == "Awaiting review: 2"
    assert review.model.rowCount() == 2

    review.patient.setFocus()
    qtbot.keyClicks(review.patient, "KM-20001")
    assert review.model.rowCount() == 1
    assert review.model.row_at(0).session_id == first.id
    assert review.matches.text() == "1 sessions match"
    # One time rule (issue 16): local time on screen, always with its zone.
    checked_in = first.times.checked_in_at.astimezone()
    assert review.model.index(0, 0).data() == f"{checked_in:%Y-%m-%d %H:%M %Z}"
    assert checked_in.strftime("%Z") in review.model.index(0, 0).data()
    assert "Not yet reviewed." in review.detail.text()
    # Never opened: nothing read, nothing to sign from the list.
    assert "Open the session (Enter) to read the record" in review.detail.text()
    assert not review.sign_button.isEnabled()
    assert review.sign_selected() is None
    read_in_its_window(qtbot, review)
    assert review.sign_button.isEnabled()

    attempts = []

    def sign(cls, parent, title, meanings, need_username, call):
        dialog = SignDialog(parent, title, meanings, need_username, call)
        qtbot.addWidget(dialog)
        _show(qtbot, dialog)
        assert dialog.username.isVisible() == need_username
        if need_username:
            qtbot.keyClicks(dialog.username, "dr.patel")
        qtbot.keyClicks(dialog.password, "not the password")
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        attempts.append(dialog.error.text())
        assert dialog.signature is None  # nothing signed
        dialog.meaning.setCurrentIndex(dialog.meaning.findText("Reviewed and approved"))
        qtbot.keyClicks(dialog.password, PASSWORD)
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        return dialog.signature

    monkeypatch.setattr(SignDialog, "ask", classmethod(sign))
    qtbot.mouseClick(review.sign_button, Qt.MouseButton.LeftButton)
    assert attempts[0].startswith("Not signed. Wrong username or password")
    assert clinic.review.signature(first.id).meaning == "Reviewed and approved"
    assert "Electronically signed by Priya Patel, MD — Reviewed and approved — " in (
        review.detail.text()
    )
    assert review.awaiting.text() == "Awaiting review: 1"
    assert window.review_action.text() == "Review (1)"
    assert not review.sign_button.isEnabled()
    assert window.controller.signed_since_sign_in  # the next signing asks the password only

    def add(cls, parent, title, call):
        dialog = AddendumDialog(parent, title, call)
        qtbot.addWidget(dialog)
        _show(qtbot, dialog)
        qtbot.keyClicks(dialog.text, "Patient phoned: home safely")
        qtbot.keyClicks(dialog.reason, "Follow-up call")
        qtbot.keyClicks(dialog.password, "not the password")
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        assert dialog.addendum is None  # a wrong password adds (and signs) nothing
        assert dialog.error.text().startswith("Not added. Wrong username or password")
        qtbot.keyClicks(dialog.password, PASSWORD)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        return dialog.addendum

    monkeypatch.setattr(AddendumDialog, "ask", classmethod(add))
    qtbot.mouseClick(review.addendum_button, Qt.MouseButton.LeftButton)
    assert "Addendum after signing" in review.detail.text()
    assert "Patient phoned: home safely" in review.detail.text()
    assert "Digital signature verified with the signer's key" in review.detail.text()
    assert "INVALID" not in review.detail.text()
    assert clinic.review.addenda(first.id)[0].valid
    review.close()


def test_a_nurse_has_no_review_action(clinic, clock, make_window):
    _two_finished_sessions(clinic, clock)
    window = make_window(clinic, NURSE)
    assert not toolbar_shows(window, window.review_action)


def test_the_course_shows_beside_the_session_under_review(clinic, clock, make_window, qtbot):
    """Issue 17: the physician reads the session with the patient's course beside it."""
    from tests.reports.conftest import discharged_session

    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    patient = clinic.patients.register(NURSE, draft("KM-50001", "Vera Trend"))
    phq9 = [3, 3, 2, 2, 2, 2, 2, 3, 0]  # 19
    s = discharged_session(clinic, clock, sets=6, phq9=phq9, patient=patient)
    window = make_window(clinic, DOC)
    qtbot.mouseClick(toolbar_button(window, window.review_action), Qt.MouseButton.LeftButton)
    review = window.controller.review_window
    assert review.model.row_at(0).session_id == s.id
    assert review.model.row_at(0).patient_id == patient.id
    assert review.course_box.isVisible()
    assert "PHQ-9 19 → 19" in review.course_line.text()
    xs, ys = review.course_chart.phq9.getData()
    assert list(ys) == [19]
    review.close()


def test_signing_from_the_list_a_record_changed_since_it_was_read_is_refused(
    clinic, clock, db_url, make_window, qtbot, monkeypatch
):
    first, _other = _two_finished_sessions(clinic, clock)
    window = make_window(clinic, DOC)
    qtbot.mouseClick(toolbar_button(window, window.review_action), Qt.MouseButton.LeftButton)
    review = window.controller.review_window
    review.patient.setFocus()
    qtbot.keyClicks(review.patient, "KM-20001")
    assert review.model.row_at(0).session_id == first.id
    read_in_its_window(qtbot, review)
    # Read in its window; then a nurse voids a set on another workstation.
    nurse_station = open_clinic(db_url, clock)
    newest = clinic.vitals.for_session(first.id)[-1]
    nurse_station.vitals.void(NURSE, newest.id, "Wrong patient's monitor")
    nurse_station.db.engine.dispose()
    said = sign_typing_the_password(qtbot, monkeypatch)
    qtbot.mouseClick(review.sign_button, Qt.MouseButton.LeftButton)
    assert "changed by Jo Rivera, RN at " in said[0] and "after you opened it" in said[0]
    assert clinic.review.signature(first.id) is None
    assert review.current is not None and review.current.session_id == first.id  # re-read
    # What was read is out of date: it is read again before it can be signed.
    assert not review.sign_button.isEnabled()
    assert "Open the session (Enter) to read the record" in review.detail.text()
    read_in_its_window(qtbot, review)
    qtbot.mouseClick(review.sign_button, Qt.MouseButton.LeftButton)
    assert said[1] == "signed" and clinic.review.signature(first.id).valid
