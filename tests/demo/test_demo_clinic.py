"""The demo looks like a real clinic: its name, address, phone and emergency number are
set; past sessions are signed by the demo physician (a few with addenda) and the last two
days wait for review; some past sessions had a RED vital or a SEVERE side effect, so the
review list's alerts filter finds them; sessions happen in clinic hours in local time."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from ketamon.demo.data import CLINIC
from ketamon.demo.seed import seed_demo
from ketamon.domain.clock import FakeClock
from ketamon.domain.instruments import Instrument
from ketamon.domain.outcomes import Decision
from ketamon.domain.review import ReviewStatus
from ketamon.domain.sessions import Phase
from ketamon.reports.summary_html import build_html
from ketamon.services.review import ReviewFilter, ReviewService
from ketamon.storage.models import AddendumRow, SessionEventRow, SessionRow, SignatureRow
from tests.conftest import NURSE, T0, open_clinic


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("demo-clinic") / "clinic.sqlite3"
    clinic = open_clinic(f"sqlite:///{path}", FakeClock(T0))
    clinic.chairs.ensure_defaults(NURSE)
    summary = seed_demo(clinic, NURSE)
    yield clinic, summary
    clinic.close()


def _ended(clinic) -> list[tuple[SessionRow, datetime]]:
    """Every ended session with its end (discharge or cancel)."""
    with clinic.db.transaction(write=False) as tx:
        return list(
            tx.execute(
                select(SessionRow, SessionEventRow.at)
                .join(SessionEventRow, SessionEventRow.session_id == SessionRow.id)
                .where(SessionEventRow.kind.in_(("discharge", "cancel")))
            ).all()
        )


def test_the_clinic_has_a_name_address_phone_and_emergency_number(demo) -> None:
    clinic, _ = demo
    settings = clinic.settings.get()
    assert settings.clinic_name == CLINIC["clinic_name"] == "Riverside Ketamine Clinic"
    assert settings.clinic_address.startswith("200 Hudson Street")
    assert settings.clinic_phone == "(212) 555-0100" and settings.emergency_phone == "911"
    ended = next(row for row, _ in _ended(clinic) if row.phase == Phase.DISCHARGED)
    summary = clinic.summary.snapshot(ended.id)
    assert summary.gaps() == {}
    assert (summary.clinic.phone, summary.clinic.emergency) == ("(212) 555-0100", "911")


def test_most_discharges_book_the_next_visit(demo) -> None:
    clinic, _ = demo
    discharged = [(r, at) for r, at in _ended(clinic) if r.phase == Phase.DISCHARGED]
    booked = []
    for row, at in discharged:
        summary = clinic.summary.snapshot(row.id)
        if summary.next_appointment_at is not None:
            assert summary.next_appointment_at > at
            booked.append(summary)
    assert len(discharged) * 0.5 < len(booked) < len(discharged)  # a course's last is not
    assert "Next visit" in build_html(booked[0], chart=False)


def test_sessions_older_than_two_days_are_signed_by_the_physician(demo) -> None:
    clinic, summary = demo
    two_days = datetime.combine(T0.astimezone().date() - timedelta(days=2), datetime.min.time())
    cutoff = two_days.astimezone()
    ended = _ended(clinic)
    old = [row for row, at in ended if at < cutoff]
    recent = [row for row, at in ended if at >= cutoff]
    assert len(old) > 100 and len(recent) >= 2  # the queue keeps the last days' work
    assert all(r.review_status == ReviewStatus.SIGNED for r in old)
    assert all(r.review_status == ReviewStatus.AWAITING for r in recent)
    assert summary.signed == len(old)
    with clinic.db.transaction(write=False) as tx:
        signatures = list(tx.scalars(select(SignatureRow)))
        addenda = list(tx.scalars(select(AddendumRow)))
    assert {s.signer for s in signatures} == {"dr.patel"}
    assert {s.printed_name for s in signatures} == {"Priya Patel"}
    ends = {row.id: at for row, at in ended}
    assert all(ends[s.session_id] < s.signed_at <= T0 - timedelta(days=1) for s in signatures)
    assert 3 <= len(addenda) <= 12
    assert all(a.author.startswith("nurse.") and a.text for a in addenda)
    review = ReviewService(clinic.db, clinic.clock)
    assert review.check_signatures() == []  # each verifies with its signer's key
    assert review.signature(old[0].id).valid
    assert clinic.audit.verify() == []
    assert review.count(ReviewFilter(status="signed")) == len(old)


def test_some_past_sessions_had_a_red_vital_or_a_severe_side_effect(demo) -> None:
    clinic, _ = demo
    review = ReviewService(clinic.db, clinic.clock)
    rows = review.page(ReviewFilter(alerts_only=True), 0, 500)
    past = [r for r in rows if r.checked_in_at < T0 - timedelta(days=1)]
    red = [r for r in past if r.red_alert]
    severe = [r for r in past if r.severe_effect]
    assert len(red) >= 3 and len(severe) >= 2
    assert any(r.review_status == ReviewStatus.SIGNED for r in red + severe)
    effects = clinic.side_effects.for_session(severe[0].session_id)
    assert any(e.severity == "severe" and e.resolved_at is not None for e in effects)
    summary = clinic.summary.snapshot(red[0].session_id)
    assert any(v.values.systolic is not None and v.values.systolic >= 180 for v in summary.vitals)


def test_sessions_happen_in_clinic_hours_in_the_local_zone(tmp_path) -> None:
    """In New York, every past check-in is on a weekday between 08:00 and 17:00 local
    time, before and after the switch to daylight saving time (2026-03-08)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        now = datetime(2026, 4, 1, 16, 0, tzinfo=UTC)  # noon in New York
        clinic = open_clinic(f"sqlite:///{tmp_path / 'ny.sqlite3'}", FakeClock(now))
        clinic.chairs.ensure_defaults(NURSE)
        seed_demo(clinic, NURSE, patients=12, history_days=60)
        checked_in = [row.checked_in_at for row, _ in _ended(clinic)]
        clinic.close()
    finally:
        if before is None:
            os.environ.pop("TZ")
        else:
            os.environ["TZ"] = before
        time.tzset()
    zone = ZoneInfo("America/New_York")
    local = [
        at.astimezone(zone) for at in checked_in if at.astimezone(zone).date() < date(2026, 4, 1)
    ]
    assert len(local) > 20
    assert all(at.weekday() < 5 and 8 <= at.hour < 17 for at in local)
    assert {at.utcoffset() for at in local} == {timedelta(hours=-5), timedelta(hours=-4)}
    assert min(at.astimezone(UTC).hour for at in local) >= 12  # 08:00 EDT is 12:00 UTC


def test_every_infusion_has_its_questionnaires_with_plausible_courses(demo) -> None:
    clinic, _summary = demo
    with clinic.db.transaction(write=False) as tx:
        started = set(
            tx.scalars(select(SessionEventRow.session_id).where(SessionEventRow.kind == "start"))
        )
        patients = sorted(set(tx.scalars(select(SessionRow.patient_id))))
    charts = [clinic.courses.chart(p) for p in patients]
    scored = {
        r.session_id for c in charts for r in c.outcomes if r.score.instrument is Instrument.PHQ9
    }
    assert started and started <= scored  # a PHQ-9 before every infusion given
    responses = [c.courses[0].response for c in charts if c.courses and c.courses[0].response]
    assert any(r.responded for r in responses) and any(not r.responded for r in responses)
    positive = [r for c in charts for r in c.outcomes if r.score.flags_suicide_risk]
    assert len(positive) == 1 and positive[0].review is not None
    assert positive[0].review.decision is Decision.PROCEED and positive[0].review.physician
    assert clinic.audit.verify() == []
