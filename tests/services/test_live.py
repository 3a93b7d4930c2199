"""Live refresh: what one workstation commits reaches every other workstation's channel
within 2 s (PostgreSQL: NOTIFY/LISTEN; SQLite: PRAGMA data_version and the audit trail),
with what it touched, and with the other workstation as its origin; never twice at the
workstation that made it; and again after the listener's connection was cut."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text

from ketamon.domain.changes import LOCAL, Change, Kind, everything
from ketamon.domain.vitals import VitalsDraft
from ketamon.storage.live import sqlite as live_sqlite
from ketamon.storage.live.postgres import MAX_PAYLOAD_BYTES, RECONNECTED, payload, read_payload
from ketamon.storage.live.sqlite import ANOTHER_PROGRAM
from tests.conftest import NURSE, draft, open_clinic

pytestmark = pytest.mark.both_backends
RED = VitalsDraft(systolic=186, diastolic=101, heart_rate=118, spo2=97, resp_rate=14)
WITHIN_S = 2.0


def wait_for(found: Callable[[], object], seconds: float = WITHIN_S) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.02)
    return found()


@pytest.fixture
def other(clinic, db_url, clock) -> Iterator[tuple[object, list[Change]]]:
    """Workstation B on the same database, following it live: (clinic B, what B's channel
    published)."""
    b = open_clinic(db_url, clock)
    seen: list[Change] = []
    b.changes.subscribe(seen.append)
    b.start_live()
    # Listening once start_live() returns: what B reads next misses nothing after it.
    assert b.live.listening
    try:
        yield b, seen
    finally:
        b.close()
    assert not b.live.running  # closed: the thread has ended


def test_a_check_in_and_vitals_reach_the_other_workstation(clinic, other):
    b, seen = other
    patient = clinic.patients.register(NURSE, draft())
    session = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    assert wait_for(lambda: any(session.id in c.sessions and Kind.PHASE in c.kinds for c in seen))
    checked_in = next(c for c in seen if session.id in c.sessions)
    assert patient.id in checked_in.patients and checked_in.by == NURSE.username
    assert checked_in.initiator is None and checked_in.origin != LOCAL
    expected_origin = clinic.live.workstation if backend_of(clinic) == "pg" else ANOTHER_PROGRAM
    assert checked_in.origin == expected_origin

    del seen[:]
    red = clinic.vitals.record(NURSE, session.id, RED)
    assert wait_for(lambda: any(Kind.VITALS in c.kinds for c in seen))
    [vitals] = [c for c in seen if Kind.VITALS in c.kinds]
    assert vitals.sessions == {session.id} and vitals.kinds == {Kind.VITALS}
    # ...and what B reads then is what A saved: the red set waits on B's board.
    board = b.board.get()
    assert board.sessions[clinic.chairs.all()[0].id].id == session.id
    assert [v.id for v in board.vitals[session.id].unacknowledged_red] == [red.id]


def backend_of(clinic) -> str:
    return "sqlite" if clinic.db.is_sqlite else "pg"


def test_own_changes_are_published_once(clinic, other):
    b, seen_b = other
    seen_a: list[Change] = []
    clinic.changes.subscribe(seen_a.append)
    clinic.start_live()
    try:
        assert clinic.live.listening
        patient = clinic.patients.register(NURSE, draft())
        assert wait_for(lambda: any(patient.id in c.patients for c in seen_b))
        # B's own write: B publishes it once, locally; A hears of it from B.
        chair = b.chairs.add(NURSE, "Chair by B")
        assert wait_for(lambda: any(Kind.CHAIRS in c.kinds for c in seen_a))
        time.sleep(1.5)  # more than a poll of SQLite's feed, for a second copy to show
    finally:
        clinic.stop_live()
    assert [c.origin for c in seen_a if patient.id in c.patients] == [LOCAL]
    assert [c.origin for c in seen_b if Kind.CHAIRS in c.kinds] == [LOCAL]
    assert [c for c in seen_a if Kind.CHAIRS in c.kinds][0].origin != LOCAL
    assert chair.name == "Chair by B"


def test_a_unit_of_work_rolled_back_after_its_notice_tells_no_one(clinic, other):
    """The notice is sent inside the transaction (PostgreSQL: NOTIFY is delivered only on
    commit): a unit of work that fails after it, before its commit, reaches no one."""
    _b, seen = other

    def fail(_tx, _change):
        raise RuntimeError("the unit of work fails just before its commit")

    clinic.db.before_commit.append(fail)  # after the feed's own hook
    with pytest.raises(RuntimeError):
        clinic.patients.register(NURSE, draft("NEVER-1"))
    clinic.db.before_commit.remove(fail)
    assert clinic.patients.search("NEVER-1") == []
    patient = clinic.patients.register(NURSE, draft("SAVED-1"))
    assert wait_for(lambda: any(patient.id in c.patients for c in seen))
    assert [c.patients for c in seen] == [{patient.id}]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has no server
def test_the_listener_recovers_when_its_connection_is_cut(clinic, other):
    b, seen = other
    old_pid = b.live.backend_pid
    with clinic.db.engine.connect() as conn:  # as an administrator ending it, or a restart
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": old_pid})
        conn.commit()
    # It missed what happened meanwhile: every screen reloads all it shows.
    assert wait_for(lambda: any(c.origin == RECONNECTED for c in seen), 5.0)
    assert [c for c in seen if c.origin == RECONNECTED][0] == everything(RECONNECTED)
    assert wait_for(lambda: b.live.listening) and b.live.backend_pid != old_pid
    patient = clinic.patients.register(NURSE, draft())
    assert wait_for(lambda: any(patient.id in c.patients for c in seen))


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_listener_recovers_after_a_server_restart(clinic, other, pg_server):
    if pg_server is None:
        pytest.skip("an external server (KETAMON_TEST_POSTGRES_URL) is not ours to restart")
    b, seen = other
    pg_server.restart()
    assert wait_for(lambda: any(c.origin == RECONNECTED for c in seen), 8.0)
    assert wait_for(lambda: b.live.listening)
    patient = clinic.patients.register(NURSE, draft())
    assert wait_for(lambda: any(patient.id in c.patients for c in seen))


@pytest.mark.sqlite_only(reason="the payload alone: no database")
def test_a_payload_too_long_for_a_notification_says_reload_everything():
    small = Change(frozenset({1, 2}), frozenset({Kind.VITALS}), frozenset({7}), "nurse.jo")
    workstation, change = read_payload(payload(small, "ws-a"))
    assert workstation == "ws-a" and change == Change(
        small.sessions, small.kinds, small.patients, "nurse.jo", None, "ws-a"
    )
    huge = Change(frozenset(range(100_000, 102_000)), frozenset({Kind.PHASE}), by="nurse.jo")
    text_ = payload(huge, "ws-a")
    assert len(text_.encode()) <= MAX_PAYLOAD_BYTES
    assert read_payload(text_) == ("ws-a", everything("ws-a"))


@pytest.mark.sqlite_only(reason="SQLite's feed reads the audit rows; PostgreSQL's is told")
def test_more_rows_from_elsewhere_than_read_at_once_reload_everything(clinic, other, monkeypatch):
    _b, seen = other
    monkeypatch.setattr(live_sqlite, "MAX_ROWS_READ", 2)
    patient = clinic.patients.register(NURSE, draft())  # one audit row: read as a change
    assert wait_for(lambda: seen)
    assert seen[0] != everything(ANOTHER_PROGRAM)
    seen.clear()
    # a check-in is three rows (the session, its event, the chair): more than 2
    clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    assert wait_for(lambda: seen)
    assert seen == [everything(ANOTHER_PROGRAM)]
