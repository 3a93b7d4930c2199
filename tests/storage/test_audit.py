"""The audit trail: written with every change, append-only, and tamper-evident."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from ketamon.domain.errors import DomainError
from ketamon.storage.models import PatientRow
from tests.conftest import (
    NURSE,
    ask_questionnaires,
    baseline,
    draft,
    plan_dose,
    plan_escort,
    rehash_chain,
    trail,
)

pytestmark = pytest.mark.both_backends


_trail = trail


def _raw(clinic) -> sqlite3.Connection:
    return sqlite3.connect(Path(clinic.location), isolation_level=None)


@pytest.fixture
def infusing(clinic, clock):
    patient = clinic.patients.register(NURSE, draft(name="Ada Lovelace"))
    chair = clinic.chairs.all()[0]
    session = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    clock.advance(minutes=5)
    baseline(clinic, session.id)
    plan_dose(clinic, session.id)
    plan_escort(clinic, session.id)
    ask_questionnaires(clinic, session.id)
    clinic.sessions.start(NURSE, session.id)
    clock.advance(minutes=10)
    clinic.sessions.pause(NURSE, session.id, "Nausea")
    return session


def test_every_change_writes_who_what_when_and_why(clinic, clock, infusing):
    rows = _trail(clinic, entity="infusion_session", entity_id=infusing.id)
    created = {r[4]: r[6] for r in rows if r[1] == "create"}
    assert created["phase"] == "checked_in" and created["target_minutes"] == "40"
    assert (
        "nurse.jo",
        "update",
        "infusion_session",
        infusing.id,
        "phase",
        "checked_in",
        "infusing",
        "",
    ) in rows
    pause = _trail(clinic, entity="session_event", field="kind", new_value="pause")
    assert pause == [
        ("nurse.jo", "create", "session_event", pause[0][3], "kind", None, "pause", "Nausea")
    ]
    history = clinic.audit.session_history(infusing.id)
    assert [e.new_value for e in history if e.field == "kind"] == ["check_in", "start", "pause"]
    assert {e.actor for e in history} == {"nurse.jo"}


def test_settings_chairs_and_users_are_audited_too(clinic):
    clinic.settings.update(NURSE, overrun_alert_minutes=10)
    chair = clinic.chairs.add(NURSE, "Recliner")
    clinic.chairs.retire(NURSE, chair.id)
    clinic.users.add(NURSE, "nurse.amy", "Amy Stone", "RN", "nurse", "long enough pw1")
    assert (
        "nurse.jo",
        "create",
        "clinic_setting",
        None,
        "overrun_alert_minutes.value",
        None,
        "10",
        "",
    ) in _trail(clinic)
    assert any(
        r[2] == "chair" and r[4] == "retired_by" and r[6] == "nurse.jo" for r in _trail(clinic)
    )
    secret = _trail(clinic, entity="app_user", field="password_hash")
    with clinic.db.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, password_hash FROM app_user")).all())
    # Never the hash itself: its SHA-256, so verification can compare without revealing it.
    assert len(secret) == 2 and all(
        r[6] == "(changed) sha256:" + hashlib.sha256(stored[r[3]].encode()).hexdigest()
        and stored[r[3]] not in r[6]
        for r in secret
    )


def test_an_untouched_trail_verifies(clinic, infusing):
    assert clinic.audit.verify() == []


@pytest.mark.sqlite_only("raw sqlite3 connection")
def test_a_session_changed_with_raw_sql_is_detected(clinic, infusing):
    raw = _raw(clinic)
    raw.execute("UPDATE infusion_session SET target_minutes = 60 WHERE id = ?", (infusing.id,))
    raw.close()
    [problem] = clinic.audit.verify()
    assert problem.text == (
        f"infusion_session {infusing.id} field target_minutes is '60' but the audit trail "
        "says '40' (changed outside KetaMon)"
    )


@pytest.mark.sqlite_only("SQLite keeps times as text")
def test_a_time_respelled_with_raw_sql_is_detected(clinic, infusing):
    # Found by an attack battery: '2026-03-02 14:00:00' rewritten as '2026-03-02T14:00:00'
    # reads back as the same instant, so the trail agreed, but SQLite orders the text: the
    # baseline set then sorted as the newest and its MOAA/S released a sedated patient.
    [first] = clinic.vitals.for_session(infusing.id)
    raw = _raw(clinic)
    stored = raw.execute("SELECT taken_at FROM vitals_set WHERE id = ?", (first.id,)).fetchone()[0]
    respelled = stored.replace(" ", "T").removesuffix(".000000")
    assert respelled != stored
    raw.execute(
        "UPDATE vitals_set SET taken_at = ? WHERE id = ?", (respelled, first.id)
    )  # the lock triggers allow it: the session is not signed
    raw.close()
    assert clinic.vitals.for_session(infusing.id)[0].taken_at == first.taken_at  # reads equal
    [problem] = clinic.audit.verify()
    assert problem.text == (
        f"vitals_set {first.id} field taken_at is stored as {respelled!r}, not as KetaMon "
        f"writes it ({stored!r}): changed outside KetaMon (it sorts out of order)"
    )


@pytest.mark.sqlite_only("raw sqlite3 connection")
def test_a_row_inserted_behind_the_apps_back_is_detected(clinic):
    raw = _raw(clinic)
    raw.execute(
        "INSERT INTO patient (mrn, full_name, date_of_birth, weight_kg, allergies, created_at,"
        " created_by) VALUES ('X1', 'Sneaky', '1980-01-01', 70, '', '2026-01-01', 'nobody')"
    )
    raw.close()
    assert [p.text for p in clinic.audit.verify()] == [
        "patient 1 has no audit trail (written outside KetaMon)"
    ]


@pytest.mark.sqlite_only("sqlite3 errors; PostgreSQL's: test_postgres")
def test_the_database_refuses_to_alter_or_delete_audit_rows(clinic, infusing):
    raw = _raw(clinic)
    with pytest.raises(sqlite3.IntegrityError, match="audit trail cannot be changed"):
        raw.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 3")
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        raw.execute("DELETE FROM audit_log WHERE seq = 3")
    raw.close()
    assert clinic.audit.verify() == []


@pytest.mark.sqlite_only("INSERT OR REPLACE is SQLite's")
@pytest.mark.parametrize(
    "statement",
    [
        # the same key: the old row deleted without its delete trigger, a new one in place
        "INSERT OR REPLACE INTO vitals_set SELECT * FROM vitals_set WHERE id = 1",
        "REPLACE INTO audit_log SELECT * FROM audit_log WHERE seq = 3",
        "INSERT OR REPLACE INTO session_event SELECT * FROM session_event WHERE id = 1",
        # a new id on a unique value (the MRN in another letter case) deletes the holder
        "INSERT OR REPLACE INTO patient SELECT 99, lower(mrn), full_name, date_of_birth, "
        "weight_kg, allergies, created_at, created_by, no_known_allergies, spo2_scale2, "
        "version, plan_series_length, plan_interval_min_days, plan_interval_max_days "
        "FROM patient WHERE id = 1",
        "INSERT OR REPLACE INTO dose_record SELECT * FROM dose_record",
    ],
)
def test_insert_or_replace_cannot_rewrite_a_protected_record(clinic, infusing, statement):
    # Found by an attack battery: SQLite resolves REPLACE by deleting the row in the way
    # without firing its delete trigger, so a never-deleted record was rewritten in place.
    raw = _raw(clinic)
    with pytest.raises(sqlite3.IntegrityError, match="never replaced"):
        raw.execute(statement)
    raw.close()
    assert clinic.audit.verify() == []


@pytest.mark.sqlite_only("sqlite3 errors")
def test_clinical_rows_are_never_deleted(clinic, infusing):
    raw = _raw(clinic)
    for table in ("session_event", "infusion_session", "patient", "chair", "app_user"):
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            raw.execute(f"DELETE FROM {table}")
    raw.close()
    with pytest.raises(DomainError, match="never deleted"):
        with clinic.db.transaction(audit=clinic.patients.audit(NURSE)) as session:
            session.delete(session.get(PatientRow, 1))


@pytest.mark.sqlite_only("drops SQLite triggers with sqlite3")
def test_an_audit_row_altered_past_the_trigger_breaks_the_chain_there(clinic, infusing):
    raw = _raw(clinic)
    raw.execute("DROP TRIGGER audit_log_no_update")  # a determined attacker
    raw.execute("UPDATE audit_log SET reason = 'Patient request' WHERE reason = 'Nausea'")
    seq = raw.execute("SELECT seq FROM audit_log WHERE reason = 'Patient request'").fetchone()[0]
    raw.close()
    problems = clinic.audit.verify()
    assert problems[0].seq == seq
    assert problems[0].text == f"audit row {seq} was altered"


@pytest.mark.sqlite_only("drops SQLite triggers with sqlite3")
def test_an_audit_row_removed_past_the_trigger_is_detected(clinic, infusing):
    raw = _raw(clinic)
    raw.execute("DROP TRIGGER audit_log_no_delete")
    raw.execute("DELETE FROM audit_log WHERE seq = 5")
    raw.close()
    assert clinic.audit.verify()[0].text == "audit row 5 is missing"


def test_a_change_without_an_acting_user_is_refused(clinic):
    with pytest.raises(DomainError, match="acting user"):
        with clinic.db.transaction() as session:
            session.get(PatientRow, 1) or session.add(
                PatientRow(
                    mrn="Z",
                    full_name="Z",
                    date_of_birth=None,
                    weight_kg=70,
                    allergies="",
                    created_at=clinic.clock(),
                    created_by="x",
                )
            )
    assert _trail(clinic, entity="patient") == []


def _rehashed(clinic, *statements: str) -> None:
    """Statements run behind KetaMon's back, then the chain re-hashed from its first row."""
    raw = _raw(clinic)
    triggers = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    triggers = triggers.fetchall()
    for name, _ in triggers:
        raw.execute(f"DROP TRIGGER {name}")
    for statement in statements:
        raw.execute(statement)
    rehash_chain(raw, 1)
    for _, sql in triggers:
        raw.execute(sql)
    raw.close()


