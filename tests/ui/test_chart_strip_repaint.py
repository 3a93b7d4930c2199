"""A vitals save repaints only the strip of the chart it changed (issue 19), and what is on
the screen afterwards is, pixel for pixel, what a whole repaint draws. Anything else that
changes (a correction, an event, a reading that widens a range) repaints the whole chart.
The header's new count of sets does not lay the window out again.

"On the screen" is the window's backing store, read with QScreen.grabWindow (the offscreen
platform reads it back); a whole repaint is QWidget.grab(), which paints afresh."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from ketamon.ui.vitals_chart import AXIS_WIDTH, VitalsChart, appended_span
from tests.conftest import NURSE
from tests.ui import test_session_window as windows
from tests.ui.test_session_window import open_window, vitals

infusing = windows.infusing  # the same session: baseline, start, two sets (a red one)

pytestmark = pytest.mark.sqlite_only("pixels of one window; the backend plays no part")


class Paints(QObject):
    """The regions painted on one widget, and how often it was laid out again."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.rects: list[QRect] = []
        self.layouts = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.region().boundingRect())
        elif event.type() == QEvent.Type.LayoutRequest:
            self.layouts += 1
        return False


def settle(window) -> None:
    for _ in range(5):
        QApplication.processEvents()


def on_screen(window, widget) -> QImage:
    """What the backing store holds for `widget` (not a fresh paint)."""
    shot = window.screen().grabWindow(window.winId()).toImage()
    top_left = widget.mapTo(window, widget.rect().topLeft())
    ratio = shot.width() / window.width()
    return shot.copy(QRect(top_left * ratio, widget.size() * ratio)).convertToFormat(
        QImage.Format.Format_RGB32
    )


