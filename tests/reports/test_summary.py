"""The discharge summary: the HTML from a snapshot, and the PDF a patient takes home.

The PDF tests read the text back out of the file (pypdf), as a reader would find it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC

import pypdf
import pytest

from ketamon.cli import main
from ketamon.domain.actors import Actor
from ketamon.domain.discharge import AgainstAdvice
from ketamon.domain.news2 import default_chart, score
from ketamon.domain.review import Signature
from ketamon.domain.vitals import Grade
from ketamon.reports.pdf import ReportError, write_pdf
from ketamon.reports.summary_html import NOT_REVIEWED, build_html
from tests.conftest import NURSE, ask_questionnaires, baseline, draft, plan_dose
from tests.reports.conftest import discharged_session


def pdf_pages(path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(str(path)).pages]


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_html_names_patient_times_escort_and_instructions(clinic, clock, finished):
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    html = build_html(summary)
    assert "Maria Gonzalez" in html and "KM-20001" in html and "1980-05-17" in html
    assert "Infusion 1 of 6 · Chair 1" in html
    times = summary.session.times
    assert f"<td>{times.started_at:%H:%M} UTC</td>" in html
    assert "Luis Gonzalez" in html and "+1 212-555-0143" in html
    assert "Yes, in person, by Jo Rivera, RN" in html
    assert "Do not drive or operate machinery until the next day" in html
    assert "PADSS 10/10" in html
    assert NOT_REVIEWED in html
    assert "LEFT AGAINST MEDICAL ADVICE" not in html
    assert html.count("<td>baseline</td>") == 1


def test_html_flags_worrying_values_in_words(clinic, clock, finished):
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    first = summary.vitals[1]
    red = replace(first, values=replace(first.values, systolic=188), grades={"systolic": Grade.RED})
    html = build_html(replace(summary, vitals=(red, *summary.vitals[2:])))
    assert "188/" in html and "RED</font>" in html


def test_html_states_against_advice_prominently_and_shows_a_signature(clinic, clock, finished):
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    ama = replace(
        summary,
        outcome="ama",
        ama=AgainstAdvice("Would not wait for the escort", "nurse.jo", False),
        signature=Signature(1, "dr.a", "Dr A", "MD", "Reviewed", "", summary.printed_at, "x"),
    )
    html = build_html(ama)
    assert html.index("LEFT AGAINST MEDICAL ADVICE") < html.index("Patient and session")
    assert "Would not wait for the escort" in html and "NO escort was present" in html
    assert "Electronically signed by Dr A, MD" in html and NOT_REVIEWED not in html


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_pdf_has_every_vitals_row_and_patient_on_every_page(
    clinic, clock, finished, tmp_path, qapp, paper
):
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    path = tmp_path / f"summary-{paper}.pdf"
    pages = write_pdf(summary, path, paper)
    texts = pdf_pages(path)
    assert len(texts) == pages >= 2
    for number, text in enumerate(texts, start=1):
        assert "Maria Gonzalez · MRN KM-20001" in _squash(text)
        assert f"Page {number} of {pages}" in _squash(text)
    everything = _squash(" ".join(texts))
    full = [v for v in summary.vitals if v.values.systolic is not None]
    assert len(full) == 40
    for v in full:
        row = f"{v.taken_at:%H:%M} UTC {v.phase.value.replace('_', '-')} {v.values.systolic}/"
        assert row in everything, row
    for needle in (
        "Luis Gonzalez",
        "+1 212-555-0143",
        "Do not drive or operate machinery until the next day",
        f"Checked in {summary.session.times.checked_in_at:%H:%M} UTC",
        f"Discharged {summary.discharged_at:%H:%M} UTC",
        "Discharging nurse Jo Rivera, RN",
        "Nausea",
        "Moderate",
        "ondansetron 4 mg IV Jo Rivera, RN Nausea",
        "Drug lot number LOT-4411",
        "Total planned 36.2 mg",
        "Actual given 36 mg",
        "Wasted 0.25 mg",
        "Waste witnessed by Kim Osei, RN",
    ):
        assert needle in everything, needle
    box = pypdf.PdfReader(str(path)).pages[0].mediabox
    expected = (595, 842) if paper == "A4" else (612, 792)
    assert (round(float(box.width)), round(float(box.height))) == expected


def test_a_short_session_fits_fewer_pages_than_a_long_one(clinic, clock, tmp_path, qapp):
    short = discharged_session(clinic, clock, sets=6)
    pages = write_pdf(clinic.summary.snapshot(short.id, tz=UTC), tmp_path / "s.pdf")
    assert 2 <= pages <= 4  # the take-home page, then the record


def test_unwritable_places_are_refused_with_the_file_named(clinic, clock, finished, tmp_path, qapp):
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    with pytest.raises(ReportError, match="does not exist"):
        write_pdf(summary, tmp_path / "missing" / "x.pdf")
    with pytest.raises(ReportError, match="is a folder"):
        write_pdf(summary, tmp_path)
    with pytest.raises(ReportError, match="Unknown paper size"):
        write_pdf(summary, tmp_path / "x.pdf", "A5")


def test_cli_writes_the_same_pdf_and_fails_in_one_line(
    clinic, clock, finished, db_url, tmp_path, qapp, capsys
):
    target = tmp_path / "cli.pdf"
    assert main(["summary", str(finished.id), "--pdf", str(target), "--db", db_url]) == 0
    assert "Maria Gonzalez" in _squash(" ".join(pdf_pages(target)))
    capsys.readouterr()
    assert main(["summary", "999", "--pdf", str(target), "--db", db_url]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "ketamon: Session 999 not found"
    bad = tmp_path / "nowhere" / "x.pdf"
    assert main(["summary", str(finished.id), "--pdf", str(bad), "--db", db_url]) == 1
    assert capsys.readouterr().err.strip().endswith("does not exist")


def test_cli_never_writes_the_pdf_over_the_database(
    clinic, finished, db_url, tmp_path, qapp, capsys
):
    db = clinic.db.path
    size = db.stat().st_size
    for target in (db, f"{db}-wal", tmp_path / "clinic.pdf"):
        if target == tmp_path / "clinic.pdf":
            target.symlink_to(db)  # the database under a PDF's name
        assert main(["summary", str(finished.id), "--pdf", str(target), "--db", db_url]) == 1
        err = capsys.readouterr().err.strip()
        assert err == f"ketamon: {target} is a clinic database file; nothing written"
    assert db.stat().st_size == size
    assert clinic.chairs.all()  # still a database


def test_a_signed_summary_prints_the_manifestation_and_addenda(
    clinic, clock, finished, tmp_path, qapp
):
    from ketamon.services.review import ReviewService
    from tests.conftest import NURSE, PASSWORD, add_user

    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    review = ReviewService(clinic.db, clinic.clock)
    doc = Actor("dr.patel", "Priya Patel, MD")
    review.sign(
        doc,
        finished.id,
        PASSWORD,
        "Reviewed and approved",
        reviewed=review.record_digest(finished.id),
    )
    clock.advance(hours=3)
    review.add_addendum(
        NURSE, finished.id, "Patient phoned: home safely", "Follow-up call", PASSWORD
    )
    path = tmp_path / "signed.pdf"
    write_pdf(clinic.summary.snapshot(finished.id, tz=UTC), path)
    text = _squash(" ".join(pdf_pages(path)))
    signed_at = review.signature(finished.id).signed_at
    assert (
        "Electronically signed by Priya Patel, MD — Reviewed and approved — "
        f"{signed_at:%Y-%m-%d %H:%M} UTC"
    ) in text
    assert "Addendum after signing" in text and "Patient phoned: home safely" in text
    assert "Not yet reviewed" not in text


def test_html_shows_news2_per_set_with_the_rcp_key(clinic, clock, finished):
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    first = summary.vitals[1]
    scored = replace(
        first,
        values=replace(first.values, oxygen=True),
        news2=score(default_chart(), full_values(), oxygen=True),
    )
    html = build_html(replace(summary, vitals=(scored, *summary.vitals[2:])))
    assert "<th>NEWS2</th>" in html or ">NEWS2<" in html
    assert "7 high, on O2" in html
    assert "high 7 or more = emergency response" in html


def full_values():
    return dict(resp_rate=22, heart_rate=115, spo2=95, systolic=120, temperature=36.8, sedation=5)


def test_the_starts_recorded_decisions_are_in_the_record(clinic, clock):
    """A start without an escort plan (or a dose plan, or a recent baseline) says why on
    the clinical record, as an early stop does."""
    patient = clinic.patients.register(NURSE, draft("KM-30003", "Ana Ruiz"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id)
    plan_dose(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id, no_escort_reason="Her sister is on the way")
    html = build_html(clinic.summary.snapshot(s.id, tz=UTC))
    assert (
        f"<td>{clock():%H:%M} UTC (Started without a confirmed escort plan: "
        "Her sister is on the way)</td>"
    ) in html