@pytest.mark.sqlite_only("raw sqlite3 connection")
def test_a_password_set_before_digests_were_kept_is_a_warning_until_it_changes(clinic):
    # A trail written before digests were kept holds only "(changed)": not comparable.
    _rehashed(
        clinic,
        "UPDATE audit_log SET new_value = '(changed)' WHERE field = 'password_hash'",
        "UPDATE audit_log SET new_value = json_set(new_value, '$.password_hash', '(changed)')"
        " WHERE entity = 'app_user' AND field = '*'",
    )
    report = clinic.audit.verify_report()
    assert report.problems == ()
    assert [w.text for w in report.warnings if w.text.startswith("password of")] == [
        "password of nurse.jo (app_user 1) set before digests were kept: not checked "
        "(its next change brings it under the check)"
    ]
    clinic.users.reset_password(NURSE, "nurse.jo", "a brand new password")
    report = clinic.audit.verify_report()
    assert report.problems == () and not [
        w for w in report.warnings if w.text.startswith("password of")
    ]


@pytest.mark.sqlite_only("raw sqlite3 connection")
def test_a_replaced_password_hash_is_found_without_revealing_either(clinic):
    from argon2 import PasswordHasher

    chosen = PasswordHasher().hash("chosen by an attacker")
    raw = _raw(clinic)
    old = raw.execute("SELECT password_hash FROM app_user WHERE id = 1").fetchone()[0]
    raw.execute(f"UPDATE app_user SET password_hash = '{chosen}' WHERE id = 1")
    raw.close()
    [problem] = clinic.audit.verify()
    assert problem.text == (
        "password of nurse.jo (app_user 1) does not match the digest in the audit trail "
        "(changed outside KetaMon)"
    )
    assert old not in problem.text and chosen not in problem.text


@pytest.mark.sqlite_only("raw sqlite3 connection")
def test_a_deleted_setting_and_a_setting_inserted_by_hand_are_found(clinic):
    clinic.settings.update(NURSE, overrun_alert_minutes=10)
    raw = _raw(clinic)
    raw.execute("DELETE FROM clinic_setting WHERE key = 'overrun_alert_minutes'")
    raw.execute(
        "INSERT INTO clinic_setting (key, value, updated_at, updated_by) "
        "VALUES ('idle_lock_minutes', '30', '2026-03-02 14:00:00', 'nobody')"
    )
    raw.close()
    texts = [p.text for p in clinic.audit.verify()]
    assert "clinic_setting idle_lock_minutes has no audit trail (written outside KetaMon)" in texts
    assert any(t.startswith("clinic_setting overrun_alert_minutes was deleted") for t in texts)
