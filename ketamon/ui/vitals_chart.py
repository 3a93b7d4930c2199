"""The session's vitals chart (pyqtgraph): stacked plots on one time axis.

Four vitals plots (BP, HR, SpO2, RR); under them a short plot of the MOAA/S and
dissociation scores as step lines (each holds until the next assessment; amber/red
MOAA/S points have their own symbol, not only a colour); at the bottom a strip of
markers, one per infusion action, medication given and side effect, each saying on hover
when, what and who (domain.record.Marker).

x is minutes from infusion start (baseline sets are negative); before the infusion has
started there is no start to count from, so x is minutes from check-in and the axis says
so. Only current sets are plotted (corrected and voided ones are in the table only).

Every plot item (curves, grade-marked points, band regions, event lines) is created once
when the chart is built; `show_data` only calls setData / setRegion / setValue. y ranges
are fixed per vital and widen only to keep an out-of-range reading on screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QMetaObject, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ketamon.domain.record import EntryKind, Marker
from ketamon.domain.sessions import EventKind, SessionEvent
from ketamon.domain.side_effects import Severity
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.timers import derive_times
from ketamon.domain.vitals import (
    MEASURES,
    Band,
    Grade,
    VitalsSet,
    dissociation_words,
    moaas_words,
)
from ketamon.ui import palette
from ketamon.ui.chart_bands import ShadedBand
from ketamon.ui.chart_grid import ChartGrid
from ketamon.ui.timefmt import local_time

pg.setConfigOptions(antialias=False, background="w", foreground=palette.INK)

GRADE_COLOURS = {grade: colours.line for grade, colours in palette.GRADES.items()}
GRADE_SYMBOLS = {Grade.NORMAL: "o", Grade.AMBER: "t1", Grade.RED: "s"}  # circle, ▲, ■
GRADE_SIZES = {Grade.NORMAL: 9, Grade.AMBER: 13, Grade.RED: 14}
BAND_BRUSHES = {grade: QColor(*rgba) for grade, rgba in palette.BANDS.items()}
EVENT_STYLE = {
    EventKind.START: (palette.EVENTS["start"], "Start"),
    EventKind.PAUSE: (palette.EVENTS["pause"], "Pause"),
    EventKind.RESUME: (palette.EVENTS["resume"], "Resume"),
    EventKind.STOP: (palette.EVENTS["stop"], "Stop"),
    EventKind.CANCEL: (palette.EVENTS["cancel"], "Cancel"),
}


AXIS_WIDTH = 100  # room for the marker lanes ("Side effect")
STRIP_PAD = 14  # px either side of a strip repainted after a save: the largest symbol's half
SCORE_COLOURS = {key: palette.SERIES[key] for key in ("sedation", "dissociation")}
# Marker lanes (y on the marker strip), symbols and colours: shape tells the kind apart.
LANES = {EntryKind.INFUSION: 2, EntryKind.MEDICATION: 1, EntryKind.SIDE_EFFECT: 0}
LANE_NAMES = {
    EntryKind.INFUSION: "Infusion",
    EntryKind.MEDICATION: "Medication",
    EntryKind.SIDE_EFFECT: "Side effect",
}
MARKER_STYLE = {  # (symbol, colour, size)
    EntryKind.INFUSION: ("t", palette.ENTRIES["infusion"], 13),  # ▼
    EntryKind.MEDICATION: ("p", palette.ENTRIES["medication"], 14),  # pentagon
    EntryKind.SIDE_EFFECT: ("o", palette.ENTRIES["side_effect"], 12),
}
SEVERE_MARKER = (
    "star",
    palette.grade_line(Grade.RED),
    19,
)  # a severe side effect: a bigger red star


@dataclass(frozen=True)
class Panel:
    title: str
    unit: str
    y_range: tuple[float, float]
    series: tuple[tuple[str, str, str], ...]  # (measure key, legend name, line colour)
    band_key: str  # whose amber/red bands are shaded
    stretch: int
    high_bands_only: bool = False  # BP: low systolic bands would cover the diastolic line
    # thresholds drawn as dashed lines: (measure key, band edge, label)
    lines: tuple[tuple[str, str, str], ...] = ()


AXIS_TITLES = {"Blood pressure": "BP", "Heart rate": "HR", "Resp. rate": "RR"}
PANELS = (
    Panel(
        "Blood pressure",
        "mmHg",
        (40, 220),
        (
            ("systolic", "Systolic", palette.SERIES["systolic"]),
            ("diastolic", "Diastolic", palette.SERIES["diastolic"]),
        ),
        "systolic",
        3,
        high_bands_only=True,
        lines=(
            ("diastolic", "red_high", "dia RED ≥"),
            ("diastolic", "amber_high", "dia AMBER ≥"),
            ("systolic", "amber_low", "sys AMBER ≤"),
            ("systolic", "red_low", "sys RED ≤"),
        ),
    ),
    Panel(
        "Heart rate",
        "/min",
        (30, 160),
        (("heart_rate", "Heart rate", palette.SERIES["heart_rate"]),),
        "heart_rate",
        2,
    ),
    Panel("SpO2", "%", (84, 100), (("spo2", "SpO2", palette.SERIES["spo2"]),), "spo2", 2),
    Panel(
        "Resp. rate",
        "/min",
        (0, 36),
        (("resp_rate", "Resp. rate", palette.SERIES["resp_rate"]),),
        "resp_rate",
        2,
    ),
)


@dataclass(frozen=True)
class Origin:
    at: datetime
    label: str  # the x axis caption


def chart_origin(events: Sequence[SessionEvent]) -> Origin:
    times = derive_times(events)
    if times.started_at is not None:
        return Origin(times.started_at, "Minutes from infusion start (baseline is negative)")
    return Origin(times.checked_in_at, "Minutes from check-in (infusion not started)")


def minutes_from(origin: datetime, at: datetime) -> float:
    return (at - origin).total_seconds() / 60.0


class VitalsChart(QWidget):
    """Show a session's vitals: `show_data(sets, events, bands)`; export with `render_png`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setMinimumHeight(360)
        self.view.ci.setContentsMargins(4, 4, 12, 4)
        self.readout = QLabel(" ")
        self.readout.setObjectName("chartReadout")  # QSS: 15px, slate
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.readout)
        self.origin: Origin | None = None
        self.plots: dict[str, pg.PlotItem] = {}
        self._shown_data: dict[int, dict[str, object]] = {}  # id(item) -> its last setData
        # measure key -> line: a PlotCurveItem, not the PlotDataItem that plot() makes (its
        # downsampling, clipping and log modes unused, and its setData twice the work)
        self.curves: dict[str, pg.PlotCurveItem] = {}
        # measure key -> grade -> that grade's points (symbol and colour per grade)
        self.points: dict[str, dict[Grade, pg.ScatterPlotItem]] = {}
        self.bands: dict[str, list[tuple[ShadedBand, Grade]]] = {}
        self.event_lines: dict[str, list[pg.InfiniteLine]] = {}
        self.threshold_lines: dict[str, list[tuple[pg.InfiniteLine, str, str]]] = {}
        self.grids: dict[pg.ViewBox, ChartGrid] = {}
        # The last show_data's inputs other than the sets, and the x spans of the points
        # added since (None: something else changed, the whole chart is repainted).
        self._context: tuple[object, ...] | None = None
        self._spans: list[tuple[float, float]] | None = None
        # What each part of the chart was last set from (_unchanged): a save that leaves a
        # range, the event lines or the bands as they were does not set them again (each
        # setXRange re-ranges every linked panel: 40 % of a save's refresh, issue 19).
        self._last: dict[object, object] = {}
        self._build()
        self.view.scene().sigMouseMoved.connect(self._mouse_moved)

    # -- building (once) -----------------------------------------------------------------
    def _build(self) -> None:
        first: pg.PlotItem | None = None
        for index, panel in enumerate(PANELS):
            plot = self.view.addPlot(row=index, col=0)
            self.view.ci.layout.setRowStretchFactor(index, panel.stretch)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            # Short axis titles: a small panel cannot hold "Blood pressure (mmHg)".
            short = AXIS_TITLES.get(panel.title, panel.title)
            plot.setLabel("left", f"{short} {panel.unit}")
            plot.getAxis("left").setWidth(AXIS_WIDTH)
            plot.axis_titles = (f"{short} {panel.unit}", short)  # whole, and when short of room
            plot.getViewBox().sigResized.connect(lambda box, plot=plot: fit_axis_title(plot))
            plot.setYRange(*panel.y_range, padding=0)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            plot.getAxis("bottom").setStyle(showValues=False)
            self.bands[panel.band_key] = []
            self.threshold_lines[panel.band_key] = []
            for key, edge, _text in panel.lines:
                colour = GRADE_COLOURS[Grade.RED if edge.startswith("red") else Grade.AMBER]
                line = pg.InfiniteLine(
                    angle=0,
                    movable=False,
                    pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DotLine),
                )
                line.setZValue(-15)
                plot.addItem(line, ignoreBounds=True)
                self.threshold_lines[panel.band_key].append((line, key, edge))
            for grade in (Grade.RED, Grade.AMBER, Grade.AMBER, Grade.RED):
                region = ShadedBand(pg.mkBrush(BAND_BRUSHES[grade]))
                region.setZValue(-20)
                region.setVisible(False)
                plot.addItem(region, ignoreBounds=True)
                region.follow(plot.getViewBox())
                self.bands[panel.band_key].append((region, grade))
            for key, _name, colour in panel.series:
                curve = pg.PlotCurveItem(pen=pg.mkPen(colour, width=2), connect="finite")
                plot.addItem(curve)
                self.points[key] = {}
                for grade in Grade:  # one item per grade: fixed symbol, size and colour
                    fill = colour if grade is Grade.NORMAL else GRADE_COLOURS[grade]
                    scatter = pg.ScatterPlotItem(
                        [],
                        [],
                        pen=pg.mkPen(colour, width=1.5),
                        brush=pg.mkBrush(fill),
                        symbol=GRADE_SYMBOLS[grade],
                        size=GRADE_SIZES[grade],
                        hoverable=True,
                        tip=point_tip,
                    )
                    scatter.setZValue(5 + grade)  # red drawn on top
                    plot.addItem(scatter)
                    self.points[key][grade] = scatter
                self.curves[key] = curve
            self.plots[panel.series[0][0]] = plot
            self.event_lines[panel.series[0][0]] = []
        assert first is not None
        self.first_plot = first
        self._build_scores(first, len(PANELS))
        self._build_markers(first, len(PANELS) + 1)
        self.bottom_plot = self.plots["markers"]
        for plot in self.plots.values():  # grid lines that follow each panel's axes
            box = plot.getViewBox()
            self.grids[box] = ChartGrid(plot)
            box.sigRangeChanged.connect(self._update_grid)
            box.sigResized.connect(self._update_grid)

    def _update_grid(self, box: pg.ViewBox, *_args: object) -> None:
        grid = self.grids.get(box)
        if grid is not None:
            grid.update()

    def _small_plot(self, first: pg.PlotItem, row: int, stretch: int, title: str) -> pg.PlotItem:
        plot = self.view.addPlot(row=row, col=0)
        self.view.ci.layout.setRowStretchFactor(row, stretch)
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setLabel("left", title)
        plot.getAxis("left").setWidth(AXIS_WIDTH)
        plot.setXLink(first)
        return plot

    def _build_scores(self, first: pg.PlotItem, row: int) -> None:
        """MOAA/S (0–5) and dissociation (0–3) as step lines on their own small axis."""
        plot = self._small_plot(first, row, 2, "Scores")
        plot.getAxis("bottom").setStyle(showValues=False)
        plot.setYRange(-0.5, 5.5, padding=0)
        plot.getAxis("left").setTicks([[(v, str(v)) for v in range(6)]])
        for edge, grade in ((3, Grade.AMBER), (1, Grade.RED)):  # the default MOAA/S bands
            region = ShadedBand(pg.mkBrush(BAND_BRUSHES[grade]), (-0.5, edge + 0.5))
            region.setZValue(-20)
            plot.addItem(region, ignoreBounds=True)
            region.follow(plot.getViewBox())
            self.bands.setdefault("sedation", []).append((region, grade))
        self.event_lines["scores"] = []
        for key in ("sedation", "dissociation"):
            colour = SCORE_COLOURS[key]
            style = Qt.PenStyle.SolidLine if key == "sedation" else Qt.PenStyle.DashLine
            curve = pg.PlotCurveItem(pen=pg.mkPen(colour, width=2.5, style=style), stepMode="right")
            plot.addItem(curve)
            self.curves[key] = curve
            self.points[key] = {}
            for grade in Grade:
                fill = colour if grade is Grade.NORMAL else GRADE_COLOURS[grade]
                symbol = GRADE_SYMBOLS[grade] if key == "sedation" else "d"
                scatter = pg.ScatterPlotItem(
                    [],
                    [],
                    pen=pg.mkPen(colour, width=1.5),
                    brush=pg.mkBrush(fill),
                    symbol=symbol,
                    size=GRADE_SIZES[grade],
                    hoverable=True,
                    tip=point_tip,
                )
                scatter.setZValue(5 + grade)
                plot.addItem(scatter)
                self.points[key][grade] = scatter
        self.plots["scores"] = plot

    def _build_markers(self, first: pg.PlotItem, row: int) -> None:
        """One lane per kind: infusion actions, medications, side effects (hover: details)."""
        plot = self._small_plot(first, row, 1, "")
        plot.setYRange(-0.6, 2.6, padding=0)
        plot.getAxis("left").setTicks([[(LANES[k], LANE_NAMES[k]) for k in LANES]])
        plot.setLabel("bottom", "Minutes from infusion start")
        self.markers: dict[str, pg.ScatterPlotItem] = {}
        styles = {kind.value: style for kind, style in MARKER_STYLE.items()}
        styles[Severity.SEVERE] = SEVERE_MARKER
        for name, (symbol, colour, size) in styles.items():
            scatter = pg.ScatterPlotItem(
                [],
                [],
                pen=pg.mkPen(palette.INK, width=1),
                brush=pg.mkBrush(colour),
                symbol=symbol,
                size=size,
                hoverable=True,
                hoverSize=size + 5,
                tip=marker_tip,
            )
            scatter.setZValue(10 if name == Severity.SEVERE else 5)
            plot.addItem(scatter)
            self.markers[name] = scatter
        self.event_lines["markers"] = []
        self.marker_labels: list[pg.TextItem] = []
        self.plots["markers"] = plot

    def _set_key(self, html: str) -> None:
        if html != getattr(self, "_key_html", None):
            self._key_html = html
            set_key(self.first_plot, html)

    # -- data (setData only) -------------------------------------------------------------
    def show_data(
        self,
        sets: Sequence[VitalsSet],
        events: Sequence[SessionEvent],
        bands: dict[str, Band],
        *,
        target_minutes: int | None = None,
        markers: Sequence[Marker] = (),
    ) -> None:
        """Show these sets. When the only change since the last call is sets added after
        the newest one shown (a vitals save), only the strip of the chart they touch is
        repainted (issue 19): everything else on the screen is, pixel for pixel, what a
        whole repaint would draw (tests/ui/test_chart_strip_repaint.py)."""
        context = (tuple(events), dict(bands), target_minutes, tuple(markers))
        before = self._view_state()
        self._spans = [] if context == self._context else None
        self._context = context
        try:
            self._show_data(sets, events, bands, target_minutes, markers)
        finally:
            spans, self._spans = self._spans, None
        if spans and self._view_state() == before:
            self._repaint_strip(min(lo for lo, _ in spans), max(hi for _, hi in spans))

    def _show_data(
        self,
        sets: Sequence[VitalsSet],
        events: Sequence[SessionEvent],
        bands: dict[str, Band],
        target_minutes: int | None,
        markers: Sequence[Marker],
    ) -> None:
        origin = chart_origin(events) if events else None
        self.origin = origin
        every = [s for s in sets if s.status == RecordStatus.CURRENT]
        at = origin.at if origin else (every[0].taken_at if every else None)
        current = [s for s in every if not s.scores_only]  # scores alone: no vitals point
        xs = [minutes_from(at, s.taken_at) for s in current] if at else []
        label = origin.label if origin else "Minutes"
        if self.bottom_plot.getAxis("bottom").labelText != label:  # a re-layout otherwise
            self.bottom_plot.setLabel("bottom", label)
        score_xs = self._set_scores(every, at)
        if not self._unchanged("score bands", bands.get("sedation")):
            self._set_score_bands(bands.get("sedation"))
        marker_xs = self._set_markers(markers, at)
        if not self._unchanged("events", (tuple(events), at)):
            self._set_events(self.plots["scores"], events, at, labelled=False)
            self._set_events(self.plots["markers"], events, at, labelled=False)
            for panel in PANELS:
                plot = self.plots[panel.series[0][0]]
                self._set_events(plot, events, at, labelled=panel is PANELS[0])
        for panel in PANELS:
            low, high = panel.y_range
            for key, _name, _colour in panel.series:
                ys = [_value(s, key) for s in current]
                self._set_data(self.curves[key], x=xs, y=ys, connect="finite")
                by_grade: dict[Grade, tuple[list, list, list]] = {g: ([], [], []) for g in Grade}
                for x, y, vitals in zip(xs, ys, current, strict=True):
                    if y == y:  # not NaN
                        px, py, data = by_grade[vitals.grades.get(key, Grade.NORMAL)]
                        px.append(x)
                        py.append(y)
                        data.append((key, vitals))
                for grade, (px, py, data) in by_grade.items():
                    self._set_data(self.points[key][grade], x=px, y=py, data=data)
                finite = [y for y in ys if y == y]
                if finite:
                    low, high = min(low, min(finite) - 5), max(high, max(finite) + 5)
            plot = self.plots[panel.series[0][0]]
            band = bands.get(panel.band_key)
            if not self._unchanged(("y", panel.band_key), (low, high, band)):
                plot.setYRange(low, high, padding=0)
                self._set_bands(panel, band, low, high)
            if not self._unchanged(("lines", panel.band_key), dict(bands)):
                self._set_threshold_lines(panel, bands)
        self._set_x_range(xs + score_xs + marker_xs, events, at, target_minutes)
        self._label_scale2(any(s.scale2 for s in current))

    def _label_scale2(self, scale2: bool) -> None:
        """The SpO2 axis names NEWS2 scale 2 when the patient's SpO2 is graded on it."""
        plot = self.plots["spo2"]
        plot.axis_titles = ("SpO2 % (scale 2)", "SpO2 (scale 2)") if scale2 else ("SpO2 %", "SpO2")
        fit_axis_title(plot)  # the scale stays named even when the unit drops

    def _set_scores(self, sets: Sequence[VitalsSet], at: datetime | None) -> list[float]:
        """Step lines: each score holds from its assessment to the next one."""
        shown: list[float] = []
        for key in ("sedation", "dissociation"):
            scored = [s for s in sets if getattr(s.values, key) is not None] if at else []
            xs = [minutes_from(at, s.taken_at) for s in scored] if at is not None else []
            ys = [float(getattr(s.values, key)) for s in scored]
            self._set_data(self.curves[key], x=xs, y=ys, stepMode="right")
            by_grade: dict[Grade, tuple[list, list, list]] = {g: ([], [], []) for g in Grade}
            for x, y, vitals in zip(xs, ys, scored, strict=True):
                px, py, data = by_grade[vitals.grades.get(key, Grade.NORMAL)]
                px.append(x)
                py.append(y)
                data.append((key, vitals))
            for grade, (px, py, data) in by_grade.items():
                self._set_data(self.points[key][grade], x=px, y=py, data=data)
            shown += xs
        return shown

    def _set_data(self, item: pg.GraphicsObject, **data: object) -> None:
        """setData only when the item's data changed: a new vitals set changes one point of
        each measure, and an item left alone is neither recomputed nor repainted."""
        shown = self._shown_data.get(id(item))
        if shown == data:
            return
        self._shown_data[id(item)] = data
        if self._spans is not None:
            span = appended_span(shown, data)
            if span is None:
                self._spans = None  # not only points added at the right: a whole repaint
            else:
                self._spans.append(span)
                if isinstance(item, pg.ScatterPlotItem) and shown is not None:
                    n = len(shown["x"])  # type: ignore[arg-type]
                    added = {k: list(data[k])[n:] for k in ("x", "y", "data")}  # type: ignore[call-overload]
                    item.addPoints(**added)  # the new points only, not all of them again
                    return
        item.setData(**data)

    def _view_state(self) -> tuple[object, ...]:
        """What else decides the picture: every panel's ranges and axis titles, the keys."""
        state: list[object] = [
            getattr(self, "_key_html", None),
            getattr(self, "_scores_html", None),
        ]
        for plot in self.plots.values():
            (x0, x1), (y0, y1) = plot.getViewBox().viewRange()
            state.append((x0, x1, y0, y1, plot.getAxis("left").labelText))
        state.append(self.bottom_plot.getAxis("bottom").labelText)
        return tuple(state)

    def _repaint_strip(self, low: float, high: float) -> None:
        """Repaint only the viewport strip from x = low to x = high, the symbols' half
        width either side, over every panel. The scene's dirty items are processed now,
        with the view's own updates off, so that Qt does not add their whole bounds."""
        view, box = self.view, self.first_plot.getViewBox()
        left = view.mapFromScene(box.mapViewToScene(QPointF(low, 0))).x()
        right = view.mapFromScene(box.mapViewToScene(QPointF(high, 0))).x()
        # _q_processDirtyItems is Qt's own (private) slot: were a Qt release to drop it, the
        # call does nothing and the items are processed as usual later, a whole repaint.
        view.setViewportUpdateMode(pg.QtWidgets.QGraphicsView.ViewportUpdateMode.NoViewportUpdate)
        try:
            QMetaObject.invokeMethod(
                view.scene(), "_q_processDirtyItems", Qt.ConnectionType.DirectConnection
            )
        finally:
            view.setViewportUpdateMode(
                pg.QtWidgets.QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate
            )
        viewport = view.viewport()
        viewport.update(QRect(left - STRIP_PAD, 0, right - left + 2 * STRIP_PAD, viewport.height()))

    def _set_score_bands(self, band: Band | None) -> None:
        """Shade MOAA/S amber and red as the clinic set them (integer levels, hence +0.5)."""
        for region, grade in self.bands["sedation"]:
            edge = None
            if band is not None:
                edge = band.red_low if grade is Grade.RED else band.amber_low
            region.setVisible(edge is not None)
            if edge is not None:
                region.setRegion((-0.5, edge + 0.5))
        flags = []
        if band is not None and band.amber_low is not None:
            flags.append(f"▲ AMBER ≤ {band.amber_low:g}")
        if band is not None and band.red_low is not None:
            flags.append(f"■ RED ≤ {band.red_low:g}")
        html = (
            f"<div style='font-size:10pt; color:{palette.SLATE}'>"
            f"<b style='color:{SCORE_COLOURS['sedation']}'>━●</b> MOAA/S 0–5"
            + (f" ({', '.join(flags)})" if flags else "")
            + f" &nbsp; <b style='color:{SCORE_COLOURS['dissociation']}'>╍◆</b>"
            " dissociation 0–3</div>"
        )
        if html != getattr(self, "_scores_html", None):
            self._scores_html = html
            set_key(self.plots["scores"], html)

    def _set_markers(self, markers: Sequence[Marker], at: datetime | None) -> list[float]:
        groups: dict[str, tuple[list, list, list]] = {k: ([], [], []) for k in self.markers}
        placed = [(m, minutes_from(at, m.at)) for m in markers] if at is not None else []
        for marker, x in placed:
            name = Severity.SEVERE if marker.severity == Severity.SEVERE else marker.kind.value
            if name not in groups:
                continue
            xs, ys, data = groups[name]
            xs.append(x)
            ys.append(LANES.get(marker.kind, 0))
            data.append(marker)
        for name, (xs, ys, data) in groups.items():
            self._set_data(self.markers[name], x=xs, y=ys, data=data)
        self._set_marker_labels(
            [(x, y, m) for xs, ys, d in groups.values() for x, y, m in zip(xs, ys, d, strict=True)]
        )
        return [x for xs, _ys, _d in groups.values() for x in xs]

    def _set_marker_labels(self, placed: list[tuple[float, float, Marker]]) -> None:
        """A short label beside each marker the event lines do not already name (printed
        charts have no hover): side effects, medications, rate changes."""
        named = [
            (x, y, m)
            for x, y, m in placed
            if m.kind is not EntryKind.INFUSION
            or m.event not in ("start", "pause", "resume", "stop")
        ]
        plot = self.plots["markers"]
        while len(self.marker_labels) < len(named):  # a pool that only grows
            label = pg.TextItem("", color=palette.INK, anchor=(0, 0.5))
            label.setFont(QFont("Sans Serif", 9))
            plot.addItem(label, ignoreBounds=True)
            self.marker_labels.append(label)
        for label, (x, y, marker) in zip(self.marker_labels, named, strict=False):
            if label.toPlainText() != marker.label:
                label.setText(marker.label)
            label.setPos(x + 0.6, y)
            label.setVisible(True)
        for label in self.marker_labels[len(named) :]:
            label.setVisible(False)

    def _set_bands(self, panel: Panel, band: Band | None, low: float, high: float) -> None:
        spans: list[tuple[float, float] | None] = [None, None, None, None]
        if band is not None:
            bottom, top = low - 1000, high + 1000
            if band.red_low is not None and not panel.high_bands_only:
                spans[0] = (bottom, band.red_low)
            if band.amber_low is not None and not panel.high_bands_only:
                spans[1] = (band.red_low if band.red_low is not None else bottom, band.amber_low)
            if band.amber_high is not None:
                upper = band.red_high if band.red_high is not None else top
                spans[2] = (band.amber_high, upper)
            if band.red_high is not None:
                spans[3] = (band.red_high, top)
        for (region, _grade), span in zip(self.bands[panel.band_key], spans, strict=True):
            region.setVisible(span is not None)
            if span is not None:
                region.setRegion(span)

    def _set_threshold_lines(self, panel: Panel, bands: dict[str, Band]) -> None:
        """Dashed threshold lines; two edges at the same value share one line and label."""
        texts = dict(
            zip(((k, e) for k, e, _ in panel.lines), (t for *_, t in panel.lines), strict=True)
        )
        shown: dict[float, pg.InfiniteLine] = {}
        notes: dict[str, list[str]] = {}
        for line, key, edge in self.threshold_lines[panel.band_key]:
            value = getattr(bands[key], edge) if key in bands else None
            line.setVisible(value is not None and value not in shown)
            if value is None:
                continue
            notes.setdefault(texts[(key, edge)].split()[0], []).append(
                f"{texts[(key, edge)].split(maxsplit=1)[1]} {value:g}"
            )
            if value not in shown:
                shown[value] = line
                line.setValue(value)
        if panel.lines:
            dotted = " · ".join(f"{who} {', '.join(parts)}" for who, parts in notes.items())
            series = " &nbsp; ".join(
                f"<b style='color:{colour}'>━●</b> {name}" for _key, name, colour in panel.series
            )
            self._set_key(  # the legend: series, grade symbols, bands and lines
                f"<div style='font-size:10pt; color:{palette.SLATE}'>{series} ({panel.unit})"
                " &nbsp;·&nbsp; ● normal &nbsp;▲ AMBER &nbsp;■ RED &nbsp;·&nbsp; "
                f"shading: systolic bands &nbsp;·&nbsp; dotted: {dotted}</div>"
            )

    def _set_events(
        self,
        plot: pg.PlotItem,
        events: Sequence[SessionEvent],
        origin: datetime | None,
        *,
        labelled: bool,
    ) -> None:
        lines = self.event_lines[next(k for k, p in self.plots.items() if p is plot)]
        marked = (
            [(e, minutes_from(origin, e.at)) for e in events if e.kind in EVENT_STYLE]
            if origin is not None
            else []
        )
        while len(lines) < len(marked):  # a pool that only grows: lines are reused
            line = pg.InfiniteLine(angle=90, movable=False)
            line.setZValue(-10)
            if labelled:
                label = pg.InfLineLabel(line, "", position=0.93, anchors=[(0, 0), (0, 0)])
                label.setColor(palette.INK)
                line.text_label = label
            plot.addItem(line, ignoreBounds=True)
            lines.append(line)
        for index, (line, (event, x)) in enumerate(zip(lines, marked, strict=False)):
            colour, text = EVENT_STYLE[event.kind]
            line.setValue(x)
            line.setVisible(True)
            style = (event.kind, event.at, index % 2)
            if getattr(line, "shown_style", None) == style:
                continue  # unchanged: no re-layout of its label
            line.shown_style = style
            line.setPen(pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine))
            if labelled:
                line.text_label.setFormat(f" {text} {local_time(event.at)[:5]}")
                line.text_label.setColor(colour)
                line.text_label.setPosition(0.95 - 0.12 * (index % 2))  # close lines: no overlap
        for line in lines[len(marked) :]:
            line.setVisible(False)

    def _set_x_range(
        self,
        xs: list[float],
        events: Sequence[SessionEvent],
        origin: datetime | None,
        target_minutes: int | None,
    ) -> None:
        marks = [minutes_from(origin, e.at) for e in events] if origin else []
        left = min([-10.0, *(x - 3 for x in xs + marks)])
        right = max([float(target_minutes or 40) + 20, *(x + 4 for x in xs + marks)])
        if not self._unchanged("x", (left, right)):
            self.first_plot.setXRange(left, right, padding=0)

    def _unchanged(self, part: object, inputs: object) -> bool:
        """Whether `part` was last set from these very `inputs` (else they are kept)."""
        if part in self._last and self._last[part] == inputs:
            return True
        self._last[part] = inputs
        return False

    # -- reading -------------------------------------------------------------------------
    def series(self, key: str) -> tuple[list[float], list[float]]:
        """The plotted (x, y) of one measure (tests and the printed summary)."""
        x, y = self.curves[key].getData()
        return ([] if x is None else list(x)), ([] if y is None else list(y))

    def items(self) -> list[object]:
        """Every plot item the chart owns (the same objects for the chart's whole life)."""
        found: list[object] = []
        for plot in self.plots.values():
            found.extend(plot.items)
        return found

    def clock_time(self, minutes: float) -> str:
        if self.origin is None:
            return ""
        return local_time(self.origin.at + timedelta(minutes=minutes))

    def marker_data(self) -> list[Marker]:
        """Every marker on the chart, in time order (tests and the printed summary)."""
        found = [m for s in self.markers.values() for m in (s.data["data"] if len(s.data) else [])]
        return sorted(found, key=lambda m: m.at)

    def _mouse_moved(self, position: QPointF) -> None:
        for plot in self.plots.values():
            if plot.sceneBoundingRect().contains(position) and self.origin is not None:
                minutes = plot.getViewBox().mapSceneToView(position).x()
                since = "infusion start" if "start" in self.origin.label else "check-in"
                self.readout.setText(
                    f"Pointer: {self.clock_time(minutes)} · {minutes:+.1f} min from {since}"
                )
                return

    # -- export --------------------------------------------------------------------------
    def render_image(self, width: int, height: int) -> QImage:
        """The chart drawn at width x height pixels (works whether or not it is shown)."""
        layout_item = self.view.ci
        saved = layout_item.geometry()
        layout_item.setGeometry(QRectF(0, 0, width, height))
        layout_item.layout.activate()
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.view.scene().render(painter, QRectF(0, 0, width, height), QRectF(0, 0, width, height))
        painter.end()
        layout_item.setGeometry(saved)
        layout_item.layout.activate()
        return image

    def render_png(self, path: str | Path, width: int = 1600, height: int = 900) -> Path:
        target = Path(path)
        image = self.render_image(width, height)
        # PySide6's stub types the format as bytes; the binding takes only str (bytes:
        # ValueError, tests/ui/test_session_window.py::test_chart_png_export_has_the_...).
        if not image.save(str(target), "PNG"):  # type: ignore[call-overload]
            raise OSError(f"Could not write {target}")
        return target


