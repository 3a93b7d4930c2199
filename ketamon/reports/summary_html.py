"""The discharge summary as HTML (the subset Qt's QTextDocument renders), from a snapshot:
page 1 for the patient and escort (reports/take_home.py), then the clinical record.

Pure code: the same snapshot always gives the same HTML. Times are shown in the snapshot's
time zone with its abbreviation; worrying values are written in words, not only coloured;
people are named by display name, never by username.
"""

from __future__ import annotations

from ketamon.domain.discharge import ItemState, Outcome
from ketamon.domain.news2 import RESPONSE_KEY, SCALE2_KEY
from ketamon.domain.outcomes import OutcomeRecord
from ketamon.domain.sessions import EventKind
from ketamon.domain.side_effects import Severity, SideEffect
from ketamon.domain.summary import SessionSummary
from ketamon.domain.timers import format_duration
from ketamon.domain.vitals import Grade, VitalsSet
from ketamon.reports.html_kit import H3, TABLE, allergies, e, key_values, local, rows, table
from ketamon.reports.take_home import take_home

CHART_URL = "ketamon://chart.png"
NOT_REVIEWED = "Not yet reviewed by the supervising physician."
_SEVERITY_WORDS = {s.value: s.label for s in Severity}


def build_html(
    summary: SessionSummary,
    *,
    chart: bool = True,
    chart_width: int = 640,
    patient_page: bool = True,
) -> str:
    """Page 1 for the patient and escort, then (from a new page) the clinical record;
    `patient_page=False`: the record alone (the session window's Record tab)."""
    parts = [
        "<html><body style=\"font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt;\">",
        take_home(summary) if patient_page else "",
        _header(summary),
        _against_advice(summary),
        _identity(summary),
        _times(summary),
        _dose(summary),
        _vitals(summary, chart_width if chart else 0),
        _scores(summary),
        _questionnaires(summary),
        _side_effects(summary),
        _interventions(summary),
        _checklist(summary),
        _escort(summary),
        _signature(summary),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


RECORD_TITLE = "The clinical record"


def _header(s: SessionSummary) -> str:
    contact = " · ".join(e(x) for x in (s.clinic.address, s.clinic.phone) if x)
    return (
        '<p style="page-break-before: always; font-size: 15pt; font-weight: 700; margin: 0;">'
        f"{RECORD_TITLE}: ketamine infusion discharge summary</p>"
        f'<p style="margin: 0;"><b>{e(s.clinic.name)}</b>'
        + (f" · {contact}" if contact else "")
        + "</p>"
    )


def _against_advice(s: SessionSummary) -> str:
    if s.outcome != Outcome.AMA or s.ama is None:
        return ""
    escort = "an escort was present" if s.ama.escort_present else "NO escort was present"
    return (
        '<table border="2" cellpadding="8" width="100%" style="border-color:#b3261e;">'
        '<tr><td bgcolor="#fdecea">'
        '<p style="font-size: 15pt; font-weight: 700; color: #8c1d18;">'
        "LEFT AGAINST MEDICAL ADVICE</p>"
        f"<p>The patient left before meeting the discharge criteria. Reason: "
        f"{e(s.ama.reason)}. Witnessed by {e(s.who(s.ama.witness))}; {escort}.</p>"
        "</td></tr></table>"
    )


def _identity(s: SessionSummary) -> str:
    sess = s.session
    return (
        H3
        + "Patient and session</h3>"
        + (
            f"<table {TABLE}>"
            + rows(
                [
                    ("Patient", e(sess.patient_name)),
                    ("MRN", e(sess.mrn)),
                    ("Date of birth", e(s.date_of_birth.isoformat())),
                    ("Allergies", allergies(s)),
                    ("Session date", e(local(s, sess.times.checked_in_at, with_date=True)[:10])),
                    ("Session", e(f"{sess.course_label} · {sess.chair_name}")),
                ]
            )
            + "</table>"
        )
    )


def _times(s: SessionSummary) -> str:
    sess = s.session
    times = sess.times
    at = lambda value: e(local(s, value))  # noqa: E731
    start = next((ev for ev in sess.events if ev.kind is EventKind.START), None)
    started = at(times.started_at)
    if start is not None and start.reason:  # each decision the start recorded, in words
        started += f" ({e(start.reason)})"
    items = [("Checked in", at(times.checked_in_at)), ("Infusion started", started)]
    for pause in times.pauses:
        resumed = at(pause.end) if pause.end else "not resumed"
        items.append(("Paused", f"{at(pause.start)} until {resumed}: {e(pause.reason)}"))
    for event in sess.events:
        if event.kind.value == "rate_change":
            rate = getattr(event, "rate_ml_h", None)
            new = f"to {rate:g} mL/h " if rate is not None else ""
            items.append(("Rate changed", f"{at(event.at)} {new}({e(event.reason)})"))
    stop = next((ev for ev in reversed(sess.events) if ev.kind is EventKind.STOP), None)
    stopped = at(times.ended_at)
    if stop is not None and stop.reason:
        stopped += f" ({e(stop.reason)})"
    items.append(("Infusion stopped", stopped))
    if times.started_at is not None and times.ended_at is not None:
        ran = format_duration(times.infusion_elapsed(times.ended_at))
        items.append(("Infusion ran", f"{ran} of {sess.target_minutes:d}:00 target"))
    discharged = at(s.discharged_at)
    if s.outcome == Outcome.AMA:
        discharged += " (<b>left against medical advice</b>)"
    items.append(("Discharged", discharged))
    items.append(("Discharging nurse", e(s.discharged_by or "—")))
    booked = local(s, s.next_appointment_at, with_date=True) if s.next_appointment_at else ""
    items.append(("Next appointment", e(booked or "Not booked yet")))
    return H3 + "Times</h3>" + key_values(items)


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:g} {unit}".strip()


