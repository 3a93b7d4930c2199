"""The vitals chart for paper: BP and heart rate over the session, drawn with QPainter.

Drawn directly (not a screenshot of the on-screen pyqtgraph chart) so the printed summary is
the same on a headless machine, at print resolution, in black-and-white-safe styles: each
line has its own marker shape and a legend, the infusion is a labelled band.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPolygonF

from ketamon.domain.summary import SessionSummary

WIDTH, HEIGHT = 2000, 760
SERIES = (
    ("systolic", "Systolic BP", QColor("#b3261e"), "triangle_down", Qt.PenStyle.SolidLine),
    ("diastolic", "Diastolic BP", QColor("#b3261e"), "triangle_up", Qt.PenStyle.DashLine),
    ("heart_rate", "Heart rate", QColor("#1f4e99"), "circle", Qt.PenStyle.SolidLine),
)


def chart_image(summary: SessionSummary) -> QImage:
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    sets = [v for v in summary.vitals if v.values.systolic is not None]
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    try:
        _draw(painter, summary, sets)
    finally:
        painter.end()
    return image


def _draw(painter: QPainter, summary: SessionSummary, sets: list) -> None:
    font = QFont("DejaVu Sans")
    font.setPixelSize(26)
    painter.setFont(font)
    plot = QRectF(120, 30, WIDTH - 160, HEIGHT - 150)
    times = summary.session.times
    if not sets:
        painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No vitals recorded")
        return
    start = min(times.checked_in_at, sets[0].taken_at)
    end = max(sets[-1].taken_at, times.ended_at or sets[-1].taken_at)
    span = max((end - start).total_seconds(), 60.0)
    values = [getattr(v.values, k) for v in sets for k, *_ in SERIES if getattr(v.values, k)]
    low = min(40, *(int(x) for x in values)) // 20 * 20
    high = -(-max(200, *(int(x) for x in values)) // 20) * 20

    def x_of(when: datetime) -> float:
        return plot.left() + (when - start).total_seconds() / span * plot.width()

    def y_of(value: float) -> float:
        return plot.bottom() - (value - low) / (high - low) * plot.height()

    # The infusion as a labelled band
    if times.started_at is not None:
        band = QRectF(
            QPointF(x_of(times.started_at), plot.top()),
            QPointF(x_of(times.ended_at or end), plot.bottom()),
        )
        painter.fillRect(band, QColor("#e8eef7"))
        painter.setPen(QColor("#1f4e99"))
        painter.drawText(band.adjusted(8, 4, 0, 0), "Infusion")
    # Grid and axes
    painter.setPen(QPen(QColor("#cccccc"), 1))
    for value in range(low, high + 1, 20):
        painter.drawLine(QPointF(plot.left(), y_of(value)), QPointF(plot.right(), y_of(value)))
        painter.setPen(QColor("#333333"))
        painter.drawText(
            QRectF(0, y_of(value) - 16, plot.left() - 12, 32),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            str(value),
        )
        painter.setPen(QPen(QColor("#cccccc"), 1))
    painter.setPen(QPen(QColor("#333333"), 2))
    painter.drawRect(plot)
    ticks = 6
    for i in range(ticks + 1):
        when = start + (end - start) * i / ticks
        x = plot.left() + plot.width() * i / ticks
        painter.drawText(
            QRectF(x - 90, plot.bottom() + 8, 180, 34),
            Qt.AlignmentFlag.AlignHCenter,
            when.astimezone(summary.tz).strftime("%H:%M"),
        )
    # Series
    for key, _label, color, marker, style in SERIES:
        points = [
            QPointF(x_of(v.taken_at), y_of(getattr(v.values, key)))
            for v in sets
            if getattr(v.values, key) is not None
        ]
        painter.setPen(QPen(color, 4, style))
        if len(points) > 1:
            painter.drawPolyline(QPolygonF(points))
        painter.setBrush(color)
        for p in points:
            _marker(painter, p, marker)
        painter.setBrush(Qt.BrushStyle.NoBrush)
    # Legend
    x = plot.left()
    for _key, label, color, marker, style in SERIES:
        y = HEIGHT - 50
        painter.setPen(QPen(color, 4, style))
        painter.drawLine(QPointF(x, y), QPointF(x + 60, y))
        painter.setBrush(color)
        _marker(painter, QPointF(x + 30, y), marker)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QColor("#222222"))
        painter.drawText(QRectF(x + 72, y - 18, 320, 36), Qt.AlignmentFlag.AlignVCenter, label)
        x += 420
    painter.drawText(
        QRectF(x, HEIGHT - 68, 600, 36), Qt.AlignmentFlag.AlignVCenter, "mmHg and beats/min"
    )


def _marker(painter: QPainter, at: QPointF, shape: str) -> None:
    r = 10.0
    if shape == "circle":
        painter.drawEllipse(at, r, r)
        return
    sign = 1 if shape == "triangle_down" else -1
    painter.drawPolygon(
        QPolygonF(
            [
                QPointF(at.x() - r, at.y() - sign * r),
                QPointF(at.x() + r, at.y() - sign * r),
                QPointF(at.x(), at.y() + sign * r),
            ]
        )
    )
