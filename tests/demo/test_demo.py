"""The demo seeder over a real migrated SQLite file: believable, valid, live-looking data."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ketamon.demo.seed import DemoSummary, seed_demo, seed_history
from ketamon.domain.board import TileLevel, tile_view
from ketamon.domain.clock import FakeClock
from ketamon.domain.errors import DomainError
from ketamon.domain.sessions import EventKind, Phase, SessionEvent, replay
from ketamon.services.clinic import Clinic
from ketamon.storage.models import CourseRow, PatientRow, SessionRow
from tests.conftest import NURSE, T0, open_clinic

FOREVER = datetime.max.replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """One seeded demo clinic (as the `clinic` fixture builds it), shared by read-only tests."""
    path = tmp_path_factory.mktemp("demo") / "clinic.sqlite3"
    clinic = open_clinic(f"sqlite:///{path}", FakeClock(T0))
    clinic.chairs.ensure_defaults(NURSE)
    summary = seed_demo(clinic, NURSE)
    yield clinic, summary
    clinic.close()


def _sessions(clinic: Clinic) -> list[tuple[SessionRow, tuple[SessionEvent, ...]]]:
    with clinic.db.transaction(write=False) as session:
        rows = session.scalars(
            select(SessionRow).options(selectinload(SessionRow.events)).order_by(SessionRow.id)
        ).all()
        return [
            (r, tuple(SessionEvent(EventKind(e.kind), e.at, e.actor, e.reason) for e in r.events))
            for r in rows
        ]


def _count(clinic: Clinic, column) -> int:
    with clinic.db.transaction(write=False) as session:
        return session.scalar(select(func.count(column))) or 0


def _assert_no_overlaps(clinic: Clinic) -> None:
    """A chair (and a patient) holds one session at a time: check-in to discharge/cancel."""
    by_chair, by_patient = defaultdict(list), defaultdict(list)
    for row, events in _sessions(clinic):
        end = FOREVER if Phase(row.phase).active else events[-1].at
        by_chair[row.chair_id].append((events[0].at, end, row.id))
        by_patient[row.patient_id].append((events[0].at, end, row.id))
    for spans in [*by_chair.values(), *by_patient.values()]:
        spans.sort()
        for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
            assert start >= end, f"sessions {first} and {second} overlap"


def test_demo_seeds_thirty_patients_and_months_of_history(demo) -> None:
    clinic, summary = demo
    assert summary.patients == 30 and summary.live_sessions == 4
    assert 100 <= summary.sessions - summary.live_sessions <= 500  # past sessions
    assert _count(clinic, PatientRow.id) == 30
    assert _count(clinic, SessionRow.id) == summary.sessions
    sessions = _sessions(clinic)
    first = min(events[0].at for _, events in sessions)
    assert T0 - timedelta(days=100) <= first <= T0 - timedelta(days=60)
    ended = [(r, e) for r, e in sessions if not Phase(r.phase).active]
    # Two sessions finished earlier today, so the day's lists are not empty in a demo.
    today = [(r, e) for r, e in ended if e[0].at > T0 - timedelta(hours=6)]
    assert len(today) == 2
    assert all(e[-1].kind is EventKind.DISCHARGE and e[-1].at < T0 for _, e in today)
    assert len(clinic.summary.recent()) == 2  # "Recent discharges" (the last 24 hours)
    past = [(r, e) for r, e in ended if (r, e) not in today]
    assert all(e[0].at.date() < T0.date() for _, e in past)
    assert all(e[0].at.weekday() < 5 and 8 <= e[0].at.hour < 17 for _, e in past)
    kinds = [ev.kind for _, events in past for ev in events]
    assert kinds.count(EventKind.DISCHARGE) > 0.9 * len(past)
    assert 0 < kinds.count(EventKind.CANCEL) < 0.1 * len(past)
    assert 0 < kinds.count(EventKind.PAUSE) < 0.25 * len(past)
    reasons = {ev.reason for _, events in past for ev in events if ev.reason}
    assert "No escort available" in reasons or "Patient unwell – rescheduled" in reasons
    targets = [r.target_minutes for r, _ in past]
    assert targets.count(40) > len(past) / 2 and set(targets) <= {40, 45, 50, 55, 60}
    nurses = {ev.actor for _, events in past for ev in events}
    assert {"nurse.alvarez", "nurse.chen", "nurse.okafor"} <= nurses


def test_demo_patients_look_real(demo) -> None:
    clinic, _ = demo
    with clinic.db.transaction(write=False) as session:
        patients = session.scalars(select(PatientRow)).all()
        first_check_in = dict(
            session.execute(
                select(SessionRow.patient_id, func.min(SessionRow.checked_in_at)).group_by(
                    SessionRow.patient_id
                )
            ).all()
        )
    assert len({p.full_name for p in patients}) == 30
    assert all(re.fullmatch(r"KM-\d{5}", p.mrn) for p in patients)
    assert all(date(1950, 1, 1) <= p.date_of_birth <= date(2004, 12, 31) for p in patients)
    assert all(45 <= p.weight_kg <= 130 and round(p.weight_kg, 1) == p.weight_kg for p in patients)
    allergic = [p for p in patients if p.allergies]
    assert 1 <= len(allergic) <= 10
    assert all(p.created_at < first_check_in[p.id] for p in patients)


def test_every_session_replays_and_chairs_never_overlap(demo) -> None:
    clinic, _ = demo
    for row, events in _sessions(clinic):
        state = replay(events)
        assert state.phase is Phase(row.phase)
        assert [ev.at for ev in events] == sorted(ev.at for ev in events)
        assert row.checked_in_at == events[0].at
        active = state.phase.active
        assert (row.active_chair_id == row.chair_id) is active
        assert (row.active_patient_id == row.patient_id) is active
    _assert_no_overlaps(clinic)
    assert clinic.audit.verify() == []  # everything seeded is on the audit trail


def test_courses_follow_the_real_rules(demo) -> None:
    clinic, _ = demo
    with clinic.db.transaction(write=False) as session:
        courses = {c.id: c for c in session.scalars(select(CourseRow))}
    numbers = defaultdict(list)
    for row, _events in _sessions(clinic):
        if row.phase != Phase.CANCELLED:
            numbers[row.course_id].append(row.number_in_course)
    for course_id, seen in numbers.items():
        assert seen == list(range(1, len(seen) + 1))
        if courses[course_id].kind == "initial":
            assert len(seen) <= 6
    kinds = {c.kind for c in courses.values()}
    assert kinds == {"initial", "maintenance"}


def test_the_live_board_shows_four_phases_timed_from_now(demo) -> None:
    clinic, _ = demo
    now = clinic.clock()
    board = clinic.board.get()
    assert len(board.sessions) == 4
    tiles = {}
    for chair in board.chairs:
        snap = board.sessions.get(chair.id)
        if snap is not None:
            tiles[tile_view(chair, snap, board.settings, now).level] = snap
    assert set(tiles) == {
        TileLevel.WAITING,
        TileLevel.RUNNING,
        TileLevel.PAUSED,
        TileLevel.RECOVERY,
    }
    waiting = tiles[TileLevel.WAITING].times
    assert timedelta(minutes=1) <= waiting.since_check_in(now) <= timedelta(minutes=10)
    running = tiles[TileLevel.RUNNING].times
    assert timedelta(minutes=5) <= running.infusion_elapsed(now) <= timedelta(minutes=20)
    paused = tiles[TileLevel.PAUSED]
    assert paused.paused and paused.times.pauses[-1].reason == "Nausea"
    assert timedelta(minutes=1) <= paused.times.current_pause(now) <= timedelta(minutes=5)
    assert timedelta(minutes=5) <= paused.times.infusion_elapsed(now) < timedelta(minutes=40)
    recovery = tiles[TileLevel.RECOVERY].times
    assert recovery.infusion_elapsed(now) == timedelta(minutes=40)
    assert timedelta(minutes=10) <= recovery.since_end(now) <= timedelta(minutes=30)
    labels = {snap.course_label for snap in tiles.values()}
    assert len(labels) == 4
    assert any(label.startswith("Maintenance ") for label in labels)
    assert any(re.fullmatch(r"Infusion [2-6] of 6", label) for label in labels)
    patients = {snap.patient_id for snap in tiles.values()}
    active = [r for r, _ in _sessions(clinic) if Phase(r.phase).active]
    assert len(active) == 4 and {r.patient_id for r in active} == patients


def test_live_sessions_follow_the_clock_at_any_hour(clinic, clock) -> None:
    clock.set(datetime(2026, 7, 6, 0, 30, tzinfo=UTC))  # just after midnight, a Monday
    summary = seed_demo(clinic, NURSE, rng_seed=7, patients=12, history_days=60)
    assert summary == DemoSummary(12, _count(clinic, SessionRow.id), 4, summary.signed)
    _assert_no_overlaps(clinic)
    board = clinic.board.get()
    levels = {
        tile_view(chair, board.sessions.get(chair.id), board.settings, clock()).level
        for chair in board.chairs
    }
    assert {TileLevel.WAITING, TileLevel.RUNNING, TileLevel.PAUSED, TileLevel.RECOVERY} <= levels


def test_seeding_refuses_a_database_with_patients(clinic) -> None:
    seed_demo(clinic, NURSE, patients=5, history_days=20)
    before = _count(clinic, SessionRow.id)
    with pytest.raises(DomainError, match="already holds patient records"):
        seed_demo(clinic, NURSE)
    with pytest.raises(DomainError, match="seed the demo into an empty database"):
        seed_history(clinic, NURSE, sessions=10)
    assert _count(clinic, PatientRow.id) == 5
    assert _count(clinic, SessionRow.id) == before


def test_the_same_seed_gives_the_same_demo(clinic, clock, tmp_path) -> None:
    other = open_clinic(f"sqlite:///{tmp_path / 'other.sqlite3'}", clock)
    try:
        for target in (clinic, other):
            seed_demo(target, NURSE, patients=6, history_days=30)
        names = [
            [(p.full_name, p.mrn) for p in c.patients.search("a", limit=100)]
            for c in (clinic, other)
        ]
        assert names[0] == names[1] and names[0]
    finally:
        other.close()


def test_seed_history_writes_a_year_of_sessions_for_a_benchmark(clinic, clock) -> None:
    # The benchmark asks for 1,500; 400 spread over the same year checks the same rules.
    summary = seed_history(clinic, NURSE, sessions=400)
    assert summary.sessions == 400 and summary.live_sessions == 0
    assert _count(clinic, SessionRow.id) == 400
    assert _count(clinic, PatientRow.id) == summary.patients
    sessions = _sessions(clinic)
    assert not any(Phase(r.phase).active for r, _ in sessions)
    assert {r.chair_id for r, _ in sessions} == {c.id for c in clinic.chairs.all()}
    first = min(events[0].at for _, events in sessions)
    assert clock() - timedelta(days=372) <= first <= clock() - timedelta(days=300)
    assert clinic.board.get().sessions == {}
    _assert_no_overlaps(clinic)
