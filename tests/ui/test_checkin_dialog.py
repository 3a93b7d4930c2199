"""Registration at the chair: refused fields say why, at the field; nothing typed is lost."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from ketamon.ui.app import application
from ketamon.ui.dialogs.checkin import CheckInDialog, CheckInHandlers
from tests.conftest import NURSE, draft, open_clinic
from tests.reports.conftest import discharged_session
from tests.ui.conftest import tile_of


def _check_in(clinic, chair_id, pid, minutes, escort):
    snapshot = clinic.sessions.check_in(NURSE, chair_id, pid, minutes)
    if escort is not None:
        clinic.discharge.save_escort_plan(NURSE, snapshot.id, escort)
    return snapshot


def make_dialog(qtbot, clinic, chair_id):
    application()
    handlers = CheckInHandlers(
        search=clinic.patients.search,
        register=lambda d: clinic.patients.register(NURSE, d),
        check_in=lambda pid, minutes, escort: _check_in(clinic, chair_id, pid, minutes, escort),
    )
    dialog = CheckInDialog(None, "Chair 1", handlers, clinic.settings.get())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def type_fields(qtbot, dialog, **values):
    dialog.tabs.setCurrentIndex(1)
    for key, text in values.items():
        dialog.fields[key].clear()
        qtbot.keyClicks(dialog.fields[key], text)


def test_bad_fields_are_refused_at_the_field_and_nothing_typed_is_lost(qtbot, clinic):
    chair = clinic.chairs.all()[0]
    dialog = make_dialog(qtbot, clinic, chair.id)
    type_fields(
        qtbot,
        dialog,
        mrn="",
        full_name="Sam Patel",
        date_of_birth="2099-01-01",
        weight_kg="500",
        allergies="Latex",
    )
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)

    assert dialog.result() != CheckInDialog.DialogCode.Accepted
    assert dialog.errors["mrn"].text() == "MRN is required"
    assert dialog.errors["date_of_birth"].text() == "Date of birth cannot be in the future"
    assert dialog.errors["weight_kg"].text() == "Weight must be 20–350 kg"
    assert dialog.errors["weight_kg"].isVisible()
    assert dialog.fields["full_name"].text() == "Sam Patel"
    assert dialog.fields["weight_kg"].text() == "500"
    assert dialog.fields["allergies"].text() == "Latex"
    assert clinic.patients.search("Patel") == []

    type_fields(qtbot, dialog, mrn="KM-777", date_of_birth="1990-02-03", weight_kg="81.2")
    assert not dialog.errors["mrn"].isVisible()  # cleared as soon as the nurse edits
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == CheckInDialog.DialogCode.Accepted
    [patient] = clinic.patients.search("Patel")
    assert (patient.mrn, patient.weight_kg, patient.allergies) == ("KM-777", 81.2, "Latex")
    assert clinic.board.get().sessions[chair.id].patient_id == patient.id


def test_unparseable_date_and_duplicate_mrn(qtbot, clinic):
    clinic.patients.register(NURSE, draft(mrn="KM-1"))
    dialog = make_dialog(qtbot, clinic, clinic.chairs.all()[0].id)
    type_fields(
        qtbot, dialog, mrn="km-1", full_name="X Y", date_of_birth="12/31/1980", weight_kg="70"
    )
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
    assert "YYYY-MM-DD" in dialog.errors["date_of_birth"].text()
    type_fields(qtbot, dialog, date_of_birth="1980-12-31")
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
    assert "was just registered for" in dialog.errors["mrn"].text()
    assert dialog.result() != CheckInDialog.DialogCode.Accepted


def test_search_by_name_or_mrn_and_check_in_existing_patient(qtbot, clinic):
    clinic.patients.register(NURSE, draft(mrn="KM-42", name="Olivia Brandt"))
    clinic.patients.register(NURSE, draft(mrn="KM-43", name="Omar Said"))
    chair = clinic.chairs.all()[2]
    dialog = make_dialog(qtbot, clinic, chair.id)
    qtbot.keyClicks(dialog.search_edit, "brandt")
    assert dialog.results.count() == 1
    dialog.search_edit.clear()
    qtbot.keyClicks(dialog.search_edit, "KM-43")
    assert dialog.results.count() == 1
    assert "Omar Said" in dialog.results.item(0).text()
    dialog.target.setCurrentIndex(dialog.target.findData(None))
    dialog.custom.setValue(75)
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
    session = clinic.board.get().sessions[chair.id]
    assert (session.patient_name, session.target_minutes) == ("Omar Said", 75)


def test_patient_already_in_another_chair_is_refused_in_the_dialog(qtbot, clinic):
    patient = clinic.patients.register(NURSE, draft(mrn="KM-9", name="Ivy Chen"))
    chairs = clinic.chairs.all()
    clinic.sessions.check_in(NURSE, chairs[0].id, patient.id, 40)
    dialog = make_dialog(qtbot, clinic, chairs[1].id)
    qtbot.keyClicks(dialog.search_edit, "Ivy")
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
    assert dialog.general_error.text().startswith(
        "Ivy Chen was just checked in at Chair 1 (by Jo Rivera, RN at "
    )
    assert dialog.result() != CheckInDialog.DialogCode.Accepted


def test_read_only_database_names_the_file_and_keeps_the_form(qtbot, clinic, clock, tmp_path):
    path = Path(clinic.location)
    ro = open_clinic(f"sqlite:///file:{path}?mode=ro&uri=true", clock)
    try:
        dialog = make_dialog(qtbot, ro, ro.chairs.all()[0].id)
        type_fields(
            qtbot,
            dialog,
            mrn="KM-5",
            full_name="Noor Aziz",
            date_of_birth="1970-01-01",
            weight_kg="60",
        )
        qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
        assert dialog.result() != CheckInDialog.DialogCode.Accepted
        assert str(path) in dialog.general_error.text()
        assert "read-only" in dialog.general_error.text()
        assert dialog.fields["full_name"].text() == "Noor Aziz"
    finally:
        ro.close()


def test_the_escort_plan_is_checked_at_check_in_and_prefills_discharge(qtbot, clinic):
    patient = clinic.patients.register(NURSE, draft("KM-1", "Ada Lovelace"))
    dialog = make_dialog(qtbot, clinic, clinic.chairs.all()[0].id)
    qtbot.keyClicks(dialog.search_edit, "KM-1")
    fields = dialog.escort_fields
    qtbot.keyClicks(fields["escort_name"], "Sam Ode")
    qtbot.keyClicks(fields["escort_relationship"], "Partner")
    qtbot.keyClicks(fields["escort_phone"], "555")
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != CheckInDialog.DialogCode.Accepted
    assert "not a valid phone number" in dialog.escort_errors["escort_phone"].text()
    assert clinic.board.get().sessions == {}  # nothing checked in with a bad plan

    fields["escort_phone"].clear()
    qtbot.keyClicks(fields["escort_phone"], "212 555 0143")
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == CheckInDialog.DialogCode.Accepted
    session = next(iter(clinic.board.get().sessions.values()))
    assert session.patient_id == patient.id
    escort = clinic.discharge.state(session.id).answers.escort
    assert (escort.name, escort.relationship, escort.phone) == (
        "Sam Ode",
        "Partner",
        "+1 212-555-0143",
    )


def test_the_check_in_says_which_infusion_it_opens_and_the_phq9_so_far(
    clinic, clock, make_window, qtbot, monkeypatch
):
    """Issue 17: "Infusion 2 of 6 · PHQ-9 19 → 19" under the highlighted match, before
    Enter; then the tile says the same infusion."""

    patient = clinic.patients.register(NURSE, draft("KM-30001", "Rosa Rossi"))
    discharged_session(clinic, clock, sets=6, phq9=[3, 3, 2, 2, 2, 2, 2, 3, 0], patient=patient)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    seen = []

    def ask(cls, parent, chair_name, handlers, settings):
        dialog = CheckInDialog(parent, chair_name, handlers, settings)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
        qtbot.keyClicks(dialog.search_edit, "ross")
        seen.append(dialog.chosen.text())
        qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
        return dialog.result() == CheckInDialog.DialogCode.Accepted

    monkeypatch.setattr(CheckInDialog, "ask", classmethod(ask))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    qtbot.keyClick(tile, Qt.Key.Key_C)
    assert len(seen) == 1
    assert "Rosa Rossi" in seen[0]
    assert "<b>Infusion 2 of 6 · PHQ-9 19 → 19</b>" in seen[0]
    assert tile.phase_label.text() == "CHECKED IN"
    assert tile.course_label.text() == "Infusion 2 of 6"


def test_an_unreachable_server_is_said_in_the_dialog_and_the_band_not_a_message_box(
    qtbot, clinic, monkeypatch
):
    """Issue 15: the band across the board already says the server is down (and retries);
    the dialog says it on its line, keeps the form, and opens no message box on top."""
    from ketamon.domain.errors import CONNECTION_REFUSED, StorageError
    from ketamon.ui.dialogs import checkin

    boxes = []
    monkeypatch.setattr(checkin, "show_message", lambda *a, **k: boxes.append(a))
    application()
    down = StorageError("db.example:5432/ketamon", CONNECTION_REFUSED)

    def refuse(*_args):
        raise down

    handlers = CheckInHandlers(search=clinic.patients.search, register=refuse, check_in=refuse)
    dialog = CheckInDialog(None, "Chair 1", handlers, clinic.settings.get())
    qtbot.addWidget(dialog)
    dialog.show()
    type_fields(
        qtbot, dialog, mrn="KM-6", full_name="Ana Down", date_of_birth="1970-01-01", weight_kg="60"
    )
    qtbot.keyClick(dialog.fields["weight_kg"], Qt.Key.Key_Return)
    assert "db.example:5432/ketamon" in dialog.general_error.text()
    assert "Nothing was lost" in dialog.general_error.text()
    assert dialog.fields["full_name"].text() == "Ana Down" and dialog.isVisible()
    assert boxes == []


def test_a_long_refusal_under_a_field_reads_whole_in_the_tab(qtbot, clinic):
    """A refusal that wraps to several lines was cut to about one line in the New patient
    tab (its form sits in a tab page, which did not pass the label's height on): each
    error label now gets the height its text needs at its width, and the dialog grows."""
    dialog = make_dialog(qtbot, clinic, clinic.chairs.all()[0].id)
    dialog.resize(1040, dialog.height())
    type_fields(qtbot, dialog, mrn="KM-1", full_name="Sam Patel", date_of_birth="1980-01-01")
    qtbot.waitExposed(dialog)
    long = "Weight: " + "the number typed is not a weight in kilograms; " * 5
    dialog.errors.show("weight_kg", long)
    qtbot.waitUntil(lambda: dialog.errors["weight_kg"].isVisible())
    qtbot.wait(50)  # the layout settles
    label = dialog.errors["weight_kg"]
    needed = label.heightForWidth(label.width())
    assert needed > 2 * label.fontMetrics().lineSpacing()  # it does wrap
    assert label.height() >= needed
    assert not label.geometry().intersects(dialog.fields["allergies"].geometry())
    dialog.errors.clear_field("weight_kg")
    assert label.minimumHeight() == 0


def test_the_patient_typed_as_their_own_escort_is_refused_before_the_check_in(qtbot, clinic):
    """The service refuses the patient as escort; the dialog asks the same before it checks
    in, so a refused escort never leaves a checked-in session behind the open form."""
    clinic.patients.register(NURSE, draft("KM-1", "Ada Lovelace"))
    dialog = make_dialog(qtbot, clinic, clinic.chairs.all()[0].id)
    qtbot.keyClicks(dialog.search_edit, "KM-1")
    fields = dialog.escort_fields
    qtbot.keyClicks(fields["escort_name"], "ada lovelace")
    qtbot.keyClicks(fields["escort_relationship"], "Partner")
    qtbot.keyClicks(fields["escort_phone"], "212 555 0143")
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != CheckInDialog.DialogCode.Accepted
    assert "The escort is the patient" in dialog.escort_errors["escort_name"].text()
    assert clinic.board.get().sessions == {}
    fields["escort_name"].clear()
    qtbot.keyClicks(fields["escort_name"], "Sam Ode")
    qtbot.mouseClick(dialog.check_in_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == CheckInDialog.DialogCode.Accepted
