"""A chart's shaded band: a horizontal strip across the whole time axis (the amber and red
ranges of a vital sign) drawn by Qt itself.

pyqtgraph's LinearRegionItem does the same job as an interactive region: its bounding box
and its painting are Python, asked again on every repaint of every panel (issue 19: 70
calls of its boundingRect per vitals save, for bands that had not changed). A plain
QGraphicsRectItem is painted and indexed in C++; its width is set only when the panel's
time range changes. The chart adds it with ignoreBounds, so it never widens an axis.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QPen
from PySide6.QtWidgets import QGraphicsRectItem


class ShadedBand(QGraphicsRectItem):
    """A band from `low` to `high` on the value axis, across the time axis shown: its width
    follows the panel's x range (`follow`), as LinearRegionItem's bounding box does, so
    the pixels are the same."""

    def __init__(self, brush: QBrush, span: tuple[float, float] = (0.0, 0.0)) -> None:
        super().__init__()
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setBrush(brush)
        self._reach = (0.0, 0.0)
        self._span = (0.0, 0.0)
        self.setRegion(span)

    def follow(self, box: pg.ViewBox) -> None:
        """Span `box`'s x range now and whenever it changes (the item is in `box`)."""
        box.sigXRangeChanged.connect(lambda _box, reach: self._set_reach(reach))
        self._set_reach(box.viewRange()[0])

    def setRegion(self, span: tuple[float, float]) -> None:  # the name LinearRegionItem gives it
        low, high = sorted(span)
        self._span = (float(low), float(high))
        self._place()

    def getRegion(self) -> tuple[float, float]:  # the name LinearRegionItem gives it
        return self._span

    def _set_reach(self, reach: Sequence[float]) -> None:
        self._reach = (float(reach[0]), float(reach[1]))
        self._place()

    def _place(self) -> None:
        (left, right), (low, high) = self._reach, self._span
        rect = QRectF(left, low, right - left, high - low)
        if rect != self.rect():
            self.setRect(rect)
