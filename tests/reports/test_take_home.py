"""The summary's first page is written for the patient and escort (large type, plain words:
instructions, when to call, the clinic's phone and the emergency number, escort, allergies,
next visit); the clinical record follows from page 2. Read back out of the PDF, page by
page, as the escort would read it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, timedelta
from html import unescape

import pypdf
import pytest

from ketamon.domain.actors import Actor
from ketamon.domain.discharge import AgainstAdvice
from ketamon.domain.errors import FieldError
from ketamon.domain.settings import ClinicSettings, emergency_number_for
from ketamon.domain.summary import PHONE_GAP
from ketamon.reports import pdf
from ketamon.reports.pdf import write_pdf
from ketamon.reports.summary_html import RECORD_TITLE, build_html
from ketamon.reports.take_home import NO_PHONE
from ketamon.services.review import ReviewService
from tests.conftest import NURSE, PASSWORD, add_user

PHONE = "(212) 555-0100"


def _pages(path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(str(path)).pages]


def _lines(path) -> list[list[str]]:
    """Each page's lines, without the running header and the "Page n of N" footer."""
    pages = []
    for page in pypdf.PdfReader(str(path)).pages:
        text = unicodedata.normalize("NFKC", page.extract_text())  # "ﬀ" -> "ff"
        lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
        pages.append(
            [
                line
                for line in lines
                if not re.fullmatch(r"Page \d+ of \d+", line) and "Printed " not in line
            ]
        )
    return pages


def _headings(html: str) -> set[str]:
    return {
        unescape(re.sub(r"<[^>]+>", "", h)).strip()
        for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html)
    }


@pytest.fixture
def with_phone(clinic):
    clinic.settings.update(NURSE, clinic_phone=PHONE, clinic_name="Harbor Ketamine Clinic")


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_page_one_is_for_the_patient_and_escort(
    clinic, clock, finished, with_phone, tmp_path, qapp, paper
):
    clock.advance(days=1)
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    patient = replace(summary.patient, allergies="Penicillin", no_known_allergies=False)
    visit = summary.discharged_at + timedelta(days=3)
    summary = replace(summary, patient=patient, next_appointment_at=visit)
    path = tmp_path / "summary.pdf"
    write_pdf(summary, path, paper)
    first, *rest = _pages(path)
    for needle in (
        "Going home after your ketamine infusion",
        "For you and your escort: Maria Gonzalez",
        "Do not drive or operate machinery until the next day, after a restful night's sleep",
        "do not drink alcohol or use cannabis, for 24 hours",
        "What is normal today",
        "Call the clinic if",
        f"Call the clinic {PHONE}",
        "Call 911",
        "Luis Gonzalez (Brother)",
        "Allergies ALLERGIES: Penicillin",
        f"Next visit {visit:%Y-%m-%d %H:%M} UTC",
        "with Jo Rivera, RN",
        "Call 911 straight away if Chest pain, trouble breathing",
        "thoughts of harming yourself.",  # the last line: the page holds it all
    ):
        assert needle in first, needle
    assert RECORD_TITLE not in first and "Dose record" not in first
    assert rest[0].startswith("Maria Gonzalez · MRN KM-20001")
    assert f"{RECORD_TITLE}: ketamine infusion discharge summary" in rest[0]


def test_without_a_phone_the_gap_is_named_and_the_page_leaves_a_blank(
    clinic, finished, tmp_path, qapp
):
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    assert summary.clinic.phone == ""
    assert list(summary.gaps()) == [PHONE_GAP]
    assert "Clinic phone" in summary.gaps()[PHONE_GAP]
    path = tmp_path / "summary.pdf"
    write_pdf(summary, path)
    first = _pages(path)[0]
    assert "________________" in first
    assert " ".join(NO_PHONE.split()) in first
    clinic.settings.update(NURSE, clinic_phone=PHONE)
    assert clinic.summary.snapshot(finished.id, tz=UTC).gaps() == {}


