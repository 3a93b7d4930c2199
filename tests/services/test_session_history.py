"""History shows every recorded change of a session (issue 16: it lacked the medications
given, the dose plan and the checklist answers): every audit row of every kind of record a
session holds is in that session's history, and none of another session's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.storage.models import AuditRow
from tests.conftest import NURSE, PASSWORD, add_user, draft
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends
DOC = Actor("dr.patel", "Priya Patel, MD")
SESSION_RECORDS = (
    "infusion_session",
    "session_event",
    "vitals_set",
    "side_effect",
    "medication_given",
    "dose_record",
    "discharge_record",
    "outcome_score",
    "signature",
    "addendum",
)


def _trail(clinic) -> list[AuditRow]:
    with clinic.db.transaction(write=False) as tx:
        return list(tx.scalars(select(AuditRow).order_by(AuditRow.seq)))


def test_history_has_every_row_of_every_record_of_a_signed_session(clinic, clock):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    s = discharged_session(clinic, clock, sets=6, phq9=[1] * 8 + [0])
    clinic.review.sign(DOC, s.id, PASSWORD, "Reviewed", reviewed=clinic.review.record_digest(s.id))
    clinic.review.add_addendum(DOC, s.id, "Escort called back", "Follow-up", PASSWORD)
    history = clinic.audit.session_history(s.id)
    assert {e.entity for e in history} >= set(SESSION_RECORDS)
    fields = {(e.entity, e.field) for e in history}
    assert ("dose_record", "witness") in fields  # the dose's witness
    assert ("medication_given", "drug") in fields
    assert any(entity == "discharge_record" and "escort" in field for entity, field in fields)
    # The only session in the database: every row of its records' kinds is in its history.
    expected = {r.seq for r in _trail(clinic) if r.entity in SESSION_RECORDS}
    assert expected <= {e.seq for e in history}

    # A second session's records stay out of the first one's history.
    before = {e.seq for e in history}
    other = clinic.patients.register(NURSE, draft("KM-2", "Ann Other"))
    discharged_session(clinic, clock, sets=6, patient=other)
    assert {e.seq for e in clinic.audit.session_history(s.id)} == before
