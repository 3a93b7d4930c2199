"""From a patient's page (issue 17): the physician changes the course plan with a reason,
a nurse closes the course with why it ended, and a follow-up questionnaire is recorded at a
visit without an infusion. Each through the real window, controller and services, by
keyboard; each is on the audit trail with its reason."""

from __future__ import annotations

import pypdf
from PySide6.QtCore import Qt

from ketamon.domain.actors import Actor
from ketamon.domain.courses import CourseEnd, PatientPlan
from ketamon.ui import controller
from ketamon.ui.dialogs.course_plan import CloseCourseDialog, PlanDialog
from ketamon.ui.dialogs.questionnaire import QuestionnaireDialog
from ketamon.ui.file_dialogs import SaveFileDialog
from tests.conftest import NURSE, PASSWORD, add_user, draft
from tests.reports.conftest import discharged_session
from tests.ui.conftest import toolbar_button

DOC = Actor("dr.patel", "Priya Patel, MD")
PHQ9_19 = [3, 3, 2, 2, 2, 2, 2, 3, 0]


def _shown(qtbot, dialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)


def _page(qtbot, window, name: str):
    qtbot.mouseClick(toolbar_button(window, window.patients_action), Qt.MouseButton.LeftButton)
    patients = window.controller.patients_window
    qtbot.keyClicks(patients.search, name)
    qtbot.keyClick(patients.search, Qt.Key.Key_Return)
    return patients


def _patient_with_a_session(clinic, clock):
    patient = clinic.patients.register(NURSE, draft("KM-40001", "Nadia Course"))
    discharged_session(clinic, clock, sets=6, phq9=PHQ9_19, patient=patient)
    return patient


def test_the_physician_changes_the_plan_with_a_reason(
    clinic, clock, make_window, qtbot, monkeypatch
):
    patient = _patient_with_a_session(clinic, clock)
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    window = make_window(clinic, DOC)
    patients = _page(qtbot, window, "Nadia")
    button = patients.course_buttons["Course plan…"]
    assert button.isVisible() and button.isEnabled()
    errors = []

    def ask(cls, parent, *args):
        dialog = PlanDialog(parent, *args)
        _shown(qtbot, dialog)
        dialog.series_clinic.setChecked(False)
        dialog.series.setValue(8)
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # no reason yet: refused
        errors.append(dialog.reason_error.text())
        assert dialog.isVisible()
        qtbot.keyClicks(dialog.reason, "Partial response at 6: two more")
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
        return dialog.answer()

    monkeypatch.setattr(PlanDialog, "ask", classmethod(ask))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert errors == ["A reason is required to change the plan"]
    chart = clinic.courses.chart(patient.id)
    assert chart.plan == PatientPlan(8, None)
    assert "series of 8" in button.toolTip()  # the page reloaded


def test_a_nurse_is_not_offered_the_plan_but_closes_the_course(
    clinic, clock, make_window, qtbot, monkeypatch
):
    patient = _patient_with_a_session(clinic, clock)
    window = make_window(clinic, NURSE)
    patients = _page(qtbot, window, "Nadia")
    assert not patients.course_buttons["Course plan…"].isVisible()  # the physician's
    close = patients.course_buttons["Close course…"]
    assert close.isEnabled()

    def ask(cls, parent, *args):
        dialog = CloseCourseDialog(parent, *args)
        _shown(qtbot, dialog)
        dialog.end.setCurrentIndex(dialog.end.findData(CourseEnd.PATIENT_STOPPED))
        dialog.reason.setFocus()
        qtbot.keyClicks(dialog.reason, "Moving abroad")
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
        return dialog.answer()

    monkeypatch.setattr(CloseCourseDialog, "ask", classmethod(ask))
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    (course,) = clinic.courses.chart(patient.id).courses
    assert course.end is CourseEnd.PATIENT_STOPPED and course.end_reason == "Moving abroad"
    assert not close.isEnabled()  # nothing open to close now
    assert "stopped by the patient" in patients.place.text().lower()


