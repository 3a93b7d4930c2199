"""CSV export (issue 18): one file per kind of record for the period, read back with the
csv module: a header row, every time in UTC and local with its zone, numbers unformatted,
voided and corrected rows present and marked; only physicians and administrators export;
every export is on the audit trail; files already there are never overwritten."""

from __future__ import annotations

import csv
from datetime import UTC, date, timedelta, timezone

import pytest
from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.vitals import VitalsDraft
from ketamon.storage.models import AuditRow
from tests.conftest import NURSE, PASSWORD, T0, add_user, draft
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends
DOC = Actor("dr.patel", "Priya Patel, MD")
DAY = T0.date()


def read(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def exported(clinic, clock, tmp_path):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    patient = clinic.patients.register(NURSE, draft("KM-70001", "Iris Export"))
    s = discharged_session(clinic, clock, sets=6, phq9=[1] * 8 + [0], patient=patient)
    sets = clinic.vitals.for_session(s.id)
    clinic.vitals.correct(
        NURSE, sets[1].id, VitalsDraft(130, 80, 77, 98, 14), "Heart rate typed wrongly"
    )
    clinic.vitals.void(NURSE, sets[2].id, "Entered twice")
    result = clinic.exports.csv(DOC, DAY, DAY, tmp_path / "out", tz=UTC)
    return s, result


def test_every_file_reads_back_with_times_in_utc_and_local(clinic, exported):
    s, result = exported
    assert set(result.files) == {
        "sessions", "vitals", "side_effects", "medications", "dose_records", "outcome_scores"
    }  # fmt: skip
    sessions = read(result.files["sessions"])
    assert [(r["id"], r["patient_mrn"], r["phase"]) for r in sessions] == [
        (str(s.id), "KM-70001", "discharged")
    ]
    row = sessions[0]
    assert row["checked_in_at_utc"].endswith("Z") and "T" in row["checked_in_at_utc"]
    assert row["checked_in_at_local"].endswith(" UTC")
    assert "version" not in row and "active_chair_id" not in row
    vitals = read(result.files["vitals"])
    assert len(vitals) == result.counts["vitals"] == 6 + 1  # 6 sets and the correction
    statuses = sorted(r["status"] for r in vitals)
    assert statuses.count("corrected") == 1 and statuses.count("voided") == 1
    correction = next(r for r in vitals if r["corrects_id"])
    assert correction["heart_rate"] == "77"
    voided = next(r for r in vitals if r["status"] == "voided")
    assert voided["status_reason"] == "Entered twice"
    dose = read(result.files["dose_records"])[0]
    assert dose["actual_mg"] == "36.0" and dose["witness"] == "witness.kim"
    meds = read(result.files["medications"])
    assert [m["drug"] for m in meds] == ["ondansetron"]
    scores = read(result.files["outcome_scores"])
    # the PHQ-9 the test gave, and the GAD-7 asked before the start (all "Not at all")
    assert [(r["instrument"], r["total"]) for r in scores] == [("PHQ-9", "8"), ("GAD-7", "0")]


def test_the_export_is_on_the_audit_trail_with_what_and_how_many(clinic, exported):
    _s, result = exported
    with clinic.db.transaction(write=False) as tx:
        rows = tx.scalars(select(AuditRow).where(AuditRow.action == "export")).all()
    assert len(rows) == 1 and rows[0].actor == "dr.patel"
    words = rows[0].new_value
    assert words.startswith(f"csv {DAY}..{DAY}: sessions 1, vitals 7")
    assert str(result.files["sessions"].parent) in rows[0].reason
    assert clinic.audit.verify() == []  # the trail still checks whole


def test_files_already_there_are_never_overwritten(clinic, exported, tmp_path):
    _s, result = exported
    before = result.files["sessions"].read_bytes()
    with pytest.raises(FieldError, match="already has sessions.csv"):
        clinic.exports.csv(DOC, DAY, DAY, result.files["sessions"].parent, tz=UTC)
    assert result.files["sessions"].read_bytes() == before


def test_a_nurse_may_not_export_and_nothing_is_written(clinic, tmp_path):
    with pytest.raises(DomainError, match="Unknown user"):
        clinic.exports.csv(Actor("nurse.sam", "Sam"), DAY, DAY, tmp_path / "x")
    add_user(clinic, "nurse.sam", "Sam Okoye", "RN", "nurse", PASSWORD)
    with pytest.raises(DomainError, match="physician or an administrator"):
        clinic.exports.csv(Actor("nurse.sam", "Sam Okoye, RN"), DAY, DAY, tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_the_period_is_whole_days_in_the_clinics_zone_and_checked(clinic, clock, tmp_path):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    discharged_session(clinic, clock, sets=6)  # checked in at T0, 14:00 UTC
    east = timezone(timedelta(hours=11))  # 01:00 the next day there
    here = clinic.exports.csv(DOC, DAY, DAY, tmp_path / "utc", tz=UTC)
    there = clinic.exports.csv(DOC, DAY, DAY, tmp_path / "east", tz=east)
    assert here.counts["sessions"] == 1 and there.counts["sessions"] == 0
    with pytest.raises(FieldError, match="To must be on or after From"):
        clinic.exports.csv(DOC, DAY, DAY - timedelta(days=1), tmp_path / "bad")
    with pytest.raises(FieldError, match="a date"):
        clinic.exports.csv(DOC, "2026-03-02", DAY, tmp_path / "bad")


def test_a_byte_order_mark_for_spreadsheets_when_asked(clinic, clock, tmp_path):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    result = clinic.exports.csv(DOC, date(2026, 1, 1), DAY, tmp_path / "bom", bom=True)
    assert result.files["sessions"].read_bytes().startswith(b"\xef\xbb\xbfid,")


def test_the_audit_lists_exports_newest_first(clinic, exported, tmp_path):
    clinic.exports.substance_log(DOC, DAY, DAY, tz=UTC)
    listed = clinic.audit.exports()
    assert [e.new_value.split(" ")[0] for e in listed] == ["controlled-substance", "csv"]
    assert all(e.actor == "dr.patel" for e in listed)
