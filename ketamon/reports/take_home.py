"""Page 1 of the discharge summary: "For you and your escort", in large type and plain
words. What to do and not do, what is normal, when to call the clinic (its phone) and when
to call the emergency number, the escort, the allergies and the next visit.

Pure code over the snapshot, like the clinical record that follows it (summary_html.py).
"""

from __future__ import annotations

from ketamon.domain.discharge import Outcome
from ketamon.domain.summary import (
    CALL_CLINIC_IF,
    CALL_EMERGENCY_IF,
    NORMAL_AFTER,
    SessionSummary,
)
from ketamon.reports.html_kit import DARK_RED, allergies, e, local

TITLE = "Going home after your ketamine infusion"
FOR_YOU = "For you and your escort"
NO_PHONE = "(the clinic's number was not set when this was printed: ask the nurse to write it)"
_BIG = 'style="font-size: 13pt; margin-top: 2px; margin-bottom: 2px;"'
_HEAD = '<h2 style="font-size: 16pt; margin-top: 6px; margin-bottom: 0px;">'


def take_home(s: SessionSummary) -> str:
    """The whole first page (the clinical record starts on a new page after it)."""
    return "".join(
        (
            _title(s),
            _left_early(s),
            _contacts(s),
            _facts(s),
            _HEAD + "Your instructions</h2>",
            _lines(s.instructions.splitlines(), weight=700, size=14),
            _HEAD + "What is normal today</h2>",
            _lines(NORMAL_AFTER),
            _HEAD + "Call the clinic if</h2>",
            _lines(CALL_CLINIC_IF),
            _HEAD + f"Call {e(s.clinic.emergency)} straight away if</h2>",
            _lines((CALL_EMERGENCY_IF,), weight=700, size=14),
        )
    )


def _title(s: SessionSummary) -> str:
    sess = s.session
    day = local(s, sess.times.checked_in_at, with_date=True)[:10]
    return (
        f'<p style="font-size: 13pt; margin: 0;"><b>{e(s.clinic.name)}</b></p>'
        f'<p style="font-size: 21pt; font-weight: 700; margin-top: 4px; margin-bottom: 0;">'
        f"{TITLE}</p>"
        f'<p style="font-size: 13pt; margin-top: 2px;">{FOR_YOU}: <b>{e(sess.patient_name)}'
        f"</b> · {e(day)} · {e(sess.course_label)}</p>"
    )


def _left_early(s: SessionSummary) -> str:
    if s.outcome != Outcome.AMA:
        return ""
    return (
        f'<table border="2" cellpadding="6" width="100%" style="border-color:{DARK_RED};">'
        f'<tr><td bgcolor="#fdecea"><p {_BIG}><b>You left before the care team judged you '
        "ready to go home.</b> Follow these instructions closely, have someone stay with "
        "you tonight, and call the clinic if anything worries you.</p></td></tr></table>"
    )


def _contacts(s: SessionSummary) -> str:
    phone = s.clinic.phone.strip()
    clinic = (
        f'<span style="font-size: 20pt;"><b>{e(phone)}</b></span>'
        if phone
        else '<span style="font-size: 20pt;"><b>________________</b></span>'
        f'<p style="font-size: 10pt; margin: 0;">{NO_PHONE}</p>'
    )
    return (
        '<table border="2" cellspacing="0" cellpadding="8" width="100%" '
        'style="border-color:#333; margin-top: 6px;">'
        f'<tr><td width="50%"><p {_BIG}>Call the clinic</p>{clinic}</td>'
        f'<td><p {_BIG}>Emergency</p><span style="font-size: 20pt;">'
        f"<b>Call {e(s.clinic.emergency)}</b></span></td></tr></table>"
    )


def _facts(s: SessionSummary) -> str:
    a = s.answers
    escort = "—"
    if a is not None and a.escort.name.strip():
        relation = f" ({e(a.escort.relationship)})" if a.escort.relationship.strip() else ""
        escort = f"<b>{e(a.escort.name)}</b>{relation}"
    visit = (
        f"<b>{e(local(s, s.next_appointment_at, with_date=True))}</b>"
        if s.next_appointment_at
        else "Not booked yet: the clinic will call you to book it."
    )
    left = local(s, s.discharged_at) if s.discharged_at else ""
    nurse = f" with {e(s.discharged_by)}" if s.discharged_by else ""
    facts = [
        ("Your escort", escort),
        ("Allergies", allergies(s)),
        ("Next visit", visit),
    ]
    if left:
        facts.append(("Went home", f"{e(left)}{nurse}"))
    cells = "".join(
        f'<tr><td width="28%"><p {_BIG}>{e(k)}</p></td><td><p {_BIG}>{v}</p></td></tr>'
        for k, v in facts
    )
    return (
        '<table border="0" cellspacing="0" cellpadding="2" width="100%" '
        f'style="margin-top: 6px;">{cells}</table>'
    )


def _lines(lines: tuple[str, ...] | list[str], weight: int = 400, size: int = 13) -> str:
    items = "".join(
        f'<li style="font-size: {size}pt; font-weight: {weight};">{e(line.strip())}</li>'
        for line in lines
        if line.strip()
    )
    return f'<ul style="margin-top: 0; margin-bottom: 0;">{items}</ul>'
