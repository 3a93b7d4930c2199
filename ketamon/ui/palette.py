"""Every colour the UI shows, named once.

The grades (normal / AMBER / RED) look the same on the tile, in the vitals popup, in the
vitals table and on the chart because they come from here: the chart and the tables take
these values as QColor (pyqtgraph cannot read the stylesheet), and the one stylesheet,
resources/ketamon.qss, names them as `@token`s (QSS_TOKENS) that `render_qss()` fills in
when the application loads it. tests/ui/test_palette.py fails if a grade rule of the
stylesheet spells a colour itself, or names a token that is not here.

Colour always comes with words (AMBER, RED, "Missing"): nothing here is the only signal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtGui import QColor

from ketamon.domain.grades import Grade


@dataclass(frozen=True)
class GradeColours:
    """How one grade is drawn. `line`: chart lines and points on white; `fill`, `border`,
    `text`: a graded label (tile, popup chip); `table`: a graded cell's background."""

    line: str
    fill: str
    border: str
    text: str
    table: str


GRADES = {
    Grade.NORMAL: GradeColours(
        line="#1b2733", fill="#e3f1e8", border="#8795a3", text="#1d5e3a", table="#ffffff"
    ),
    Grade.AMBER: GradeColours(
        line="#e08e00", fill="#ffd98a", border="#b86e00", text="#5c3700", table="#ffd98a"
    ),
    Grade.RED: GradeColours(
        line="#c0392b", fill="#fdecea", border="#a93226", text="#8e1f14", table="#f5a9a0"
    ),
}
# The chart's shaded amber and red bands behind a measure: (r, g, b, alpha)
BANDS = {Grade.AMBER: (255, 196, 77, 60), Grade.RED: (231, 76, 60, 48)}
# The filled red block: the unacknowledged red-values alert and a RED chip (white text).
RED_SOLID = "#a93226"
RED_SOLID_EDGE = "#7b1e15"

# Words and states beside the grades
INK = "#1b2733"  # body text, the chart's axes
SLATE = "#34495e"  # the chart's readout and legends
MUTED = "#6b7785"  # voided / inactive rows
WARNING = "#8c1d18"  # allergies listed or not recorded (bold, in words)
MET = "#1e7b34"  # a discharge criterion met
MISSING = "#b3261e"  # a discharge criterion missing, a refused answer, a failed check
COUNTED = "#8a5a00"  # a criterion counted with a note
SIGNED = "#1e6b34"  # a signed session in the review list
VERDICT = "#3c4043"  # a signature's verdict that is fine, in words
MISSING_FILL, MISSING_TEXT = "#fdecea", "#5f1411"  # the list of what is missing
READY_FILL, READY_TEXT = "#e8f5e9", "#124d20"  # ... once everything is met

# The chart: events, entries and series (on white)
EVENTS = {
    "start": "#23774a",
    "pause": "#8a5d00",
    "resume": "#2f68b0",
    "stop": "#5b3f99",
    "cancel": "#5b3f99",
}
ENTRIES = {"infusion": "#2f68b0", "medication": "#16a085", "side_effect": "#e08e00"}
SERIES = {
    "systolic": "#1f4fd1",
    "diastolic": "#6c8fe0",
    "heart_rate": "#8e44ad",
    "spo2": "#16a085",
    "resp_rate": "#2c3e50",
    "sedation": "#1f6f8b",
    "dissociation": "#9b59b6",
}
# The course chart (ui/course_chart.py): PHQ-9 bands minimal → severe, the lines.
COURSE_BANDS = ("#f3f7f3", "#f7f7ee", "#fbf3e6", "#fbece6", "#f8e3e3")
COURSE = {
    "gad7": "#1f4e99",
    "reference": "#555555",
    "remission": "#2e7d32",
    "label": "#333333",
    "band_label": "#666666",
    "peak": "#b3261e",
}

# What the stylesheet may name: @amber_fill, @red_text, @met, ...
QSS_TOKENS: dict[str, str] = {
    **{
        f"{grade.name.lower()}_{part}": getattr(colours, part)
        for grade, colours in GRADES.items()
        for part in ("line", "fill", "border", "text", "table")
    },
    "red_solid": RED_SOLID,
    "red_solid_edge": RED_SOLID_EDGE,
    "ink": INK,
    "warning": WARNING,
    "met": MET,
    "missing": MISSING,
    "counted": COUNTED,
    "missing_fill": MISSING_FILL,
    "missing_text": MISSING_TEXT,
    "ready_fill": READY_FILL,
    "ready_text": READY_TEXT,
}
TOKEN = re.compile(r"@([a-z][a-z0-9_]*)")


def render_qss(template: str) -> str:
    """The stylesheet with every @token replaced by its colour (KeyError for an unknown
    one, so a typo fails the first test that loads the stylesheet)."""
    return TOKEN.sub(lambda m: QSS_TOKENS[m[1]], template)


def qcolor(value: str) -> QColor:
    return QColor(value)


def grade_line(grade: Grade) -> str:
    return GRADES[grade].line


def grade_table(grade: Grade) -> QColor:
    return QColor(GRADES[grade].table)
