"""The course chart (pyqtgraph, the session chart's style): PHQ-9 and GAD-7 by date with the
PHQ-9 severity bands, the course's baseline, the response (−50 %) and remission (< 5)
lines; under it, per session, the peak systolic BP with the dose and side effects on hover.

Each line has its own marker shape or dash, named in a key above the chart (with the
course's baseline and response values), and each band a label in a column right of the
newest point, so the chart reads without colour and no name lies over a point. Only current
questionnaires are drawn (a corrected one is replaced by its correction, a voided one is
gone; both stay in the record).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ketamon.domain.chart import PatientChart
from ketamon.domain.instruments import PHQ9, Instrument
from ketamon.domain.outcomes import REMISSION_BELOW, RESPONSE_DROP, CourseResponse
from ketamon.ui import palette
from ketamon.ui.timefmt import local_time

BAND_SHADES = palette.COURSE_BANDS  # minimal → severe
PHQ_PEN = pg.mkPen(palette.INK, width=3)
GAD_PEN = pg.mkPen(palette.COURSE["gad7"], width=2, style=Qt.PenStyle.DashLine)
REFERENCE_PEN = pg.mkPen(palette.COURSE["reference"], width=1, style=Qt.PenStyle.DashLine)
RESPONSE_PEN = pg.mkPen(palette.COURSE["reference"], width=1.5, style=Qt.PenStyle.DotLine)
LABEL_ROOM = 0.3  # of the x range, right of the newest point: the band names' column
COMPACT_LABEL_ROOM = 0.4  # beside a session in the review: a narrow chart


def _seconds(moment) -> float:
    return moment.timestamp()


class CourseChart(QWidget):
    """`compact`: the scores alone, smaller (beside a session in the physician's review)."""

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.scores = pg.PlotWidget(background="w", axisItems={"bottom": pg.DateAxisItem()})
        self.scores.setMinimumHeight(150 if compact else 260)
        self.scores.setYRange(0, PHQ9.max_total + 1, padding=0)
        self.scores.setLabel("left", "Score")
        self.scores.showGrid(x=False, y=True, alpha=0.2)
        self.scores.setMouseEnabled(x=False, y=False)
        for band, shade in zip(PHQ9.bands, BAND_SHADES, strict=True):
            region = pg.LinearRegionItem(
                (band.low - 0.5, band.high + 0.5),
                orientation="horizontal",
                brush=QColor(shade),
                pen=pg.mkPen(None),
                movable=False,
            )
            region.setZValue(-10)
            self.scores.addItem(region)
            name = band.label if compact else f"PHQ-9 {band.label}"  # small: the heading says
            label = pg.TextItem(name, color=palette.COURSE["band_label"], anchor=(1, 0.5))
            label.setPos(0, (band.low + band.high) / 2)
            self.scores.addItem(label)
        self.band_labels = [i for i in self.scores.items() if isinstance(i, pg.TextItem)]
        self.phq9 = self.scores.plot(
            [], [], pen=PHQ_PEN, symbol="o", symbolSize=10, symbolBrush=palette.INK, name="PHQ-9"
        )
        self.gad7 = self.scores.plot(
            [],
            [],
            pen=GAD_PEN,
            symbol="s",
            symbolSize=9,
            symbolBrush=palette.COURSE["gad7"],
            name="GAD-7",
        )
        self.baseline = pg.InfiniteLine(angle=0, pen=REFERENCE_PEN, movable=False)
        self.response = pg.InfiniteLine(angle=0, pen=RESPONSE_PEN, movable=False)
        self.remission = pg.InfiniteLine(
            REMISSION_BELOW,
            angle=0,
            pen=pg.mkPen(palette.COURSE["remission"], width=2),
            movable=False,
        )
        for line in (self.baseline, self.response, self.remission):
            self.scores.addItem(line)
        self.compact = compact
        self._set_key(None)

        self.sessions = pg.PlotWidget(background="w", axisItems={"bottom": pg.DateAxisItem()})
        self.sessions.setMaximumHeight(160)
        self.sessions.setMinimumHeight(110)  # room for its axis title at 1366 x 768
        self.sessions.setLabel("left", "Peak SBP")
        self.sessions.setYRange(80, 200, padding=0)
        self.sessions.setMouseEnabled(x=False, y=False)
        self.sessions.setXLink(self.scores)
        self.peaks = pg.ScatterPlotItem(
            symbol="t", size=12, brush=palette.COURSE["peak"], hoverable=True
        )
        self.sessions.addItem(self.peaks)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scores, 3)
        layout.addWidget(self.sessions, 1)
        self.sessions.setVisible(not compact)

    def _set_key(self, response: CourseResponse | None) -> None:
        """The key in the row above the scores (it once lay over the baseline's points):
        line styles in words, and the course's baseline and response values."""
        if self.compact:  # small: the words beside it name the lines
            return
        ink, gad, ref = palette.INK, palette.COURSE["gad7"], palette.COURSE["reference"]
        parts = [
            f"<b style='color:{ink}'>━●</b> PHQ-9",
            f"<b style='color:{gad}'>╍■</b> GAD-7",
        ]
        if response is not None:
            baseline = response.baseline
            parts += [
                f"<b style='color:{ref}'>╌╌</b> baseline {baseline:g}",
                f"<b style='color:{ref}'>┈┈</b> response (−50 %) "
                f"{baseline * (1 - RESPONSE_DROP):g}",
            ]
        green = palette.COURSE["remission"]
        parts.append(f"<b style='color:{green}'>━━</b> remission (&lt; {REMISSION_BELOW})")
        self.scores.setTitle(
            f"<span style='font-size:11pt; color:{palette.SLATE}'>"
            + " &nbsp;·&nbsp; ".join(parts)
            + "</span>"
        )
        self.scores.getPlotItem().titleLabel.opts["justify"] = "left"

    def show_chart(self, chart: PatientChart) -> None:
        phq = chart.trend(Instrument.PHQ9)
        gad = chart.trend(Instrument.GAD7)
        self.phq9.setData([_seconds(t) for t, _ in phq], [v for _, v in phq])
        self.gad7.setData([_seconds(t) for t, _ in gad], [v for _, v in gad])
        course = chart.courses[-1] if chart.courses else None
        response = course.response if course is not None else None
        for line in (self.baseline, self.response):
            line.setVisible(response is not None)
        if response is not None:
            self.baseline.setValue(response.baseline)
            self.response.setValue(response.baseline * (1 - RESPONSE_DROP))
        self._set_key(response)
        spots: list[dict[str, object]] = []
        times = [_seconds(t) for t, _ in phq + gad]
        for line in chart.sessions:
            if line.peak_bp is None:
                continue
            dose = f"{line.mg_per_kg:g} mg/kg" if line.mg_per_kg is not None else "no dose plan"
            effects = ", ".join(line.side_effects) or "no side effects"
            times.append(_seconds(line.checked_in_at))
            spots.append(
                {
                    "pos": (_seconds(line.checked_in_at), line.peak_bp[0]),
                    "data": f"{local_time(line.checked_in_at, with_date=True)}: peak BP "
                    f"{line.peak_bp[0]}/{line.peak_bp[1]}, {dose}, {effects}",
                }
            )
        self.peaks.setData(spots)
        self.peaks.setToolTip("\n".join(str(s["data"]) for s in spots))
        if times:
            day = 86400.0
            left, newest = min(times) - day, max(times) + day
            # A column for the band names right of the newest point: no point under a name.
            room = COMPACT_LABEL_ROOM if self.compact else LABEL_ROOM
            right = newest + (newest - left) * room / (1 - room)
            self.scores.setXRange(left, right, padding=0)
            for label in self.band_labels:
                label.setPos(right, label.pos().y())
