"""A scale 2 patient's session window and summary say "scale 2" where SpO2 is graded, and
grade SpO2 on scale 2 (89% on air normal, 97% on oxygen RED)."""

from __future__ import annotations

from datetime import UTC

from PySide6.QtCore import Qt

from ketamon.domain.vitals import VitalsDraft
from ketamon.reports.summary_html import build_html
from ketamon.ui.session_window import SessionWindow
from ketamon.ui.vitals_table import FLAGS, NEWS2, NEWS2_WIDEST, SPO2
from tests.conftest import NURSE, draft
from tests.services.test_spo2_scale2 import on_scale2

SET = dict(systolic=124, diastolic=78)
BASE = dict(SET, heart_rate=72, resp_rate=14)


def scale2_session(clinic, clock, scale2=True):
    patient = clinic.patients.register(NURSE, draft(name="Ray Copd", mrn="KM-20002"))
    if scale2:
        on_scale2(clinic, patient.id)
    session = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    clinic.vitals.record(NURSE, session.id, VitalsDraft(**BASE, spo2=89))
    clock.advance(minutes=5)
    clinic.vitals.record(NURSE, session.id, VitalsDraft(**BASE, spo2=97, oxygen=True))
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
    axis = window.chart.plots["spo2"].getAxis("left")
    window.show()
    assert axis.labelText in ("SpO2 % (scale 2)", "SpO2 (scale 2)")  # the scale never drops
    window.resize(1900, 1000)
    qtbot.waitUntil(lambda: window.chart.plots["spo2"].getViewBox().height() > 60)
    assert "scale 2" in axis.labelText
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
    axis = window.chart.plots["spo2"].getAxis("left")
    window.show()
    assert axis.labelText in ("SpO2 %", "SpO2")
    window.resize(1900, 1000)
    qtbot.waitUntil(lambda: axis.labelText == "SpO2 %")


def test_the_summary_names_scale_2(clinic, clock):
    session = scale2_session(clinic, clock)
    html = build_html(clinic.summary.snapshot(session.id, tz=UTC))
    assert "SpO2 % (scale 2)" in html
    assert "SpO2 scale 2 (this patient" in html
    assert "97 RED" in html and "89 RED" not in html


def test_the_news2_column_is_in_view_and_never_cut_short(qtbot, clinic, clock):
    """The NEWS2 words sit beside the values and their column fits the widest response,
    even for a set recorded after the window sized its columns."""
    session = scale2_session(clinic, clock, scale2=False)
    window = SessionWindow.show_for(None, clinic, NURSE, session.id)
    qtbot.addWidget(window)
    full = dict(SET, spo2=91, temperature=36.8, sedation=5, oxygen=True)
    clinic.vitals.record(NURSE, session.id, VitalsDraft(**full, heart_rate=72, resp_rate=30))
    window.refresh()
    table, model = window.table, window.model
    text = model.row_texts(2)[NEWS2]
    assert text == "8 high: emergency response · on O2"
    metrics = table.fontMetrics()
    for widest in NEWS2_WIDEST:
        assert table.columnWidth(NEWS2) >= metrics.horizontalAdvance(widest)
    # On a 1366x768 laptop the NEWS2 column is in view without scrolling.
    window.resize(1366, 740)
    qtbot.waitUntil(lambda: table.viewport().width() > 1200, timeout=2000)
    right = table.columnViewportPosition(NEWS2) + table.columnWidth(NEWS2)
    assert right <= table.viewport().width()
    assert NEWS2 < FLAGS  # before the flags, who and status
