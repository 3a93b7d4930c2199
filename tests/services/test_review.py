"""Physician review over a real SQLite file: who may sign, re-authentication, the lock (by
the services and by the database), signature invalidation by raw SQL, addenda, the queue."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from ketamon.domain.actors import Actor
from ketamon.domain.errors import ChangedSinceRead, DomainError
from ketamon.domain.vitals import VitalsDraft
from ketamon.services.review import ReviewFilter, ReviewService
from ketamon.services.users import SignInRefused
from tests.conftest import NURSE, PASSWORD, add_user, draft
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends

DOC = Actor("dr.patel", "Priya Patel, MD")


@pytest.fixture(autouse=True)
def doctor(clinic):
    return add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)


@pytest.fixture
def review(clinic):
    return ReviewService(clinic.db, clinic.clock)


def _path(db_url: str) -> str:
    return db_url.removeprefix("sqlite:///")


def test_a_record_changed_after_the_physician_read_it_is_not_signed(clinic, clock, review):
    # Found by an attack battery: the physician read normal vitals, a nurse then corrected
    # them to RED, and the signature went onto the changed record and verified.
    s = discharged_session(clinic, clock, sets=6)
    read = review.record_digest(s.id)
    newest = clinic.vitals.for_session(s.id)[-1]
    clock.advance(minutes=1)
    clinic.vitals.correct(
        NURSE, newest.id, replace(newest.values, systolic=192, diastolic=118), "Misread"
    )
    with pytest.raises(ChangedSinceRead) as refused:
        review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=read)
    # who changed it and when, from the audit trail (the correction, a minute ago)
    assert (refused.value.by, refused.value.at) == ("Jo Rivera, RN", clock())
    assert str(refused.value).startswith(
        f"The record was changed by Jo Rivera, RN at {clock():%H:%M} UTC after you opened it"
    )
    assert review.signature(s.id) is None and review.awaiting_count() == 1
    again = review.record_digest(s.id)
    assert again != read
    assert review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=again).valid


@pytest.mark.parametrize("reviewed", ["", "0" * 64, None, 7])
def test_a_signature_needs_the_digest_of_the_record_as_read(clinic, clock, review, reviewed):
    s = discharged_session(clinic, clock, sets=6)
    with pytest.raises(ChangedSinceRead):
        review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=reviewed)
    assert review.signature(s.id) is None


def test_the_patients_identity_is_part_of_what_was_read(clinic, clock, review):
    s = discharged_session(clinic, clock, sets=6)
    read = review.record_digest(s.id)
    fixed = draft("KM-20001", "Maria Gonzales")  # as registered but the name
    clock.advance(minutes=3)
    clinic.patients.correct(NURSE, s.patient_id, fixed, "Name misspelt at registration")
    with pytest.raises(ChangedSinceRead) as refused:
        review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=read)
    assert (refused.value.by, refused.value.at) == ("Jo Rivera, RN", clock())
    assert review.record_digest(s.id) != read


def test_a_physician_signs_after_reauthentication_and_the_record_locks(clinic, clock, review):
    s = discharged_session(clinic, clock, sets=6)
    assert review.awaiting_count() == 1
    with pytest.raises(SignInRefused):
        review.sign(DOC, s.id, "wrong password", "Reviewed", reviewed=review.record_digest(s.id))
    assert review.signature(s.id) is None  # a wrong password signs nothing
    signature = review.sign(
        DOC,
        s.id,
        PASSWORD,
        "Reviewed and approved",
        "Uneventful",
        reviewed=review.record_digest(s.id),
    )
    assert signature.valid and signature.signer == "dr.patel"
    assert signature.manifestation().startswith(
        "Electronically signed by Priya Patel, MD — Reviewed and approved — "
    )
    assert review.awaiting_count() == 0
    assert review.signature(s.id).valid
    # The services refuse changes ... (the vitals service checks the lock)
    vitals_id = clinic.vitals.for_session(s.id)[-1].id
    with pytest.raises(DomainError, match="signed and locked"):
        clinic.vitals.correct(NURSE, vitals_id, VitalsDraft(120, 80, 70, 98, 14), "typo")
    # ... and so does the database, whatever path the change takes.
    for sql, row_id in (
        ("UPDATE vitals_set SET heart_rate = 99 WHERE id = :id", vitals_id),
        ("UPDATE infusion_session SET target_minutes = 60 WHERE id = :id", s.id),
    ):
        with (
            clinic.db.engine.connect() as conn,
            pytest.raises(Exception, match="signed and locked"),
        ):
            conn.execute(text(sql), {"id": row_id})
    with pytest.raises(DomainError, match="already signed"):
        review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=review.record_digest(s.id))


@pytest.mark.sqlite_only(reason="raw sqlite3 on the file (its triggers, then with them dropped)")
def test_a_change_behind_the_triggers_back_invalidates_the_signature(clinic, clock, review):
    s = discharged_session(clinic, clock, sets=6)
    review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=review.record_digest(s.id))
    raw = sqlite3.connect(str(clinic.db.path))
    try:
        raw.execute("DROP TRIGGER vitals_set_signed_lock_update")  # as an attacker would
        raw.execute(
            "UPDATE vitals_set SET heart_rate = heart_rate + 1 WHERE session_id = ?", (s.id,)
        )
        raw.commit()
    finally:
        raw.close()
    assert review.signature(s.id).valid is False


def test_only_physicians_sign_and_only_finished_sessions(clinic, clock, review):
    s = discharged_session(clinic, clock, sets=6)
    with pytest.raises(DomainError, match="not allowed to sign"):
        review.sign(NURSE, s.id, PASSWORD, "Reviewed", reviewed=review.record_digest(s.id))
    patient = clinic.patients.register(NURSE, draft("KM-2", "Grace Hopper"))
    live = clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40)
    with pytest.raises(DomainError, match="checked in: only a discharged"):
        review.sign(DOC, live.id, PASSWORD, "Reviewed", reviewed=review.record_digest(live.id))
    with pytest.raises(DomainError, match="Choose the meaning"):
        review.sign(DOC, s.id, PASSWORD, "Looks fine", reviewed=review.record_digest(s.id))
    with pytest.raises(DomainError, match="your own username"):
        review.sign(
            DOC,
            s.id,
            PASSWORD,
            "Reviewed",
            username="nurse.jo",
            reviewed=review.record_digest(s.id),
        )
    assert review.sign(
        DOC, s.id, PASSWORD, "Reviewed", username="DR.PATEL", reviewed=review.record_digest(s.id)
    ).valid


def test_addenda_only_after_signing_and_shown_in_order(clinic, clock, review):
    s = discharged_session(clinic, clock, sets=6)
    with pytest.raises(DomainError, match="not signed yet"):
        review.add_addendum(NURSE, s.id, "Patient called: well", "Follow-up call", PASSWORD)
    review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=review.record_digest(s.id))
    clock.advance(hours=20)
    first = review.add_addendum(
        NURSE, s.id, "Patient called: slept well", "Follow-up call", PASSWORD
    )
    clock.advance(minutes=5)
    review.add_addendum(DOC, s.id, "No further action", "Physician note", PASSWORD)
    assert [a.text for a in review.addenda(s.id)] == [
        "Patient called: slept well",
        "No further action",
    ]
    assert first.author_name == "Jo Rivera, RN"
    assert review.signature(s.id).valid  # an addendum is not a change to the signed record
    with pytest.raises(DomainError, match="text is empty"):
        review.add_addendum(NURSE, s.id, " ", "x", PASSWORD)


def test_the_queue_filters_and_pages_newest_first(clinic, clock, review):
    done = discharged_session(clinic, clock, sets=6)
    clock.advance(hours=1)
    patient = clinic.patients.register(NURSE, draft("KM-9", "Alan Turing"))
    cancelled = clinic.sessions.check_in(NURSE, clinic.chairs.all()[2].id, patient.id, 40)
    clinic.sessions.cancel(NURSE, cancelled.id, "Unwell before dosing")
    rows = review.page(ReviewFilter(), 0, 50)
    assert [r.session_id for r in rows] == [cancelled.id, done.id]
    assert rows[0].status_text == "Cancelled · awaiting review"
    assert review.count(ReviewFilter(patient="turing")) == 1
    assert review.count(ReviewFilter(patient="KM-2000")) == 1
    assert review.count(ReviewFilter(status="cancelled")) == 1
    assert review.count(ReviewFilter(chair_id=clinic.chairs.all()[0].id)) == 1
    assert review.count(ReviewFilter(nurse="nurse.jo")) == 2
    assert review.count(ReviewFilter(since=clock() - timedelta(minutes=30))) == 1
    assert review.count(ReviewFilter(alerts_only=True)) == 0
    review.sign(DOC, done.id, PASSWORD, "Reviewed", reviewed=review.record_digest(done.id))
    assert review.count(ReviewFilter(status="signed")) == 1
    assert review.count(ReviewFilter(status="awaiting_review")) == 1
    assert len(review.page(ReviewFilter(), 1, 50)) == 1


def test_every_service_refuses_to_change_a_signed_session_in_words(clinic, clock, review):
    from ketamon.domain.interventions import MedicationDraft

    s = discharged_session(clinic, clock, sets=6)
    review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=review.record_digest(s.id))
    attempts = {
        "vitals correct": lambda: clinic.vitals.correct(
            NURSE, clinic.vitals.for_session(s.id)[-1].id, VitalsDraft(120, 80, 70, 98, 14), "typo"
        ),
        "vitals void": lambda: clinic.vitals.void(
            NURSE, clinic.vitals.for_session(s.id)[0].id, "x"
        ),
        "medication": lambda: clinic.interventions.give(
            NURSE, s.id, MedicationDraft("ondansetron", 4, "mg", "IV")
        ),
        "dose plan": lambda: clinic.dose.plan(NURSE, s.id, 70, 0.5, 10, "LOT1"),
        "next appointment": lambda: clinic.discharge.set_next_appointment(
            NURSE, s.id, clock() + timedelta(days=7)
        ),
    }
    for what, attempt in attempts.items():
        with pytest.raises(DomainError, match="signed and locked") as error:
            attempt()
        assert "add an addendum" in str(error.value), what
    assert review.signature(s.id).valid
