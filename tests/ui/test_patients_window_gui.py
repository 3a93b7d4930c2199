"""The Patients window typed like a nurse, over the real service: the name typed, Enter
opens the highlighted patient's course (allergies, place in the course and response, the
trend, every session newest first), Enter on a session opens it read-only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt

from ketamon.domain.instruments import Instrument
from ketamon.ui.app import application
from ketamon.ui.patients_window import PatientsHandlers, PatientsWindow
from tests.conftest import NURSE, draft
from tests.reports.conftest import discharged_session


@pytest.fixture
def course(clinic, clock):
    clinic.settings.update(NURSE, initial_course_length=3)
    patient = clinic.patients.register(NURSE, draft("MRN-R1", "Rosa Rossi", allergies="Latex"))
    clinic.patients.register(NURSE, draft("MRN-H1", "Hiroshi Chen"))
    for answers in ([3, 3, 2, 2, 2, 2, 2, 3, 0], [1, 1, 1, 1, 1, 1, 1, 2, 0]):
        discharged_session(clinic, clock, sets=16, phq9=answers, patient=patient)
        clock.advance(hours=48)
    return patient


def test_find_a_patient_and_read_the_course(qtbot, clinic, course) -> None:
    application()
    opened: list[int] = []
    handlers = PatientsHandlers(clinic.patients.search, clinic.courses.chart, opened.append)
    window = PatientsWindow(None, handlers)
    qtbot.addWidget(window)
    window.show()
    assert not window.course_chart.isVisible()  # no empty axes before a patient is open
    qtbot.keyClicks(window.search, "Rossi")
    assert window.results.count() == 1
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.course_chart.isVisible()
    key = window.course_chart.scores.getPlotItem().titleLabel.text
    assert "baseline 19" in key and "response (−50 %) 9.5" in key and "GAD-7" in key
    scores_box = window.course_chart.scores.getPlotItem().getViewBox()
    assert window.course_chart.scores.getPlotItem().titleLabel.sceneBoundingRect().bottom() <= (
        scores_box.sceneBoundingRect().top() + 1
    )  # the key above the points, not on them (it once lay over the baseline)
    newest = max(window.course_chart.phq9.getData()[0])
    newest_x = scores_box.mapViewToScene(QPointF(newest, 0)).x()
    names_x = min(label.sceneBoundingRect().left() for label in window.course_chart.band_labels)
    assert newest_x + 10 < names_x  # the band names in a column of their own, past the points
    assert "Rosa Rossi" in window.heading.text() and "MRN-R1" in window.heading.text()
    assert window.allergies.text() == "ALLERGIES: Latex"
    assert window.allergies.property("grade") == "red"
    assert window.place.text() == "Initial series (2 of 3 given)  ·  PHQ-9 19 → 9 (−53%): response"
    assert window.table.rowCount() == 2
    assert window.table.item(0, 7).text() == "9" and window.table.item(1, 7).text() == "19"
    assert window.table.item(0, 6).text() == "Nausea (moderate)"
    xs, ys = window.course_chart.phq9.getData()
    assert list(ys) == [19, 9]
    assert (
        window.course_chart.baseline.value() == 19 and window.course_chart.response.value() == 9.5
    )
    window.table.setFocus()
    window.table.selectRow(1)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    first = clinic.courses.chart(course.id).sessions[0].session_id
    assert opened == [first]
    assert [total for _t, total in clinic.courses.chart(course.id).trend(Instrument.PHQ9)] == [
        19,
        9,
    ]
