"""The course report for the referring clinician, from the command line, read back from the
PDF: the patient, the course with its PHQ-9 response in words, the scores, every session's
dose and side effects, the signature block; an unknown MRN is refused in words."""

from __future__ import annotations

import unicodedata

import pypdf

from ketamon.cli import main
from tests.conftest import NURSE, draft
from tests.reports.conftest import discharged_session


def pdf_text(path) -> str:
    """Every page's text (pypdf, a test dependency: no poppler needed on the machine)."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_the_course_report_tells_the_course_in_words(qapp, clinic, clock, db_url, tmp_path, capsys):
    clinic.settings.update(NURSE, initial_course_length=3)
    patient = clinic.patients.register(NURSE, draft("KM-77", "Rosa Rossi", allergies="Latex"))
    for answers in ([3, 3, 2, 2, 2, 2, 2, 3, 0], [1, 1, 1, 1, 1, 1, 1, 2, 0]):
        discharged_session(clinic, clock, sets=16, phq9=answers, patient=patient)
        clock.advance(hours=72)
    clinic.outcomes.record_visit(NURSE, patient.id, "GAD-7", [2] * 7)
    out = tmp_path / "course.pdf"
    assert main(["course-report", "km-77", "--pdf", str(out), "--db", db_url]) == 0
    assert "Wrote" in capsys.readouterr().out
    text = " ".join(unicodedata.normalize("NFKC", pdf_text(out)).split())  # no ligatures
    for expected in (
        "Rosa Rossi",
        "KM-77",
        "ALLERGIES: Latex",
        "Course 1: Initial series (2 of 3 given)",
        "PHQ-9 19 → 9 (−53%): response (at least 50 % below the baseline PHQ-9)",
        "GAD-7 14 moderate",
        "Nausea (moderate)",
        "Reviewing physician",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert "nurse.jo" not in text  # people by name, never by username


def test_an_unknown_mrn_is_refused_in_words(qapp, clinic, db_url, tmp_path, capsys) -> None:
    out = tmp_path / "none.pdf"
    assert main(["course-report", "NOPE-1", "--pdf", str(out), "--db", db_url]) != 0
    assert "No patient with MRN 'NOPE-1'" in capsys.readouterr().err
