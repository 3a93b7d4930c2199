"""The summary prints the discharge criteria KetaMon checks from the record, with their
evidence, and never a criterion "Met" that the record contradicts; a physician's decision
on a severe side effect is printed beside it."""

from __future__ import annotations

import re
from datetime import UTC
from html import unescape

import pypdf

from ketamon.domain.discharge import AgainstAdvice
from ketamon.domain.side_effects import Severity
from ketamon.reports.pdf import write_pdf
from ketamon.reports.summary_html import build_html
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    complete_dose,
    draft,
    plan_escort,
)
from tests.reports.conftest import ANSWERS


def _row(html: str, criterion: str) -> str:
    """The checklist row of `criterion`, tags removed: "criterion | result | evidence"."""
    match = re.search(rf"<tr><td>{re.escape(criterion)}</td>.*?</tr>", html)
    assert match, criterion
    return unescape(re.sub(r"<[^>]+>", "|", match.group(0)))


def _session(clinic, clock, severe: str):
    patient = clinic.patients.register(NURSE, draft("KM-20002", "Rosa Diaz"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id, sedation=5)
    clinic.dose.plan(NURSE, s.id, 72.5, 0.5, 10, "LOT-4411")
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(minutes=2)
    effect = clinic.side_effects.tick(NURSE, s.id, severe, severity=Severity.SEVERE)
    clock.advance(minutes=38)
    clinic.sessions.stop(NURSE, s.id)
    clock.advance(minutes=35)
    baseline(clinic, s.id, sedation=5)
    return s, effect


def test_a_patient_who_left_with_severe_nausea_open_is_never_printed_met(clinic, clock):
    """The issue's summary printed "Nausea SEVERE, not resolved" beside "Nausea controlled:
    Met". Answers saved before the nausea was graded severe, dose never completed."""
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    patient = clinic.patients.register(NURSE, draft("KM-20003", "Ana Ruiz"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id, sedation=5)
    clinic.dose.plan(NURSE, s.id, 72.5, 0.5, 10, "LOT-4411")
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(minutes=2, seconds=38)
    clinic.sessions.stop(NURSE, s.id, "Patient distressed")
    clinic.discharge.save_answers(NURSE, s.id, ANSWERS)  # nausea "minimal"
    nausea = clinic.side_effects.tick(NURSE, s.id, "nausea")
    clinic.side_effects.set_severity(NURSE, nausea.id, Severity.SEVERE)
    ama = AgainstAdvice("Wanted to go home", "nurse.kim", True)
    clinic.discharge.leave_against_advice(NURSE, s.id, ama)

    html = build_html(clinic.summary.snapshot(s.id, tz=UTC), chart=False)
    nausea_row = _row(html, "Nausea / vomiting controlled")
    assert "NOT MET" in nausea_row and "Met|" not in nausea_row.replace("NOT MET", "")
    assert "contradicts the record: Nausea SEVERE since" in nausea_row
    assert "NOT MET" in _row(html, "No SEVERE side effect unresolved")
    dose = _row(html, "Dose record completed (given, wasted, witness)")
    assert "NOT MET" in dose and "Schedule III" in dose
    stop = _row(html, "Infusion ran to its target, or stopped early with a reason")
    assert "Met" in stop and "Stopped early at 02:38 of 40:00: Patient distressed" in stop
    assert "LEFT AGAINST MEDICAL ADVICE" in html


def test_a_physicians_decision_is_printed_beside_the_side_effect(clinic, clock, tmp_path, qapp):
    add_user(clinic, "dr.patel", "Anil Patel", "MD", "physician", PASSWORD)
    s, effect = _session(clinic, clock, "headache")
    clinic.side_effects.record_physician_decision(
        NURSE, effect.id, "Known migraine; home with escort", "dr.patel", PASSWORD
    )
    complete_dose(clinic, s.id)
    clinic.discharge.save_answers(NURSE, s.id, ANSWERS)
    clinic.discharge.discharge(NURSE, s.id)

    summary = clinic.summary.snapshot(s.id, tz=UTC)
    html = build_html(summary, chart=False)
    when = f"{clock():%H:%M} UTC"
    assert (
        f"<b>not resolved</b>; <b>physician's decision</b> (Anil Patel, MD, {when}): "
        "Known migraine; home with escort"
    ) in html
    row = _row(html, "No SEVERE side effect unresolved")
    assert "Met" in row and "physician's decision by Anil Patel, MD" in row
    path = tmp_path / "summary.pdf"
    write_pdf(summary, path)
    text = " ".join(
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(str(path)).pages
    )
    assert "physician's decision (Anil Patel, MD" in text
    assert "Known migraine; home with escort" in text
    assert "waste witnessed by Dana Witness, RN" in text


def test_the_clinical_record_prints_the_questionnaires_and_the_item9_decision(clinic, clock):
    """Issue 17: PHQ-9 item 9 and the clinician's decision appear on the summary's
    clinical part (never on the take-home page for the patient and escort)."""
    from ketamon.domain.outcomes import CssrsScreen

    patient = clinic.patients.register(NURSE, draft("KM-20003", "Ines Moreau"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id, sedation=5)
    clinic.dose.plan(NURSE, s.id, 72.5, 0.5, 10, "LOT-4411")
    phq = clinic.outcomes.record(NURSE, s.id, "PHQ-9", [3, 3, 2, 2, 2, 2, 2, 2, 1])
    clinic.outcomes.record(NURSE, s.id, "GAD-7", [2] * 7, self_completed=True)
    clinic.outcomes.review_item9(
        NURSE, phq.id, "proceed", "Passive thoughts, safety plan in place",
        screen=CssrsScreen(wish_dead=True, suicidal_thoughts=False),
    )  # fmt: skip
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    html = build_html(clinic.summary.snapshot(s.id, UTC), chart=False)
    record = html[html.index("Questionnaires before the infusion") :]
    text = unescape(re.sub(r"<[^>]+>", " ", record))
    assert "PHQ-9 19 (moderately severe)" in text and "ITEM 9 = 1" in text
    assert "GAD-7 14 (moderate)" in text and "Jo Rivera, RN (self-completed)" in text
    assert "PHQ-9 item 9 = 1 : reviewed by Jo Rivera, RN" in text
    assert "decision  proceed  (Passive thoughts, safety plan in place)" in text
    assert "C-SSRS screener: low risk" in text
    take_home_page = html[: html.index("The clinical record")]
    assert "item 9" not in take_home_page.lower()


def test_an_unreviewed_item9_says_so_on_the_record(clinic, clock):
    patient = clinic.patients.register(NURSE, draft("KM-20004", "Ole Berg"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    clinic.outcomes.record(NURSE, s.id, "PHQ-9", [1, 1, 1, 1, 1, 1, 1, 1, 2])
    html = build_html(clinic.summary.snapshot(s.id, UTC), chart=False)
    assert "PHQ-9 item 9 = 2: NOT REVIEWED by a clinician." in unescape(html)
