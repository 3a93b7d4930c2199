"""What is read to check a signature, print a summary or verify the trail is read in one
snapshot, on PostgreSQL as on SQLite: another workstation committing between two of its
statements must not make a freshly signed record, or the trail, read as tampered with.
Measured before read transactions were REPEATABLE READ on PostgreSQL: `audit verify` said
"addendum 3 has no audit trail (written outside KetaMon)" and the like 10 times in 30
rounds while another workstation corrected vitals, the patient's name and added addenda."""

from __future__ import annotations

import threading

import pytest

from ketamon.domain.actors import Actor
from ketamon.domain.vitals import VitalsDraft
from ketamon.services.review import ReviewService
from tests.conftest import NURSE, PASSWORD, add_user, baseline, draft, open_clinic
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends
DOC = Actor("dr.patel", "Priya Patel, MD")
ROUNDS = 60


def test_signatures_verify_while_another_workstation_writes(clinic, clock, db_url) -> None:
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    signed = discharged_session(clinic, clock, sets=8)
    review = ReviewService(clinic.db, clinic.clock)
    review.sign(
        DOC,
        signed.id,
        PASSWORD,
        "Reviewed and approved",
        "Uneventful",
        reviewed=review.record_digest(signed.id),
    )
    patient = clinic.patients.register(NURSE, draft("KM-30001", "Other Patient"))
    busy = clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40)
    current = baseline(clinic, busy.id)
    other = open_clinic(db_url, clock)  # the second workstation
    stop = threading.Event()
    written: list[int] = []

    def keep_writing() -> None:
        set_id, rate = current.id, 60
        other_review = ReviewService(other.db, other.clock)
        while not stop.is_set():
            rate = 60 + (rate + 1) % 40
            draft_ = VitalsDraft(systolic=120, diastolic=80, heart_rate=rate, spo2=98, resp_rate=14)
            n = len(written)
            if n % 3 == 0:
                set_id = other.vitals.correct(NURSE, set_id, draft_, "typo").id
            elif n % 3 == 1:  # the signed patient's name: undone to the signing's when read
                name = "Maria Gonzales" if n % 2 else "Maria Gonzalez"
                other.patients.correct(NURSE, signed.patient_id, draft("KM-20001", name), "typo")
            elif n < 12:  # a few: each one is checked in every round after it
                other_review.add_addendum(DOC, signed.id, f"note {n}", "late", PASSWORD)
            written.append(n)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        invalid = []
        for round_ in range(ROUNDS):
            invalid += review.check_signatures()
            state = review.signature(signed.id)
            if state is None or not state.valid:
                invalid.append(f"round {round_}: {state}")
            if round_ % 6 == 0:  # the whole trail against every record, in one snapshot
                invalid += [p.text for p in clinic.audit.verify()]
    finally:
        stop.set()
        writer.join(60)
        other.close()
    assert len(written) >= 5, "the other workstation hardly wrote: the test proved nothing"
    assert invalid == []