def _dose(s: SessionSummary) -> str:
    d = s.dose
    if d is None:
        return H3 + "Dose record</h3><p>No dose record was entered.</p>"
    items = [
        ("Weight at this session", _number(getattr(d, "weight_kg", None), "kg")),
        ("Planned dose", _number(getattr(d, "mg_per_kg", None), "mg/kg")),
        ("Total planned", _number(_round(getattr(d, "planned_mg", None)), "mg")),
        ("Concentration", _number(getattr(d, "concentration_mg_ml", None), "mg/mL")),
        ("Planned rate", _number(_round(getattr(d, "planned_rate_ml_h", None)), "mL/h")),
        ("Drug lot number", e(getattr(d, "lot_number", "") or "—")),
        ("Actual given", _number(getattr(d, "actual_mg", None), "mg")),
        ("Wasted", _number(getattr(d, "wasted_mg", None), "mg")),
        ("Waste witnessed by", e(s.who(getattr(d, "witness", None)) or "—")),
    ]
    reason = getattr(d, "over_plan_reason", "")
    if reason:
        items.append(("Given above plan because", e(reason)))
    return (
        H3
        + "Dose record (ketamine, Schedule III)</h3>"
        + f"<table {TABLE}>"
        + rows(items)
        + "</table>"
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


_VITAL_COLUMNS = ("systolic", "heart_rate", "spo2", "resp_rate", "temperature", "pain")


def _cell(v: VitalsSet, key: str) -> str:
    value = getattr(v.values, key)
    if value is None:
        return ""
    grade = v.grades.get(key, Grade.NORMAL)
    text = f"{value:g}"
    if key == "systolic":
        text = f"{value:g}/{v.values.diastolic:g}" if v.values.diastolic is not None else text
        grade = max(grade, v.grades.get("diastolic", Grade.NORMAL))
    if grade is Grade.RED:
        return f'<b><font color="#8c1d18">{text} RED</font></b>'
    if grade is Grade.AMBER:
        return f'<b><font color="#7a4f00">{text} amber</font></b>'
    return text


def _news2(v: VitalsSet) -> str:
    """ "5 medium, on O2" (RCP 2017; the key under the table says what each means)."""
    if v.news2 is None or v.news2.response is None:
        return "–"
    oxygen = ", on O2" if v.values.oxygen else ""
    return e(f"{v.news2.total} {v.news2.response.short}{oxygen}")


# Column shares (%), so no column is squeezed until a word breaks inside: "baseline" and
# "184/106" fit whole at 9 pt; a grade word may go under its value, a name wraps at spaces.
_WIDTHS = (11, 11, 11, 8, 8, 8, 7, 6, 9, 21)


def _vitals(s: SessionSummary, chart_width: int) -> str:
    full = [v for v in s.vitals if v.values.systolic is not None]
    if not full:
        return H3 + "Vitals</h3><p>No vitals sets were recorded.</p>"
    scale2 = any(v.scale2 for v in full)
    spo2 = "SpO2 % (scale 2)" if scale2 else "SpO2 %"
    header = ["Time", "Phase", "BP", "HR", spo2, "RR", "Temp °C", "Pain", "NEWS2", "By"]
    body = [
        [e(local(s, v.taken_at)), e(v.phase.value.replace("_", "-"))]
        + [_cell(v, k) for k in _VITAL_COLUMNS]
        + [_news2(v), e(s.who(v.entered_by))]
        for v in full
    ]
    key = f"{RESPONSE_KEY} {SCALE2_KEY}" if scale2 else RESPONSE_KEY
    height = chart_width * 38 // 100  # the image is 2000 x 760
    if not chart_width:
        return H3 + "Vitals</h3>" + table(header, body, widths=_WIDTHS, small=True) + __e_p(key)
    chart = f'{H3}Vitals</h3><p><img src="{CHART_URL}" width="{chart_width}" height="{height}"></p>'
    return chart + table(header, body, widths=_WIDTHS, small=True) + __e_p(key)


def __e_p(text: str) -> str:
    return f"<p>{e(text)}</p>"


def _scores(s: SessionSummary) -> str:
    scored = [
        v
        for v in s.vitals
        if any(
            getattr(v.values, k, None) is not None for k in ("sedation", "dissociation", "cadss")
        )
    ]
    if not scored:
        return (
            H3 + "Sedation and dissociation</h3><p>No MOAA/S or dissociation scores recorded.</p>"
        )
    header = ["Time", "MOAA/S (0–5)", "Dissociation (0–3)", "CADSS (0–92)"]
    body = [
        [
            e(local(s, v.taken_at)),
            _cell(v, "sedation"),
            e(_opt(getattr(v.values, "dissociation", None))),
            e(_opt(getattr(v.values, "cadss", None))),
        ]
        for v in scored
    ]
    return H3 + "Sedation and dissociation</h3>" + table(header, body)


def _questionnaires(s: SessionSummary) -> str:
    """The questionnaires asked before the infusion, and a positive PHQ-9 item 9 with the
    clinician's decision (issue 17: it belongs on the clinical record)."""
    if not s.outcomes:
        return ""
    header = ["Time", "Questionnaire", "Score", "Entered by"]
    body = [
        [
            e(local(s, r.taken_at)),
            e(r.score.questionnaire.title),
            e(r.score.line) + (f" <b>· ITEM 9 = {r.score.item9}</b>" if r.score.item9 else ""),
            e(r.entered_by + (" (self-completed)" if r.self_completed else "")),
        ]
        for r in s.outcomes
    ]
    notes = "".join(_item9_review(s, r) for r in s.outcomes if r.score.flags_suicide_risk)
    return H3 + "Questionnaires before the infusion</h3>" + table(header, body) + notes


def _item9_review(s: SessionSummary, record: OutcomeRecord) -> str:
    item = f"PHQ-9 item 9 = {record.score.item9}"
    review = record.review
    if review is None:
        return f"<p><b>{e(item)}: NOT REVIEWED by a clinician.</b></p>"
    when = f" at {local(s, record.reviewed_at)}" if record.reviewed_at else ""
    screen = f"; C-SSRS screener: {review.screen.risk.value}" if review.screen else ""
    return (
        f"<p><b>{e(item)}</b>: reviewed by {e(review.decided_by)}{e(when)}, decision "
        f"<b>{e(review.decision.value)}</b> ({e(review.note.strip())}){e(screen)}.</p>"
    )


def _opt(value: object) -> str:
    return "" if value is None else f"{value}"


def _side_effects(s: SessionSummary) -> str:
    if not s.side_effects:
        return H3 + "Side effects</h3><p>None recorded.</p>"
    header = ["Side effect", "Onset", "Severity", "Resolved", "Note"]
    body = []
    for fx in s.side_effects:
        severity = str(getattr(fx.severity, "value", fx.severity))
        words = _SEVERITY_WORDS.get(severity, severity)
        if severity == Severity.SEVERE:
            words = f'<b><font color="#8c1d18">{words}</font></b>'
        resolved = e(local(s, fx.resolved_at)) if fx.resolved_at else "<b>not resolved</b>"
        body.append(
            [
                e(fx.display_name),
                e(local(s, fx.onset_at)),
                words,
                resolved + _decision(s, fx),
                e(fx.note),
            ]
        )
    return H3 + "Side effects</h3>" + table(header, body)


def _decision(s: SessionSummary, fx: SideEffect) -> str:
    """ "; physician's decision (Anil Patel, MD, 15:10 CET): ..." or nothing."""
    if not fx.physician_decided:
        return ""
    at = fx.physician_decision_at
    when = f", {e(local(s, at))}" if at is not None else ""
    return (
        f"; <b>physician's decision</b> ({e(s.who(fx.physician_decision_by))}{when}): "
        f"{e(fx.physician_decision)}"
    )


def _interventions(s: SessionSummary) -> str:
    if not s.medications:
        return H3 + "Medications given</h3><p>None.</p>"
    effects = {fx.id: fx.display_name for fx in s.side_effects}
    header = ["Time", "Medication", "Route", "Given by", "For"]
    body = [
        [
            e(local(s, m.given_at)),
            e(f"{m.drug} {m.dose:g} {m.unit}") + _override(m.allergy_override_reason),
            e(m.route),
            e(s.who(m.given_by)),
            e(effects.get(m.side_effect_id, "") if m.side_effect_id else ""),
        ]
        for m in s.medications
    ]
    return H3 + "Medications given</h3>" + table(header, body)


def _override(reason: str) -> str:
    if not reason:
        return ""
    return f"<br><b>Named in the patient's allergies; given because:</b> {e(reason)}"


def _checklist(s: SessionSummary) -> str:
    if s.check is None:
        return H3 + "Discharge checklist</h3><p>No discharge checklist was recorded.</p>"
    marks = {ItemState.OK: "Met", ItemState.MISSING: "NOT MET", ItemState.NOTE: "Counted in PADSS"}
    body = [[e(i.label), f"<b>{marks[i.state]}</b>", e(i.evidence)] for i in s.check.items]
    padss = s.check.padss
    score = f"PADSS {padss.total}/10" if padss.complete else f"PADSS incomplete ({padss.total})"
    return (
        H3
        + "Discharge checklist</h3>"
        + table(["Criterion", "Result", "Evidence"], body)
        + f'<p style="font-size: 12pt;"><b>{e(score)}</b></p>'
    )


def _escort(s: SessionSummary) -> str:
    a = s.answers
    if a is None or not (a.escort.name or a.escort.phone):
        return H3 + "Escort</h3><p><b>No escort recorded.</b></p>"
    esc = a.escort
    verified = (
        f"Yes, in person, by {e(s.who(esc.verified_by))}" if esc.present_verified else "<b>NO</b>"
    )
    return (
        H3
        + "Escort</h3>"
        + f"<table {TABLE}>"
        + rows(
            [
                ("Name", e(esc.name)),
                ("Relationship", e(esc.relationship)),
                ("Phone", e(esc.phone)),
                ("Present and verified", verified),
            ]
        )
        + "</table>"
    )


def _verdict(text: str, valid: bool) -> str:
    if valid:
        return f"<p>{e(text)}</p>"
    return f'<p><b><font color="#8c1d18">{e(text)}</font></b></p>'


def _signature(s: SessionSummary) -> str:
    if s.signature is None:
        body = f"<p><b>{NOT_REVIEWED}</b></p>"
    else:
        body = f"<p><b>{e(s.signature.manifestation(s.tz))}</b></p>"
        if s.signature.comment:
            body += f"<p>Comment: {e(s.signature.comment)}</p>"
        body += _verdict(s.signature.verdict, s.signature.valid)
        corrected = getattr(s.signature, "corrected_after", ())
        if corrected:
            body += "<p><b>Patient details corrected after signing</b> (the signature covers "
            body += "them as they were when signed):<br>"
            body += "<br>".join(e(c.text(s.tz)) for c in corrected) + "</p>"
    for addendum in s.addenda:
        body += (
            f"<p><b>Addendum after signing</b> — {e(local(s, addendum.at, with_date=True))}, "
            f"{e(addendum.author_name)} (reason: {e(addendum.reason)}):<br>"
            f"{e(addendum.text)}</p>"
        )
        if addendum.verdict:
            body += _verdict(addendum.verdict, valid=False)
    return H3 + "Physician review</h3>" + body