def appended_span(
    old: dict[str, object] | None, new: dict[str, object]
) -> tuple[float, float] | None:
    """The x span (from the last point shown before, to the newest) when `new` is `old`
    with points added after its last one, all else equal; None otherwise."""
    if old is None or old.keys() != new.keys():
        return None
    if any(old[k] != new[k] for k in old if k not in ("x", "y", "data")):
        return None
    xs_old, xs_new = list(old["x"]), list(new["x"])  # type: ignore[call-overload]
    ys_old, ys_new = list(old["y"]), list(new["y"])  # type: ignore[call-overload]
    n = len(xs_old)
    if len(xs_new) <= n or xs_new[:n] != xs_old or not _same(ys_new[:n], ys_old):
        return None
    if "data" in old and list(new["data"])[:n] != list(old["data"]):  # type: ignore[call-overload]
        return None
    added = xs_new[n:]
    if n and min(added) < xs_old[-1]:
        return None
    # A line's new segment starts at its last point; points alone (data) only where added.
    start = xs_old[-1] if n and "data" not in new else min(added)
    return float(start), float(max(added))


def _same(a: list[float], b: list[float]) -> bool:
    """Equal lists of y values, a gap (NaN) equal to a gap."""
    return len(a) == len(b) and all(
        x == y or (x != x and y != y) for x, y in zip(a, b, strict=True)
    )


