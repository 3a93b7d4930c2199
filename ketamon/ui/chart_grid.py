"""The vitals chart's grid: plain horizontal and vertical lines at the axes' own ticks.

pyqtgraph's `PlotItem.showGrid` has each axis item draw its grid lines across the plot;
on Qt's raster engine that made one repaint of the seven-panel chart cost about 100 ms on
our machine (bench/vitals_save.py), against a few ms with the same lines drawn by four
line items per plot. The lines follow the axes: the chart calls `update()` whenever a
panel's range or size changes, and major and minor ticks get lines as the axis spaces them.
"""

from __future__ import annotations

import pyqtgraph as pg

MAJOR = pg.mkPen((27, 39, 51, 60), width=1)
MINOR = pg.mkPen((27, 39, 51, 26), width=1)


class ChartGrid:
    """One plot's grid: four line items (major and minor, horizontal and vertical), each
    drawing all its lines as separate segments in one paint."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.items: dict[tuple[int, bool], pg.PlotCurveItem] = {}  # (angle, major) -> lines
        self.shown: dict[int, list[float]] = {0: [], 90: []}  # angle -> values drawn
        for angle in (0, 90):
            for major in (True, False):
                item = pg.PlotCurveItem(pen=MAJOR if major else MINOR, connect="pairs")
                item.setZValue(-18)  # above the band shading, below everything else
                plot.addItem(item, ignoreBounds=True)
                self.items[(angle, major)] = item

    def update(self) -> None:
        box = self.plot.getViewBox()
        (x0, x1), (y0, y1) = box.viewRange()
        vertical = _ticks(self.plot.getAxis("bottom"), x0, x1, box.width())
        horizontal = _ticks(self.plot.getAxis("left"), y0, y1, box.height())
        for major in (True, False):
            xs = [v for v, m in vertical if m is major]
            self._draw((90, major), [x for v in xs for x in (v, v)], [y0, y1] * len(xs))
            ys = [v for v, m in horizontal if m is major]
            self._draw((0, major), [x0, x1] * len(ys), [y for v in ys for y in (v, v)])
        self.shown = {90: [v for v, _m in vertical], 0: [v for v, _m in horizontal]}

    def values(self, angle: int) -> list[float]:
        """Where the lines are (vertical: angle 90, horizontal: 0)."""
        return list(self.shown[angle])

    def _draw(self, key: tuple[int, bool], xs: list[float], ys: list[float]) -> None:
        item = self.items[key]
        if getattr(item, "grid_points", None) != (xs, ys):
            item.grid_points = (xs, ys)
            item.setData(x=xs, y=ys, connect="pairs")


def _ticks(axis: pg.AxisItem, low: float, high: float, pixels: float) -> list[tuple[float, bool]]:
    """(value, is major) of the ticks the axis shows, fixed ticks (set with setTicks)
    included; none for a panel not laid out yet."""
    if pixels <= 0 or high <= low:
        return []
    fixed = getattr(axis, "_tickLevels", None)
    if fixed is not None:
        levels = [[value for value, _text in level] for level in fixed]
    else:
        levels = [values for _spacing, values in axis.tickValues(low, high, pixels)]
    return [
        (float(v), level == 0)
        for level, values in enumerate(levels[:2])
        for v in values
        if low <= v <= high
    ]