def test_a_follow_up_questionnaire_at_a_visit_without_an_infusion(
    clinic, clock, make_window, qtbot, monkeypatch
):
    patient = _patient_with_a_session(clinic, clock)
    clinic.settings.update(NURSE, outcome_instruments=("PHQ-9",))
    window = make_window(clinic, NURSE)
    patients = _page(qtbot, window, "Nadia")

    def ask(cls, parent, instrument, name, submit):
        dialog = QuestionnaireDialog(parent, instrument, name, submit)
        _shown(qtbot, dialog)
        qtbot.keyClicks(dialog.quick, "111111110")
        qtbot.keyClick(dialog.quick, Qt.Key.Key_Return)
        return dialog.answer()

    monkeypatch.setattr(QuestionnaireDialog, "ask", classmethod(ask))
    clock.advance(days=3)
    qtbot.mouseClick(
        patients.course_buttons["Follow-up questionnaires…"], Qt.MouseButton.LeftButton
    )
    visits = [r for r in clinic.outcomes.for_patient(patient.id) if r.session_id is None]
    assert [(r.score.total, r.entered_by) for r in visits] == [(8, "Jo Rivera, RN")]
    assert "PHQ-9 19 → 8" in patients.place.text()  # the page reloaded with the new score


def test_patient_details_are_corrected_from_the_page_with_a_reason(
    clinic, clock, make_window, qtbot, monkeypatch
):
    """Issue 17: the page's demographics and allergies are editable with a reason, by the
    same form (and the same use case) as the session window's."""
    from ketamon.ui.dialogs.patient_form import EditPatientDialog

    patient = _patient_with_a_session(clinic, clock)
    window = make_window(clinic, NURSE)
    patients = _page(qtbot, window, "Nadia")

    def ask(cls, parent, patient, save, reload=None):
        dialog = cls(parent, patient, save, reload)
        _shown(qtbot, dialog)
        allergies = dialog.form.fields["allergies"]
        allergies.setFocus()
        qtbot.keyClicks(allergies, "Latex")
        qtbot.keyClicks(dialog.reason.lineEdit(), "Patient remembered at check-in")
        qtbot.keyClick(dialog.reason.lineEdit(), Qt.Key.Key_Return)
        return dialog.saved

    monkeypatch.setattr(EditPatientDialog, "ask", classmethod(ask))
    qtbot.mouseClick(patients.course_buttons["Edit patient details…"], Qt.MouseButton.LeftButton)
    assert clinic.patients.get(patient.id).allergies == "Latex"
    assert "Latex" in patients.allergies.text()  # the page reloaded


def test_the_course_report_is_saved_as_a_pdf_from_the_patients_page(
    clinic, clock, make_window, qtbot, monkeypatch, tmp_path
):
    """The same report as `ketamon course-report MRN --pdf FILE`, for the referring
    clinician, from the page the nurse or physician is reading."""
    _patient_with_a_session(clinic, clock)
    window = make_window(clinic, NURSE)
    patients = _page(qtbot, window, "Nadia")
    button = patients.course_buttons["Course report (PDF)…"]
    assert button.isVisible() and button.isEnabled()
    target = tmp_path / "nadia.pdf"
    asked = []

    def ask(cls, parent, title, suggested, name_filter, suffix):
        asked.append((title, suggested.name))
        return target

    said = []
    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(ask))
    monkeypatch.setattr(controller, "show_message", lambda *a, **k: said.append(a[2]))
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert asked == [("Save the course report as PDF", "course-report-KM-40001.pdf")]
    [words] = said
    assert words.startswith(f"Saved {target} (") and words.endswith(("1 page)", " pages)"))
    text = " ".join(pypdf.PdfReader(target).pages[0].extract_text().split())
    assert "course report" in text and "Nadia Course" in text and "KM-40001" in text
    assert "PHQ-9 19" in text