def fit_axis_title(plot: pg.PlotItem) -> None:
    """The unit drops from a panel's axis title when the panel is too short to hold both
    (the titles of short panels ran into each other at 1366x768); the key names it."""
    axis = plot.getAxis("left")
    whole, short = plot.axis_titles
    room = plot.getViewBox().height()
    fits = QFontMetricsF(axis.label.font()).horizontalAdvance(whole) + 4 <= room
    text = whole if fits else short
    if axis.labelText != text:
        axis.setLabel(text)


def set_key(plot: pg.PlotItem, html: str) -> None:
    """A panel's key in the row above it, right-aligned: it never covers a point."""
    label = plot.titleLabel
    label.opts["justify"] = "right"
    label.setText(html)
    height = label.itemRect().height()
    label.setVisible(True)
    label.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


def marker_text(marker: Marker) -> str:
    """What hovering a marker shows: time, what, who."""
    return f"{local_time(marker.at)} · {marker.text}\nby {marker.actor}"


def _value(vitals: VitalsSet, key: str) -> float:
    value = getattr(vitals.values, key)
    return math.nan if value is None else float(value)


# Hover texts are plain functions, not bound methods: an item holding a bound method of
# the chart would keep the chart alive in a cycle that the collector frees in the wrong
# order (Qt then deletes a scene whose items are half gone).
def point_tip(x: float, y: float, data: tuple[str, VitalsSet]) -> str:
    key, vitals = data
    measure = MEASURES[key]
    grade = vitals.grades.get(key, Grade.NORMAL)
    words = {"sedation": moaas_words, "dissociation": dissociation_words}.get(key)
    value = f"{y:g} {words(int(y))}" if words else f"{y:g} {measure.unit}"
    return (
        f"{measure.label}: {value} ({grade.label})\n"
        f"{local_time(vitals.taken_at)} · {x:+.0f} min · {vitals.phase.value}"
        f" · by {vitals.entered_by_label}"
    )


def marker_tip(x: float, y: float, data: Marker) -> str:
    return marker_text(data)
