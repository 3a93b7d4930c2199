"""Check-in by keyboard: Enter checks in the highlighted match (search tab), or submits the
registration and runs its validation (new-patient tab), naming the field and keeping
everything typed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ketamon.ui.dialogs.checkin import CheckInDialog
from tests.conftest import NURSE, draft
from tests.ui.test_checkin_dialog import make_dialog


def test_check_in_is_the_default_button_on_both_tabs(qtbot, clinic):
    dialog = make_dialog(qtbot, clinic, clinic.chairs.all()[0].id)
    assert dialog.check_in_button.isDefault()
    dialog.tabs.setCurrentIndex(1)
    dialog.fields["full_name"].setFocus()
    assert dialog.check_in_button.isDefault()


def test_type_arrow_enter_checks_in_the_highlighted_match(qtbot, clinic):
    for mrn, name in (("KM-1", "Hiroshi Chen"), ("KM-2", "Maria Rossi"), ("KM-3", "Luca Rossi")):
        clinic.patients.register(NURSE, draft(mrn, name))
    chair = clinic.chairs.all()[1]
    dialog = make_dialog(qtbot, clinic, chair.id)
    qtbot.keyClicks(dialog.search_edit, "ros")
    assert "Luca Rossi" in dialog.results.currentItem().text()  # the best match first
    assert "Hiroshi Chen" in dialog.results.item(2).text()
    assert dialog.focusWidget() is dialog.search_edit
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Down)  # the focus stays in the field
    assert dialog.focusWidget() is dialog.search_edit
    assert "Maria Rossi" in dialog.results.currentItem().text()
    assert "Maria Rossi" in dialog.chosen.text()
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    assert dialog.result() == CheckInDialog.DialogCode.Accepted
    assert clinic.board.get().sessions[chair.id].patient_name == "Maria Rossi"


def test_enter_in_the_list_checks_in_the_highlighted_match(qtbot, clinic):
    clinic.patients.register(NURSE, draft("KM-1", "Olivia Brandt"))
    chair = clinic.chairs.all()[0]
    dialog = make_dialog(qtbot, clinic, chair.id)
    qtbot.keyClicks(dialog.search_edit, "brandt")
    dialog.results.setFocus()
    qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    assert dialog.result() == CheckInDialog.DialogCode.Accepted
    assert clinic.board.get().sessions[chair.id].patient_name == "Olivia Brandt"


def test_enter_with_no_match_names_the_problem_and_keeps_the_search(qtbot, clinic):
    dialog = make_dialog(qtbot, clinic, clinic.chairs.all()[0].id)
    qtbot.keyClicks(dialog.search_edit, "nobody")
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != CheckInDialog.DialogCode.Accepted
    assert dialog.errors.text("patient") == "Choose a patient from the list, or register a new one"
    assert dialog.search_edit.text() == "nobody"


def test_enter_on_the_new_patient_tab_validates_then_registers_and_checks_in(qtbot, clinic):
    chair = clinic.chairs.all()[0]
    dialog = make_dialog(qtbot, clinic, chair.id)
    dialog.tabs.setCurrentIndex(1)
    for key, text in (
        ("mrn", "KM-700"),
        ("full_name", "Sam Patel"),
        ("date_of_birth", "1990-02-03"),
        ("weight_kg", "900"),
    ):
        dialog.fields[key].setFocus()
        qtbot.keyClicks(dialog.fields[key], text)
    qtbot.keyClick(dialog.fields["weight_kg"], Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != CheckInDialog.DialogCode.Accepted
    assert dialog.errors.text("weight_kg") == "Weight must be 20–350 kg"
    assert dialog.fields["full_name"].text() == "Sam Patel"  # nothing typed is lost
    assert dialog.fields["weight_kg"].text() == "900"
    assert clinic.patients.search("Patel") == []

    dialog.fields["weight_kg"].selectAll()
    qtbot.keyClicks(dialog.fields["weight_kg"], "81")
    qtbot.keyClick(dialog.fields["weight_kg"], Qt.Key.Key_Return)
    assert dialog.result() == CheckInDialog.DialogCode.Accepted
    assert clinic.board.get().sessions[chair.id].patient_name == "Sam Patel"
