"""Every committed write is named once, where it passes the audit layer, and published."""

from __future__ import annotations

import pytest

from ketamon.domain.changes import Kind
from ketamon.domain.errors import DomainError
from ketamon.domain.vitals import VitalsDraft
from tests.conftest import NURSE, draft

pytestmark = pytest.mark.both_backends

GOOD = VitalsDraft(systolic=124, diastolic=78, heart_rate=72, spo2=98, resp_rate=14)


def test_writes_publish_what_they_flushed(clinic):
    seen = []
    clinic.changes.subscribe(seen.append)
    patient = clinic.patients.register(NURSE, draft())
    assert seen[-1].kinds == {Kind.PATIENT} and seen[-1].patients == {patient.id}
    chair = clinic.chairs.all()[0]
    session = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    assert session.id in seen[-1].sessions and Kind.PHASE in seen[-1].kinds
    assert seen[-1].by == NURSE.username and seen[-1].initiator is None
    clinic.vitals.record(NURSE, session.id, GOOD)
    assert seen[-1].sessions == {session.id} and seen[-1].kinds == {Kind.VITALS}
    clinic.settings.update(NURSE, idle_lock_minutes=7)
    assert seen[-1].kinds == {Kind.SETTINGS} and seen[-1].touches(session.id)
    reads = len(seen)
    clinic.board.get()
    clinic.vitals.for_session(session.id)
    assert len(seen) == reads  # reading changes nothing


def test_a_refused_write_publishes_nothing(clinic):
    seen = []
    clinic.changes.subscribe(seen.append)
    with pytest.raises(DomainError):
        clinic.vitals.record(NURSE, 999, GOOD)
    assert seen == []


def test_one_action_publishes_once_with_its_initiator(clinic):
    seen = []
    unsubscribe = clinic.changes.subscribe(seen.append)
    screen = object()
    with clinic.changes.initiated_by(screen) as action:
        patient = clinic.patients.register(NURSE, draft())
        session = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
        assert seen == []  # not yet: the action is not over
    assert len(seen) == 1
    assert seen[0].started_by(screen) and action.change == seen[0]
    assert seen[0].kinds == {Kind.PATIENT, Kind.PHASE} and session.id in seen[0].sessions
    assert clinic.changes.last is seen[0]
    unsubscribe()
    clinic.vitals.record(NURSE, session.id, GOOD)
    assert len(seen) == 1


def test_an_action_nested_in_one_of_the_same_initiator_joins_it(clinic):
    """A use case's own action inside the screen's (both started by the screen): the inner
    one ends first and is removed, not the outer one it equals (a refused save, then a
    saved one, in one dialog); one change is published."""
    seen = []
    clinic.changes.subscribe(seen.append)
    screen = object()
    with clinic.changes.initiated_by(screen):
        with pytest.raises(DomainError), clinic.changes.initiated_by(screen):
            clinic.vitals.record(NURSE, 999, GOOD)  # refused: nothing, like the outer so far
        with clinic.changes.initiated_by(screen):
            patient = clinic.patients.register(NURSE, draft())
        with clinic.changes.initiated_by(screen):
            clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
        assert seen == []
    [change] = seen
    assert change.started_by(screen) and change.kinds == {Kind.PATIENT, Kind.PHASE}


def test_a_committed_write_is_not_reported_as_refused_when_a_listener_fails(clinic):
    """A screen that fails while following a change (its refresh raised) must not turn a
    committed save into an error for the nurse who made it: she would type it again."""

    def broken_screen(_change):
        raise RuntimeError("refresh failed")

    clinic.db.committed.append(broken_screen)
    patient = clinic.patients.register(NURSE, draft("LSN-1"))
    assert [p.mrn for p in clinic.patients.search("LSN-1")] == [patient.mrn]
