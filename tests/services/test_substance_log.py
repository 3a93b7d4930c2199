"""The controlled-substance log (issue 18): every ketamine administration and waste of the
period, incomplete records first in words, totals per lot and per day; read back as CSV
and as PDF text; a physician's or an administrator's disclosure, on the audit trail."""

from __future__ import annotations

import csv
from datetime import UTC, timedelta

import pypdf
import pytest
from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError
from ketamon.reports.substance_log import (
    CSV_COLUMNS,
    total_mg,
    write_substance_csv,
    write_substance_pdf,
)
from ketamon.storage.models import AuditRow
from ketamon.ui.app import application
from tests.conftest import NURSE, PASSWORD, add_user, draft, plan_dose
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends
DOC = Actor("dr.patel", "Priya Patel, MD")


@pytest.fixture
def log(clinic, clock):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    done = discharged_session(clinic, clock, sets=6)  # given 36 mg, 0.25 wasted, witnessed
    patient = clinic.patients.register(NURSE, draft("KM-80002", "Omar Open"))
    clock.advance(minutes=5)
    open_session = clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40)
    plan_dose(clinic, open_session.id, lot_number="KET-99")  # planned, never completed
    day = done.times.checked_in_at.date()
    return clinic.exports.substance_log(DOC, day, day, tz=UTC), done, open_session


def test_incomplete_first_in_words_then_by_time_with_totals(log):
    result, done, open_session = log
    first, second = result.entries
    assert first.session_id == open_session.id and first.missing.startswith("INCOMPLETE:")
    assert "the amount given" in first.missing and "the amount wasted" in first.missing
    assert second.session_id == done.id and second.missing == ""
    assert (second.given_mg, second.wasted_mg, second.witness) == (36.0, 0.25, "Kim Osei, RN")
    assert second.nurse == "Jo Rivera, RN"  # display names, never usernames
    lots = {t.key: t for t in result.by_lot}
    assert lots["LOT-4411"].given_mg == 36.0 and lots["LOT-4411"].given_unknown == 0
    # the open record's amounts are unknown, counted apart, never added as 0 mg
    assert (lots["KET-99"].given_unknown, lots["KET-99"].wasted_unknown) == (1, 1)
    (day,) = result.by_day
    assert day.records == 2 and day.wasted_mg == 0.25 and day.given_unknown == 1
    assert total_mg(day.given_mg, day.given_unknown, day.records) == "36 + 1 NOT RECORDED"
    assert total_mg(0.0, 1, 1) == "NOT RECORDED (1)"


def test_read_back_as_csv_and_pdf(log, tmp_path):
    result, _done, _open = log
    path = tmp_path / "log.csv"
    assert write_substance_csv(result, path) == 2
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows[0]["patient_mrn"] == "KM-80002" and rows[0]["given_mg"] == ""
    assert rows[1]["given_mg"] == "36.0" and rows[1]["at_utc"].endswith("Z")
    application()
    pdf = tmp_path / "log.pdf"
    assert write_substance_pdf(result, pdf) >= 1
    text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(pdf).pages)
    for words in (
        "Controlled-substance log", "INCOMPLETE", "Totals per lot", "KET-99", "Omar",
        "NOT RECORDED (1)", "36 + 1 NOT RECORDED",
    ):  # fmt: skip
        assert words in text, words


def test_a_disclosure_on_the_trail_and_a_nurse_refused(clinic, log):
    with clinic.db.transaction(write=False) as tx:
        rows = tx.scalars(select(AuditRow).where(AuditRow.action == "export")).all()
    assert [r.actor for r in rows] == ["dr.patel"]
    assert rows[0].new_value.startswith("controlled-substance log ") and "dose records 2" in (
        rows[0].new_value
    )
    add_user(clinic, "nurse.sam", "Sam Okoye", "RN", "nurse", PASSWORD)
    day = log[1].times.checked_in_at.date()
    with pytest.raises(DomainError, match="physician or an administrator"):
        clinic.exports.substance_log(Actor("nurse.sam", "Sam Okoye, RN"), day, day + timedelta(1))