def test_the_emergency_number_follows_the_region_unless_set(clinic, finished):
    assert clinic.summary.snapshot(finished.id).clinic.emergency == "911"
    clinic.settings.update(NURSE, phone_region="GB")
    assert clinic.summary.snapshot(finished.id).clinic.emergency == "999"
    clinic.settings.update(NURSE, phone_region="DE")
    html = build_html(clinic.summary.snapshot(finished.id, tz=UTC), chart=False)
    assert "<b>Call 112</b>" in html and "Call 112 straight away if" in html
    clinic.settings.update(NURSE, emergency_number="144")
    assert clinic.summary.snapshot(finished.id).clinic.emergency == "144"
    assert [emergency_number_for(r) for r in ("US", "gb", "FR", "AU", "ZZ")] == [
        "911",
        "999",
        "112",
        "000",
        "112",
    ]
    with pytest.raises(FieldError, match="Emergency number must contain digits"):
        ClinicSettings(emergency_number="ambulance").validate()


def test_no_username_appears_anywhere_in_the_document(
    clinic, clock, finished, with_phone, tmp_path, qapp
):
    """Every person by display name: the nurse (nurse.jo), the waste witness (witness.kim),
    the escort's verifier, the signing physician and an addendum's author."""
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    review = ReviewService(clinic.db, clinic.clock)
    review.sign(
        Actor("dr.patel", "Priya Patel, MD"),
        finished.id,
        PASSWORD,
        "Reviewed",
        reviewed=review.record_digest(finished.id),
    )
    clock.advance(hours=2)
    review.add_addendum(NURSE, finished.id, "Phoned: home safely", "Follow-up call", PASSWORD)
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    html = build_html(summary)
    path = tmp_path / "summary.pdf"
    write_pdf(summary, path)
    text = " ".join(_pages(path))
    for name in ("Jo Rivera, RN", "Kim Osei, RN", "Priya Patel, MD"):
        assert name in text, name
    usernames = {u.username for u in clinic.users.all()}
    assert {"nurse.jo", "witness.kim", "dr.patel"} <= usernames
    for username in usernames:
        assert username not in html and username not in text, username
    # an account no longer on file is never printed by its username either
    assert replace(summary, user_names={}).who("nurse.jo") == "a former staff member"


def test_no_page_ends_with_a_heading(
    clinic, clock, finished, with_phone, tmp_path, qapp, monkeypatch
):
    """Any length of record, A4 or Letter: the last line of every page is never a heading
    (and the check does find one when headings are not kept with what follows)."""
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    headings = _headings(build_html(summary))
    assert {"Vitals", "Side effects", "Physician review"} <= headings

    def orphans(papers=("A4", "Letter")) -> list[tuple[int, int, str]]:
        found = []
        for sets in range(2, len(summary.vitals) + 1, 4):
            for paper in papers:
                path = tmp_path / f"{sets}-{paper}.pdf"
                write_pdf(replace(summary, vitals=summary.vitals[:sets]), path, paper)
                for number, lines in enumerate(_lines(path), start=1):
                    if lines and lines[-1] in headings:
                        found.append((sets, number, lines[-1]))
        return found

    assert orphans() == []
    monkeypatch.setattr(pdf, "keep_headings_with_next", lambda document: None)
    assert orphans(("A4",)), "the check would not notice an orphaned heading"


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_patient_who_left_against_advice_is_told_so_on_page_one(
    clinic, finished, with_phone, tmp_path, qapp, paper
):
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    ama = AgainstAdvice("Would not wait for the escort", "witness.kim", False)
    path = tmp_path / "ama.pdf"
    write_pdf(replace(summary, outcome="ama", ama=ama), path, paper)
    first, second, *_ = _pages(path)
    assert "You left before the care team judged you ready to go home" in first
    assert "thoughts of harming yourself." in first and RECORD_TITLE not in first
    assert "LEFT AGAINST MEDICAL ADVICE" in second


def test_the_record_alone_leaves_the_patient_page_out(clinic, finished):
    """The session window's Record tab shows the clinical record, not the take-home page."""
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    record = build_html(summary, chart=False, patient_page=False)
    assert RECORD_TITLE in record and "Going home after your ketamine infusion" not in record
    assert "Going home after your ketamine infusion" in build_html(summary, chart=False)
