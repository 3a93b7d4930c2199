"""Two workstations doing the same thing at the same moment (two connections, two threads,
one real database): one wins, the other is refused in the same words as when it comes
second, never with database text. Measured before the chain lock was taken first: two
check-ins to one chair deadlocked in 21 of 100 rounds on PostgreSQL (a returning patient,
whose check-in inserts the session first, against a new one, whose check-in starts a
course first and so held the audit chain's lock).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
import re
import sqlite3
import threading
from collections.abc import Callable
from datetime import date

import pytest

from ketamon import services
from ketamon.domain.changes import Change
from ketamon.domain.errors import DomainError, StorageError
from ketamon.domain.patients import PatientDraft
from ketamon.services.base import Service, retried
from tests.conftest import NURSE, TEMPORARY_PASSWORD, ask_questionnaires, open_clinic, plan_escort

pytestmark = pytest.mark.both_backends
ROUNDS = 12
DATABASE_TEXT = ("deadlock", "violates", "duplicate key", "UNIQUE constraint", "SQL", "Detail")


def race(first: Callable[[], object], second: Callable[[], object]) -> list[object]:
    """Run both at once (a barrier, then go); what each returned or raised."""
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def run(action: Callable[[], object]) -> None:
        start.wait()
        try:
            outcomes.append(action())
        except (DomainError, StorageError) as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=run, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 2, "a workstation hung"
    return outcomes


def refusal(outcomes: list[object]) -> Exception:
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1, outcomes
    words = getattr(refused[0], "reason", str(refused[0]))  # a StorageError names its URL too
    assert not any(t.lower() in words.lower() for t in DATABASE_TEXT), words
    return refused[0]


def _patient(clinic, mrn: str, name: str):
    return clinic.patients.register(NURSE, PatientDraft(mrn, name, date(1980, 1, 1), 70.0))


def test_two_check_ins_to_one_chair_one_wins_the_other_is_told_who(
    clinic, db_url, clock, caplog
) -> None:
    """The chair's row is locked before anything else is written, so the second check-in
    waits, then reads the first: no deadlock, no retry, the plain rule's words."""
    caplog.set_level(logging.INFO, logger="ketamon.services.base")
    other = open_clinic(db_url, clock)  # the second workstation
    announced: list[Change] = []
    clinic.db.committed.append(announced.append)
    other.db.committed.append(announced.append)
    try:
        chair = clinic.chairs.all()[2]
        returning = _patient(clinic, "RET-1", "Kim Lee")
        # A returning patient: a course already started (the check-in inserts the session first).
        clinic.sessions.cancel(
            NURSE, clinic.sessions.check_in(NURSE, chair.id, returning.id, 40).id, "test"
        )
        for round_ in range(ROUNDS):
            new = _patient(clinic, f"NEW-{round_}", f"New Patient {round_}")
            announced.clear()
            outcomes = race(
                lambda: clinic.sessions.check_in(NURSE, chair.id, returning.id, 40),
                lambda p=new: other.sessions.check_in(NURSE, chair.id, p.id, 40),
            )
            refused = refusal(outcomes)
            (won,) = [o for o in outcomes if not isinstance(o, Exception)]
            assert isinstance(refused, DomainError), refused
            assert str(refused).startswith(f"{chair.name} was just taken by {won.patient_name}")
            assert "checked in by Jo Rivera, RN at " in str(refused)
            assert len(announced) == 1  # one committed unit, announced once
            board = clinic.board.get()
            assert board.sessions[chair.id].patient_name == won.patient_name
            clinic.sessions.cancel(NURSE, won.id, "test")
        assert "lost a race" not in caplog.text
        assert clinic.audit.verify() == []
    finally:
        other.close()


def test_two_registrations_of_one_mrn_one_wins_the_other_is_told_whose(
    clinic, db_url, clock
) -> None:
    other = open_clinic(db_url, clock)
    try:
        for round_ in range(ROUNDS):
            mrn = f"M{round_}"
            outcomes = race(
                lambda m=mrn: _patient(clinic, m, "Ada First"),
                lambda m=mrn: _patient(other, m.lower(), "Ada Second"),
            )
            refused = refusal(outcomes)
            (won,) = [o for o in outcomes if not isinstance(o, Exception)]
            assert f"was just registered for {won.full_name}" in str(refused), refused
        assert clinic.audit.verify() == []
    finally:
        other.close()


