"""Portability: the same migrations, services and audit trail on PostgreSQL.

Each test gets a fresh empty database on the test run's own server (tests/pg.py), or on
the server KETAMON_TEST_POSTGRES_URL names.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from ketamon.demo.seed import seed_demo
from ketamon.domain.actors import Actor
from ketamon.domain.patients import PatientDraft
from ketamon.services.clinic import Clinic
from ketamon.services.review import ReviewFilter
from tests.conftest import ask_questionnaires, baseline, plan_dose, plan_escort

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def test_demo_clinic_runs_and_verifies_on_postgresql(db_url, clock):
    clinic = Clinic.open(db_url, clock)
    try:
        seed_demo(clinic, Actor("admin"))
        nurse = Actor("nurse.chen")
        assert clinic.auth.sign_in("nurse.chen", "ketamon-demo").username == "nurse.chen"
        board = clinic.board.get()
        free = next(c for c in board.chairs if c.id not in board.sessions)
        patient = clinic.patients.register(
            nurse, PatientDraft("PG-1", "Post Gres", date(1980, 1, 1), 70.0)
        )
        session = clinic.sessions.check_in(nurse, free.id, patient.id, 40)
        clock.advance(minutes=3)
        baseline(clinic, session.id, nurse)
        plan_dose(clinic, session.id, nurse)
        plan_escort(clinic, session.id, nurse)
        ask_questionnaires(clinic, session.id, nurse)
        started = clinic.sessions.start(nurse, session.id)
        assert started.times.started_at == clock()
        assert [p.mrn for p in clinic.patients.search("gres")] == ["PG-1"]
        assert clinic.audit.verify() == []
        # A signed session is locked by the PostgreSQL triggers too.
        done = clinic.review.page(ReviewFilter(status="awaiting_review"), 0, 1)[0]
        doctor = Actor("dr.patel")
        assert clinic.review.sign(
            doctor,
            done.session_id,
            "ketamon-demo",
            "Reviewed",
            reviewed=clinic.review.record_digest(done.session_id),
        ).valid
        with pytest.raises(Exception, match="signed and locked"):
            with clinic.db.engine.begin() as conn:
                conn.execute(
                    text("UPDATE vitals_set SET heart_rate = 99 WHERE session_id = :id"),
                    {"id": done.session_id},
                )
        assert clinic.review.signature(done.session_id).valid
        assert clinic.audit.verify() == []
        with pytest.raises(Exception, match="not allowed"):
            with clinic.db.engine.begin() as conn:
                conn.execute(text("UPDATE audit_log SET actor = 'x' WHERE seq = 1"))
    finally:
        clinic.close()


def test_every_missing_disabled_or_hollowed_trigger_is_reported_on_postgresql(db_url, clock):
    from ketamon.storage.protections import missing_protections

    clinic = Clinic.open(db_url, clock)
    try:
        with clinic.db.engine.connect() as conn:
            assert missing_protections(conn) == []
            conn.rollback()
            # DDL is transactional on PostgreSQL: the damage is rolled back afterwards.
            with conn.begin() as transaction:
                conn.execute(text("DROP TRIGGER audit_log_no_update ON audit_log"))
                conn.execute(text("ALTER TABLE vitals_set DISABLE TRIGGER vitals_set_signed_lock"))
                # hollow, its refusal left in a comment (the attack battery's a03)
                conn.execute(
                    text(
                        "CREATE OR REPLACE FUNCTION ketamon_refuse() RETURNS trigger AS $$ "
                        "BEGIN RETURN OLD; /* RAISE EXCEPTION 'never' */ END $$ LANGUAGE plpgsql"
                    )
                )
                # a refusal that never fires
                conn.execute(text("DROP TRIGGER patient_no_delete ON patient"))
                conn.execute(
                    text(
                        "CREATE TRIGGER patient_no_delete BEFORE DELETE ON patient "
                        "FOR EACH ROW WHEN (false) EXECUTE FUNCTION ketamon_refuse_signed()"
                    )
                )
                replaced = "is not the one KetaMon's migrations created"
                assert [p.text for p in missing_protections(conn)] == [
                    "protection missing: trigger audit_log_no_update on audit_log was dropped",
                    f"protection replaced: trigger patient_no_delete on patient {replaced}",
                    "protection disabled: trigger vitals_set_signed_lock on vitals_set",
                    f"protection replaced: function ketamon_refuse() {replaced}",
                ]
                transaction.rollback()
            assert missing_protections(conn) == []
    finally:
        clinic.close(anchor=False)
