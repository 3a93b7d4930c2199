"""The course report for the referring clinician, as HTML for QTextDocument: the patient,
each course (dates, infusions, PHQ-9 response and remission in words, how it ended), the
scores' trend as a chart and a table, every session's dose and side effects, and a block
for the reviewing physician's signature."""

from __future__ import annotations

from datetime import datetime

from ketamon.domain.chart import CourseLine, CourseReport
from ketamon.domain.instruments import PHQ9_ITEM9, Instrument
from ketamon.reports.html_kit import H2, H3, e, key_values, table

COURSE_CHART_URL = "ketamon://course-chart.png"


def _local(report: CourseReport, value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(report.tz).strftime("%Y-%m-%d %H:%M %Z")


def _day(report: CourseReport, value: datetime) -> str:
    return value.astimezone(report.tz).strftime("%Y-%m-%d")


def _course(report: CourseReport, number: int, course: CourseLine) -> str:
    given = course.given
    span = (
        f"{_day(report, given[0].checked_in_at)} to {_day(report, given[-1].checked_in_at)}"
        if given
        else "no infusion given"
    )
    if course.response is None:
        outcome = "No PHQ-9 recorded in this course."
    else:
        r = course.response
        verdict = (
            "remission (PHQ-9 below 5)"
            if r.remitted
            else "response (at least 50 % below the baseline PHQ-9)"
            if r.responded
            else "neither response nor remission so far"
        )
        outcome = f"{r.words.split(':')[0]}: {verdict}."
    ended = (
        f"{course.end.label} on {_day(report, course.ended_at)}: {e(course.end_reason)}"
        if course.end is not None and course.ended_at is not None
        else "Open"
    )
    return f"{H3}Course {number}: {e(course.label)}</h3>" + key_values(
        [("Dates", e(span)), ("PHQ-9", e(outcome)), ("Status", ended)]
    )


def _scores(report: CourseReport) -> str:
    rows = []
    for r in report.chart.outcomes:
        if not r.current:
            continue
        item9 = ""
        if r.score.instrument is Instrument.PHQ9 and r.score.answers[PHQ9_ITEM9]:
            decided = (
                f"; {r.review.decided_by} decided to {r.review.decision.value}"
                if r.review
                else "; not reviewed"
            )
            item9 = f"<b>item 9 = {r.score.answers[PHQ9_ITEM9]}</b>{e(decided)}"
        rows.append(
            [
                e(_local(report, r.taken_at)),
                e(r.score.instrument.value),
                e(str(r.score.total)),
                e(r.score.band),
                item9 or "—",
            ]
        )
    if not rows:
        return "<p>No questionnaire recorded.</p>"
    header = ["Taken", "Questionnaire", "Total", "Band", "Suicide item"]
    # The sessions table's widths and size: a time on one line, no row split across pages.
    return table(header, rows, widths=[22, 18, 8, 20, 32], small=True)


def _sessions(report: CourseReport) -> str:
    rows = []
    for line in report.chart.sessions:
        peak = f"{line.peak_bp[0]}/{line.peak_bp[1]}" if line.peak_bp else "—"
        rows.append(
            [
                e(_local(report, line.checked_in_at)),
                e(str(line.number_in_course)),
                "—" if line.mg_per_kg is None else e(f"{line.mg_per_kg:g}"),
                "—" if line.given_mg is None else e(f"{line.given_mg:g}"),
                e(peak),
                e(", ".join(line.side_effects) or "none"),
                "—" if line.phq9 is None else e(str(line.phq9)),
            ]
        )
    if not rows:
        return "<p>No session yet.</p>"
    header = ["Date", "No.", "mg/kg", "Given mg", "Peak BP", "Side effects", "PHQ-9"]
    return table(header, rows, widths=[22, 6, 9, 10, 10, 33, 10], small=True)


def build_course_html(report: CourseReport, chart_width: int = 640) -> str:
    p = report.chart.patient
    clinic = " · ".join(
        x for x in (report.clinic_address.replace("\n", ", "), report.clinic_phone) if x
    )
    parts = [
        f"{H2}{e(report.clinic_name)}: course report</h2>",
        f"<p>{e(clinic)}</p>" if clinic else "",
        f"{H3}Patient</h3>",
        key_values(
            [
                ("Name", e(p.full_name)),
                ("MRN", e(p.mrn)),
                ("Date of birth", e(p.date_of_birth.isoformat())),
            ]
        ),
        f"<p><b>{e(p.allergy_text)}</b></p>",
    ]
    for number, course in enumerate(report.chart.courses, start=1):
        parts.append(_course(report, number, course))
    parts += [
        f"{H3}Scores over the course</h3>",
        f'<p><img src="{COURSE_CHART_URL}" width="{chart_width}"></p>',
        _scores(report),
        f"{H3}Sessions</h3>",
        _sessions(report),
        f"{H3}Reviewing physician</h3>",
        "<p>Name: ______________________________ &nbsp; Signature: "
        "______________________________ &nbsp; Date: ______________</p>",
        f"<p><small>Printed {e(_local(report, report.printed_at))} by KetaMon.</small></p>",
    ]
    return "".join(parts)