def fresh(widget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def save_and_show(window, clinic, clock, session, values):
    clock.advance(minutes=5)
    saved = clinic.vitals.record(NURSE, session.id, values)
    window.refresh_vitals(saved)  # what the window does after its own save
    settle(window)


def shown_chart(qtbot, clinic, session):
    """The session window on the screen, painted; its chart's viewport and its paints."""
    window = open_window(qtbot, clinic, session)
    window.resize(1600, 900)
    window.show()
    qtbot.waitExposed(window)
    settle(window)
    viewport = window.chart.view.viewport()
    return window, viewport, Paints(viewport)


def test_a_save_repaints_a_strip_and_the_screen_equals_a_whole_repaint(
    qtbot, clinic, clock, infusing
):
    window, viewport, paints = shown_chart(qtbot, clinic, infusing)
    save_and_show(window, clinic, clock, infusing, vitals(132, 80, 76))
    assert paints.rects, "the chart was not repainted after the save"
    widest = max(r.width() for r in paints.rects)
    assert widest < viewport.width() / 8  # a strip, not the chart
    assert all(r.height() == viewport.height() for r in paints.rects)  # every panel
    assert on_screen(window, viewport) == fresh(viewport)
    # A second save, with a red reading on its own symbol, the same way; and a third with
    # MOAA/S scores, whose step line holds from one assessment to the next.
    for values in (vitals(190, 110, 120, 91, 24), vitals(128, 80, 74, sedation=4)):
        paints.rects.clear()
        save_and_show(window, clinic, clock, infusing, values)
        assert max(r.width() for r in paints.rects) < viewport.width() / 8
        assert on_screen(window, viewport) == fresh(viewport)
    paints.rects.clear()
    save_and_show(window, clinic, clock, infusing, vitals(126, 78, 72, sedation=3))
    assert on_screen(window, viewport) == fresh(viewport)  # the step from 4 down to 3


def test_anything_but_points_added_at_the_right_repaints_the_whole_chart(
    qtbot, clinic, clock, infusing
):
    window, viewport, paints = shown_chart(qtbot, clinic, infusing)
    # A reading beyond the panel's range widens it: the whole panel changes.
    save_and_show(window, clinic, clock, infusing, vitals(240, 90, 76))
    assert max(r.width() for r in paints.rects) > viewport.width() / 2
    assert on_screen(window, viewport) == fresh(viewport)
    # An event (a pause) draws a line on every panel: whole again.
    paints.rects.clear()
    clinic.sessions.pause(NURSE, infusing.id, "nausea")
    window.refresh(full=True)
    settle(window)
    assert max(r.width() for r in paints.rects) > viewport.width() / 2
    assert on_screen(window, viewport) == fresh(viewport)


def test_the_span_of_an_append_and_nothing_else():
    nan = float("nan")
    old = {"x": [0.0, 5.0], "y": [120.0, nan], "connect": "finite"}
    assert appended_span(
        old, {"x": [0.0, 5.0, 9.0], "y": [120.0, nan, 130.0], "connect": "finite"}
    ) == (5.0, 9.0)
    assert appended_span(None, old) is None  # the first show
    assert appended_span(old, {**old, "y": [121.0, nan]}) is None  # a value changed
    assert (
        appended_span(old, {"x": [0.0, 2.0, 5.0], "y": [120.0, 1.0, nan], "connect": "finite"})
        is None
    )  # a set placed before the last
    assert (
        appended_span(old, {"x": [0.0, 5.0, 9.0], "y": [120.0, nan, 1.0], "connect": "all"}) is None
    )  # drawn otherwise
    points = {"x": [0.0], "y": [120.0], "data": ["a"]}
    assert appended_span(points, {"x": [0.0, 30.0], "y": [120.0, 1.0], "data": ["a", "b"]}) == (
        30.0,
        30.0,
    )  # points alone: only where the new one is
    assert appended_span(points, {"x": [0.0, 30.0], "y": [120.0, 1.0], "data": ["z", "b"]}) is None


def test_the_shaded_bands_span_the_time_shown_and_follow_it(qtbot, clinic, clock, infusing):
    """The bands are plain rectangles (not pyqtgraph's Python-painted regions): each spans
    the panel's time range exactly, as the regions did, at the clinic's edges, and follows
    the range when a late reading widens it, on screen as in a whole repaint."""
    window, viewport, _paints = shown_chart(qtbot, clinic, infusing)
    plot = window.chart.plots["heart_rate"]
    band = window.bands["heart_rate"]

    def shown() -> list:
        return [b for b, _grade in window.chart.bands["heart_rate"] if b.isVisible()]

    edges = {edge for b in shown() for edge in b.getRegion()}
    assert {band.red_low, band.amber_low, band.amber_high, band.red_high} - {None} <= edges
    left, right = plot.getViewBox().viewRange()[0]
    assert all((b.rect().left(), b.rect().right()) == (left, right) for b in shown())
    clock.advance(minutes=80)  # past the target and the recovery shown so far
    save_and_show(window, clinic, clock, infusing, vitals(126, 78, 72))
    wider = plot.getViewBox().viewRange()[0]
    assert wider[1] > right
    assert all((b.rect().left(), b.rect().right()) == tuple(wider) for b in shown())
    assert on_screen(window, viewport) == fresh(viewport)


def test_a_save_does_not_lay_the_window_out_again_unless_the_header_grows(
    qtbot, clinic, clock, infusing
):
    window, _viewport, _paints = shown_chart(qtbot, clinic, infusing)
    watched = Paints(window)
    before = window.model.rowCount()
    save_and_show(window, clinic, clock, infusing, vitals(126, 78, 72))
    assert f"{before + 1} vitals sets" in window.header.text()
    assert watched.layouts == 0
    # A header that needs another line does lay the window out: nothing is cut off.
    height = window.header.height()
    window.header.setText(window.header.text() + "<br>another line")
    settle(window)
    assert watched.layouts >= 1
    assert window.header.height() > height


def test_a_chart_kept_up_save_by_save_is_the_chart_of_all_the_sets_at_once(
    qtbot, clinic, clock, infusing
):
    """A save adds its points to what the chart holds (issue 19) rather than giving each
    item all its points again: what it then holds and draws, and what a hover on a point
    tells, is what a chart given every set at once holds and draws."""
    window, _viewport, _paints = shown_chart(qtbot, clinic, infusing)
    for values in (
        vitals(132, 80, 76),
        vitals(190, 110, 120, 91, 24),  # red: a point on the red items
        vitals(128, 80, 74, sedation=4, dissociation=1),
        vitals(sedation=2, sys_bp=None, dia=None, hr=None, spo2=None, rr=None),  # scores only
        vitals(126, 78, 72, sedation=3),
    ):
        save_and_show(window, clinic, clock, infusing, values)
    whole = VitalsChart()
    qtbot.addWidget(whole)
    whole.show_data(
        window.sets,
        window.session.events,
        window.bands,
        target_minutes=window.session.target_minutes,
        markers=window.markers,
    )
    for key, grades in window.chart.points.items():
        for grade, item in grades.items():
            other = whole.points[key][grade]
            assert list(item.data["x"]) == list(other.data["x"]), (key, grade)
            assert list(item.data["y"]) == list(other.data["y"]), (key, grade)
            assert list(item.data["data"]) == list(other.data["data"]), (key, grade)
    for key in window.chart.curves:
        assert window.chart.series(key) == whole.series(key), key
    whole.resize(window.chart.size())
    whole.show()
    qtbot.waitExposed(whole)
    settle(whole)
    # The panels as drawn (the axis titles aside: where a title sits depends on the order
    # the two charts were laid out in, not on the points).
    kept, anew = fresh(window.chart.view.viewport()), fresh(whole.view.viewport())
    plots = QRect(AXIS_WIDTH, 0, kept.width() - AXIS_WIDTH, kept.height())
    assert kept.copy(plots) == anew.copy(plots)
