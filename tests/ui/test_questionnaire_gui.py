"""The questionnaire dialog typed like a nurse: nine keys and Enter store a PHQ-9 (real
service, real database); the choices and the keys follow each other; a wrong key is named
under the answers; a positive item 9 says a clinician must review it before the infusion;
Esc stores nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ketamon.domain.instruments import Instrument
from ketamon.domain.outcomes import Decision
from ketamon.ui.actions.outcomes import Outcomes
from ketamon.ui.app import application
from ketamon.ui.dialogs.item9_review import Item9ReviewDialog
from ketamon.ui.dialogs.questionnaire import QUICK, QuestionnaireDialog
from tests.conftest import NURSE, baseline, draft, plan_dose, plan_escort


@pytest.fixture
def session_id(clinic, clock) -> int:
    patient = clinic.patients.register(NURSE, draft())
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id
    baseline(clinic, sid)
    plan_dose(clinic, sid)
    plan_escort(clinic, sid)
    return sid


def dialog_for(qtbot, clinic, session_id, instrument=Instrument.PHQ9):
    application()

    def submit(answers, self_completed):
        return clinic.outcomes.record(
            NURSE, session_id, instrument, answers, self_completed=self_completed
        )

    dialog = QuestionnaireDialog(None, instrument, "Ada Lovelace", submit)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_nine_keys_and_enter_store_a_phq9(qtbot, clinic, session_id) -> None:
    dialog = dialog_for(qtbot, clinic, session_id)
    assert dialog.focusWidget() is dialog.quick
    qtbot.keyClicks(dialog.quick, "321221110")
    assert dialog.answers() == [3, 2, 1, 2, 2, 1, 1, 1, 0]
    assert dialog.total.text() == "Total 13 of 27: moderate"
    assert dialog.alert.isHidden()
    qtbot.keyClick(dialog.quick, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    (stored,) = clinic.outcomes.for_session(session_id)
    assert stored.score.answers == (3, 2, 1, 2, 2, 1, 1, 1, 0) and not stored.self_completed


def test_the_choices_fill_the_keys_and_an_unanswered_item_is_named(
    qtbot, clinic, session_id
) -> None:
    dialog = dialog_for(qtbot, clinic, session_id, Instrument.GAD7)
    for index in range(6):
        dialog.groups[index].button(1).click()
    assert dialog.quick.text() == "111111"
    assert dialog.total.text() == "6 of 7 answered"
    qtbot.keyClick(dialog.quick, Qt.Key.Key_Return)
    assert dialog.isVisible()  # not stored: one answer is missing
    assert dialog.errors.text(QUICK) == "GAD-7 item 7 is not answered (1 of 7 missing)"
    qtbot.keyClicks(dialog.quick, "2")
    assert dialog.total.text() == "Total 8 of 21: mild"
    dialog.self_completed.setFocus()
    qtbot.keyClick(dialog.self_completed, Qt.Key.Key_Space)
    assert dialog.self_completed.isChecked()
    qtbot.keyClick(dialog.quick, Qt.Key.Key_Return)
    (stored,) = clinic.outcomes.for_session(session_id)
    assert stored.score.total == 8 and stored.self_completed


def test_a_key_outside_the_scale_is_named_and_nothing_typed_is_lost(
    qtbot, clinic, session_id
) -> None:
    dialog = dialog_for(qtbot, clinic, session_id)
    qtbot.keyClicks(dialog.quick, "3217")
    assert dialog.errors.text(QUICK) == "PHQ-9 item 4 must be 0–3; '7' typed"
    assert dialog.quick.text() == "3217"
    qtbot.keyClick(dialog.quick, Qt.Key.Key_Return)
    assert dialog.isVisible() and clinic.outcomes.for_session(session_id) == []
    assert "PHQ-9 item 4 must be 0–3; 7 is not an answer" in dialog.errors.text(QUICK)


def test_a_positive_item_9_is_impossible_to_miss_and_stops_the_start(
    qtbot, clinic, session_id
) -> None:
    dialog = dialog_for(qtbot, clinic, session_id)
    qtbot.keyClicks(dialog.quick, "111111112")
    assert dialog.alert.isVisible() and dialog.alert.text().startswith("⚠ PHQ-9 item 9 = 2")
    assert "before the infusion starts" in dialog.alert.text()
    assert dialog.rows[8].property("grade") == "red"
    qtbot.keyClick(dialog.quick, Qt.Key.Key_Return)
    assert "clinician review" in clinic.sessions.start_check(session_id).item9_stop
    # The use case the screens will call for the clinician's decision.
    (stored,) = clinic.outcomes.for_session(session_id)
    Outcomes(clinic, NURSE).review_item9(stored.id, Decision.PROCEED, "Passive; safety plan")
    assert clinic.sessions.start_check(session_id).item9_stop == ""  # the stop is lifted


def test_escape_stores_nothing(qtbot, clinic, session_id) -> None:
    dialog = dialog_for(qtbot, clinic, session_id)
    qtbot.keyClicks(dialog.quick, "000000000")
    qtbot.keyClick(dialog.quick, Qt.Key.Key_Escape)
    assert dialog.result() == dialog.DialogCode.Rejected
    assert clinic.outcomes.for_session(session_id) == []


def test_the_pain_rating_is_one_number(qtbot, clinic, session_id) -> None:
    dialog = dialog_for(qtbot, clinic, session_id, Instrument.PAIN)
    qtbot.keyClicks(dialog.quick, "10")
    assert dialog.total.text() == "Total 10 of 10: severe"
    qtbot.keyClick(dialog.quick, Qt.Key.Key_Return)
    assert clinic.outcomes.for_session(session_id)[0].score.answers == (10,)


# -- the clinician's review of a positive item 9 ---------------------------------------------
def review_dialog(qtbot, clinic, session_id, actor=NURSE):
    application()
    record = clinic.outcomes.record(NURSE, session_id, "PHQ-9", [1] * 8 + [2])

    def submit(decision, note, screen):
        return clinic.outcomes.review_item9(actor, record.id, decision, note, screen=screen)

    dialog = Item9ReviewDialog(None, record, "Ada Lovelace", submit)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_decision_needs_a_choice_and_a_note_then_lifts_the_stop(qtbot, clinic, session_id):
    dialog = review_dialog(qtbot, clinic, session_id)
    assert "PHQ-9 item 9 = 2" in dialog.findChild(QLabel).text()
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.errors.text("decision") == "Choose proceed, delay or escalate"
    dialog.decision.button(0).click()  # Proceed
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.errors.text("note") == "Decision note is required"
    qtbot.keyClicks(dialog.note, "Passive thoughts; safety plan reviewed")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.saved is not None and dialog.saved.review is not None
    assert clinic.sessions.start_check(session_id).item9_stop == ""  # the stop is lifted


def test_a_high_risk_screen_is_refused_to_a_nurse_under_the_decision_nothing_lost(
    qtbot, clinic, session_id
):
    dialog = review_dialog(qtbot, clinic, session_id)
    dialog.decision.button(0).click()
    qtbot.keyClicks(dialog.note, "Wants to go ahead")
    dialog.screened.click()
    assert dialog.screen_box.isVisible()
    assert not dialog.answers["plan"].isEnabled()  # question 5 only after a yes to 2
    dialog.answers["suicidal_thoughts"].click()
    dialog.answers["plan"].click()
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.errors.text("decision").startswith("The C-SSRS screen shows high risk")
    assert dialog.note.text() == "Wants to go ahead" and dialog.answers["plan"].isChecked()
    assert "clinician review" in clinic.sessions.start_check(session_id).item9_stop
    dialog.decision.button(2).click()  # escalate: a nurse may
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert "decided to escalate" in clinic.sessions.start_check(session_id).item9_stop


def test_escape_records_no_decision(qtbot, clinic, session_id):
    dialog = review_dialog(qtbot, clinic, session_id)
    dialog.decision.button(1).click()
    qtbot.keyClicks(dialog.note, "Later")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Escape)
    assert dialog.result() == dialog.DialogCode.Rejected
    assert clinic.outcomes.for_session(session_id)[0].review is None
