"""The course report on paper: its score chart drawn with QPainter (black-and-white safe:
each line has its marker shape and a legend, each reference line its words) and the PDF."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QTextDocument

from ketamon.domain.chart import CourseReport
from ketamon.domain.instruments import PHQ9, Instrument
from ketamon.domain.outcomes import REMISSION_BELOW, RESPONSE_DROP
from ketamon.reports.course_html import COURSE_CHART_URL, build_course_html
from ketamon.reports.pdf import image_width, page_body, paint_pages, pdf_writer

WIDTH, HEIGHT = 2000, 700
LEFT, RIGHT, TOP, BOTTOM = 120, 60, 40, 90
LINES = (
    (Instrument.PHQ9, "PHQ-9", QColor("#1b2733"), Qt.PenStyle.SolidLine, "circle"),
    (Instrument.GAD7, "GAD-7", QColor("#1f4e99"), Qt.PenStyle.DashLine, "square"),
)


def course_chart_image(report: CourseReport) -> QImage:
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    try:
        _draw(painter, report)
    finally:
        painter.end()
    return image


def _draw(painter: QPainter, report: CourseReport) -> None:
    font = QFont("DejaVu Sans")
    font.setPixelSize(26)
    painter.setFont(font)
    plot = QRectF(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM)
    top_score = PHQ9.max_total
    trends = {i: report.chart.trend(i) for i, *_ in LINES}
    times = [t.timestamp() for points in trends.values() for t, _ in points]
    if not times:
        painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No questionnaire recorded")
        return
    start, end = min(times), max(times)
    span = max(end - start, 86400.0)

    def at(seconds: float, value: float) -> QPointF:
        x = plot.left() + (seconds - start) / span * plot.width() * 0.96 + plot.width() * 0.02
        return QPointF(x, plot.bottom() - value / top_score * plot.height())

    painter.setPen(QPen(QColor("#888888"), 2))
    painter.drawRect(plot)
    for value in range(0, top_score + 1, 5):
        y = at(start, value).y()
        painter.drawText(QRectF(0, y - 16, LEFT - 12, 32), Qt.AlignmentFlag.AlignRight, str(value))
    course = report.chart.courses[-1] if report.chart.courses else None
    references: list[tuple[float, str, QColor]] = [
        (REMISSION_BELOW, f"Remission (< {REMISSION_BELOW})", QColor("#2e7d32"))
    ]
    if course is not None and course.response is not None:
        base = course.response.baseline
        references += [
            (base, f"Baseline {base}", QColor("#555555")),
            (base * (1 - RESPONSE_DROP), "Response (−50 %)", QColor("#555555")),
        ]
    for level, words, colour in references:
        y = at(start, level).y()
        painter.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.drawText(QPointF(plot.left() + 12, y - 8), words)
    legend_x = plot.right() - 300
    for row, (instrument, label, colour, style, shape) in enumerate(LINES):
        points = [at(t.timestamp(), v) for t, v in trends[instrument]]
        painter.setPen(QPen(colour, 4, style))
        for a, b in zip(points, points[1:], strict=False):
            painter.drawLine(a, b)
        for point in points:
            _marker(painter, point, shape, colour)
        y = plot.top() + 30 + row * 36
        painter.setPen(QPen(colour, 4, style))
        painter.drawLine(QPointF(legend_x, y), QPointF(legend_x + 60, y))
        _marker(painter, QPointF(legend_x + 30, y), shape, colour)
        painter.setPen(QColor("#1b2733"))
        painter.drawText(QPointF(legend_x + 75, y + 9), label)
    painter.setPen(QColor("#1b2733"))
    last_x = -1e9
    for t, _v in trends[Instrument.PHQ9]:
        point = at(t.timestamp(), 0)
        if point.x() - last_x < 130:  # the dates would overlap: every other one
            continue
        last_x = point.x()
        text = t.astimezone(report.tz).strftime("%d %b")
        painter.drawText(
            QRectF(point.x() - 60, plot.bottom() + 10, 120, 34), Qt.AlignmentFlag.AlignHCenter, text
        )


def _marker(painter: QPainter, at: QPointF, shape: str, colour: QColor) -> None:
    painter.setPen(QPen(colour, 2))
    painter.setBrush(colour)
    if shape == "circle":
        painter.drawEllipse(at, 10, 10)
    else:
        painter.drawRect(QRectF(at.x() - 9, at.y() - 9, 18, 18))
    painter.setBrush(Qt.BrushStyle.NoBrush)


def write_course_pdf(report: CourseReport, path: Path | str, page: str = "A4") -> int:
    """Write the course report to `path`; ReportError names the file and the reason."""
    p = report.chart.patient
    writer = pdf_writer(path, page, f"Course report: {p.full_name}")
    _band, body = page_body(writer)
    document = QTextDocument()
    document.documentLayout().setPaintDevice(writer)
    document.setDefaultFont(QFont("DejaVu Sans", 10))
    document.addResource(
        QTextDocument.ResourceType.ImageResource,
        QUrl(COURSE_CHART_URL),
        course_chart_image(report),
    )
    document.setHtml(build_course_html(report, int(image_width(writer, body))))
    heading = f"{p.full_name}  ·  MRN {p.mrn}  ·  Course report"
    stamp = report.printed_at.astimezone(report.tz).strftime("Printed %Y-%m-%d %H:%M %Z")
    return paint_pages(document, writer, heading, stamp)