def test_two_administrators_adding_one_username_one_wins(clinic, db_url, clock) -> None:
    other = open_clinic(db_url, clock)
    try:
        for round_ in range(ROUNDS // 2):
            name = f"nurse.new{round_}"
            outcomes = race(
                lambda n=name: clinic.users.add(
                    NURSE, n, "Nia First", "RN", "nurse", TEMPORARY_PASSWORD
                ),
                lambda n=name: other.users.add(
                    NURSE, n, "Nia Second", "RN", "nurse", TEMPORARY_PASSWORD
                ),
            )
            refused = refusal(outcomes)
            assert f"Username {name!r} was just added (by Jo Rivera, RN at " in str(refused)
        assert clinic.audit.verify() == []
    finally:
        other.close()


class _Flaky(Service):
    """A use case whose unit of work loses a race `losses` times (as the database says)."""

    def __init__(self, clinic, losses: int, retry: bool = True) -> None:
        super().__init__(clinic.db)
        self.losses, self.retry, self.runs = losses, retry, 0

    @retried
    def save(self) -> str:
        self.runs += 1
        if self.runs <= self.losses:
            raise StorageError(self.db.location, "lost", retry=self.retry)
        return "saved"


@pytest.mark.sqlite_only(reason="the decorator's own rule; the database only names the place")
def test_a_lost_race_is_run_once_more_and_only_once(clinic) -> None:
    once = _Flaky(clinic, losses=1)
    assert once.save() == "saved" and once.runs == 2
    twice = _Flaky(clinic, losses=2)
    with pytest.raises(StorageError, match="lost"):
        twice.save()
    assert twice.runs == 2
    fault = _Flaky(clinic, losses=1, retry=False)  # a full disk is not a race
    with pytest.raises(StorageError):
        fault.save()
    assert fault.runs == 1


WRITES = re.compile(r"self\.db\.transaction\((audit=|write=True|\))")


@pytest.mark.sqlite_only(reason="reads the services' source, no database")
def test_every_use_case_that_writes_is_retried_once() -> None:
    """A new use case that opens a write transaction and forgets @retried is named here."""
    missing = []
    for module_info in pkgutil.iter_modules(services.__path__):
        module = importlib.import_module(f"ketamon.services.{module_info.name}")
        for cls in vars(module).values():
            if (
                not (inspect.isclass(cls) and issubclass(cls, Service))
                or cls.__module__ != module.__name__
            ):
                continue
            for name, method in vars(cls).items():
                if name.startswith("_") or not inspect.isfunction(method):
                    continue
                if WRITES.search(inspect.getsource(method)) and not hasattr(method, "__wrapped__"):
                    missing.append(f"{cls.__name__}.{name}")
    assert missing == []


@pytest.mark.sqlite_only(reason="SQLite's own lock: another program holds the file's write lock")
def test_sqlite_still_locked_after_its_wait_is_tried_once_more(clinic, db_url, clock) -> None:
    """Another program holds the write lock past the busy timeout (0.5 s here), then lets
    go: the registration is run once more and succeeds; held through both tries, it is
    refused in words naming the lock, and nothing was saved."""
    workstation = open_clinic(db_url, clock, busy_timeout_ms=500)
    path = db_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.75, holder.rollback)  # after the first try (0.5 s)
        release.start()
        saved = _patient(workstation, "LOCK-1", "Locked Out")
        release.join()
        assert workstation.patients.get(saved.id).mrn == "LOCK-1"
        holder.execute("BEGIN IMMEDIATE")  # now for longer than both tries
        with pytest.raises(StorageError) as refused:
            _patient(workstation, "LOCK-2", "Locked Out Again")
        assert "locked by another program or workstation" in refused.value.reason
        holder.rollback()
        assert [p.mrn for p in workstation.patients.search("LOCK")] == ["LOCK-1"]
    finally:
        holder.close()
        workstation.close()


def test_two_workstations_pausing_one_infusion_at_once_one_pause_is_recorded(
    clinic, db_url, clock
) -> None:
    """Both read the session's events, both append the next one (unique per session and
    number): the second is run again on what the first committed and refused in words."""
    other = open_clinic(db_url, clock)
    try:
        chair = clinic.chairs.all()[0]
        patient = _patient(clinic, "PAUSE-1", "Pat Pause")
        session = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
        plan_escort(clinic, session.id)
        ask_questionnaires(clinic, session.id)
        clinic.sessions.start(NURSE, session.id, no_plan_reason="test", no_baseline_reason="test")
        for _round in range(ROUNDS // 2):
            clock.advance(minutes=1)
            outcomes = race(
                lambda: clinic.sessions.pause(NURSE, session.id, "nausea"),
                lambda: other.sessions.pause(NURSE, session.id, "nausea"),
            )
            refused = refusal(outcomes)
            assert isinstance(refused, DomainError), refused
            clock.advance(minutes=1)
            clinic.sessions.resume(NURSE, session.id)
        kinds = [e.kind.value for e in clinic.sessions.get(session.id).events]
        assert kinds == ["check_in", "start"] + ["pause", "resume"] * (ROUNDS // 2)
        assert clinic.audit.verify() == []
    finally:
        other.close()


def test_one_patient_checked_in_at_two_chairs_at_once_is_told_where(clinic, db_url, clock) -> None:
    other = open_clinic(db_url, clock)
    try:
        first, second = clinic.chairs.all()[:2]
        for round_ in range(ROUNDS // 2):
            patient = _patient(clinic, f"TWO-{round_}", f"Two Chairs {round_}")
            outcomes = race(
                lambda p=patient: clinic.sessions.check_in(NURSE, first.id, p.id, 40),
                lambda p=patient: other.sessions.check_in(NURSE, second.id, p.id, 40),
            )
            refused = refusal(outcomes)
            (won,) = [o for o in outcomes if not isinstance(o, Exception)]
            assert isinstance(refused, DomainError), refused
            assert str(refused).startswith(
                f"{patient.full_name} was just checked in at {won.chair_name} (by Jo Rivera, RN"
            )
            clinic.sessions.cancel(NURSE, won.id, "test")
        assert clinic.audit.verify() == []
    finally:
        other.close()
