"""A scale 2 patient's session window and summary say "scale 2" where SpO2 is graded, and
grade SpO2 on scale 2 (89% on air normal, 97% on oxygen RED)."""

from __future__ import annotations

from datetime import UTC

from PySide6.QtCore import Qt

from ketamon.domain.vitals import VitalsDraft
from ketamon.reports.summary_html import build_html
from ketamon.ui.session_window import SessionWindow
from ketamon.ui.vitals_table import FLAGS, SPO2
from tests.conftest import NURSE, draft
from tests.services.test_spo2_scale2 import on_scale2

SET = dict(systolic=124, diastolic=78, heart_rate=72, resp_rate=14)


def scale2_session(clinic, clock, scale2=True):
    patient = clinic.patients.register(NURSE, draft(name="Ray Copd", mrn="KM-20002"))
    if scale2:
        on_scale2(clinic, patient.id)
    session = clinic.sessions.check_in(NURSE, clinic.chairs.list()[0].id, patient.id, 40)
    clinic.vitals.record(NURSE, session.id, VitalsDraft(**SET, spo2=89))
    clock.advance(minutes=5)
    clinic.vitals.record(NURSE, session.id, VitalsDraft(**SET, spo2=97, oxygen=True))
    return session


def test_the_session_window_names_scale_2_and_grades_on_it(qtbot, clinic, clock):
    session = scale2_session(clinic, clock)
    window = SessionWindow.show_for(None, clinic, NURSE, session.id)
    qtbot.addWidget(window)
    model = window.model
    assert (
        model.headerData(SPO2, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        == "SpO2 (%) scale 2"
    )
    air, oxygen = model.row_texts(0), model.row_texts(1)
    assert air[SPO2] == "89" and air[FLAGS] == ""
    assert oxygen[SPO2] == "97 RED" and oxygen[FLAGS] == "RED: SpO2 (scale 2)"
    assert window.chart.plots["spo2"].getAxis("left").labelText == "SpO2 % (scale 2)"
    band = window.bands["spo2"]  # the chart shades scale 2 (air)
    assert (band.red_low, band.amber_low) == (83, 87)


def test_a_scale_1_window_keeps_its_usual_labels(qtbot, clinic, clock):
    session = scale2_session(clinic, clock, scale2=False)
    window = SessionWindow.show_for(None, clinic, NURSE, session.id)
    qtbot.addWidget(window)
    assert (
        window.model.headerData(SPO2, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        == "SpO2 (%)"
    )
    assert window.model.row_texts(0)[SPO2] == "89 RED"
    assert window.chart.plots["spo2"].getAxis("left").labelText == "SpO2 %"


def test_the_summary_names_scale_2(clinic, clock):
    session = scale2_session(clinic, clock)
    html = build_html(clinic.summary.snapshot(session.id, tz=UTC))
    assert "SpO2 % (scale 2)" in html
    assert "SpO2 scale 2 (this patient" in html
    assert "97 RED" in html and "89 RED" not in html
