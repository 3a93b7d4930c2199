"""The audit trail's compact form (issue 19, migration 0013): a record's creation is one
trail row holding every field as a JSON object, instead of one row per field. Trails
written before it (one row per field) stay as they are; both forms read and verify as one
trail, signatures made over either stay valid, and tampering is found in both."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from ketamon.domain.actors import Actor
from ketamon.services.review import ReviewService
from ketamon.storage import audit
from ketamon.storage.audit import RECORD, UNAUDITED_FIELDS, fields_of, record_value, table_of
from ketamon.storage.models import AuditRow, PatientRow
from tests.conftest import NURSE, PASSWORD, add_user, draft, rehash_chain, trail
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends

DOC = Actor("dr.patel", "Priya Patel, MD")


def per_field(obj) -> list:
    """What KetaMon before 0013 wrote for a new record: one entry per field."""
    table = table_of(obj)
    entity_id = audit._entity_id(obj)
    return [
        (
            "create",
            table.name,
            entity_id,
            c.key if entity_id is not None else audit._field(obj, c.key),
            None,
            getattr(obj, c.key),
        )
        for c in table.columns
        if (table.name, c.key) not in UNAUDITED_FIELDS
    ]


def _rows(clinic, entity: str) -> list[AuditRow]:
    with clinic.db.transaction(write=False) as tx:
        return list(
            tx.scalars(select(AuditRow).where(AuditRow.entity == entity).order_by(AuditRow.seq))
        )


def _audited_columns(table_name: str, model) -> list[str]:
    return [c.key for c in table_of(model).columns if (table_name, c.key) not in UNAUDITED_FIELDS]


def test_a_creation_is_one_row_holding_every_field(clinic):
    patient = clinic.patients.register(NURSE, draft(name="Ada Lovelace", weight_kg=61.5))
    [row] = [r for r in _rows(clinic, "patient") if r.entity_id == patient.id]
    assert (row.action, row.field, row.old_value, row.actor) == ("create", RECORD, None, "nurse.jo")
    values = json.loads(row.new_value)
    assert list(values) == _audited_columns("patient", PatientRow)
    assert (values["full_name"], values["weight_kg"]) == ("Ada Lovelace", "61.5")

    clinic.settings.update(NURSE, overrun_alert_minutes=10)
    [setting] = [r for r in _rows(clinic, "clinic_setting") if r.field.startswith("overrun")]
    assert (setting.entity_id, setting.field) == (None, "overrun_alert_minutes.*")
    assert ("overrun_alert_minutes.value", "10") in fields_of(setting.field, setting.new_value)

    add_user(clinic, "nurse.amy", "Amy Stone", "RN", "nurse", "long enough pw1")
    with clinic.db.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT id, password_hash FROM app_user WHERE username = 'nurse.amy'")
        ).one()
    [created] = [
        r for r in _rows(clinic, "app_user") if r.entity_id == stored.id and r.action == "create"
    ]
    said = dict(fields_of(created.field, created.new_value))
    assert said["password_hash"].startswith("(changed) sha256:")  # a digest, never the hash
    assert stored.password_hash not in created.new_value
    assert clinic.audit.verify() == []


def test_a_trail_written_before_0013_and_after_reads_verifies_and_signs_as_one(
    clinic, clock, monkeypatch
):
    review = ReviewService(clinic.db, clinic.clock)
    with monkeypatch.context() as older:  # KetaMon before 0013: one row per field
        older.setattr(audit, "creation_entries", per_field)
        add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
        before = discharged_session(clinic, clock, sets=12)
        review.sign(
            DOC,
            before.id,
            PASSWORD,
            "Reviewed and approved",
            "Uneventful",
            reviewed=review.record_digest(before.id),
        )
        old_patient = before.patient_id
    second = clinic.patients.register(NURSE, draft("MRN2002", "Bo Second"))
    after = discharged_session(clinic, clock, sets=12, patient=second)
    review.sign(
        DOC,
        after.id,
        PASSWORD,
        "Reviewed and approved",
        "Uneventful",
        reviewed=review.record_digest(after.id),
    )

    per_field_rows = [r for r in _rows(clinic, "vitals_set") if r.action == "create"]
    assert {r.field for r in per_field_rows} > {RECORD}  # both forms are in this trail
    assert review.signature(before.id).valid and review.signature(after.id).valid
    assert review.check_signatures() == []
    assert clinic.audit.verify() == []

    def created(session_id: int) -> dict:
        """Per record created in the session: its fields and values, as the history shows."""
        out: dict = {}
        for e in clinic.audit.session_history(session_id):
            if e.action == "create" and e.entity == "vitals_set":
                out.setdefault(e.entity_id, {})[e.field] = e.new_value
        return out

    old_sets, new_sets = created(before.id), created(after.id)
    assert len(old_sets) == len(new_sets) == 12
    assert [list(v) for v in old_sets.values()] == [list(v) for v in new_sets.values()]
    assert [v["systolic"] for v in old_sets.values()] == [v["systolic"] for v in new_sets.values()]

    # A record changed behind KetaMon's back is found whichever form created it.
    new_patient = after.patient_id
    with clinic.db.engine.begin() as conn:
        conn.execute(text("UPDATE patient SET weight_kg = weight_kg + 5"))
    texts = [p.text for p in clinic.audit.verify()]
    for patient_id in (old_patient, new_patient):
        assert any(t.startswith(f"patient {patient_id} field weight_kg is ") for t in texts)


@pytest.mark.sqlite_only("raw sqlite3 edits of the trail")
def test_a_creation_row_altered_or_forged_is_found_and_read_safely(clinic):
    patient = clinic.patients.register(NURSE, draft())
    [row] = [r for r in _rows(clinic, "patient") if r.entity_id == patient.id]
    raw = sqlite3.connect(str(clinic.db.path), isolation_level=None)
    trigger = raw.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'audit_log_no_update'"
    ).fetchone()[0]
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute(
        "UPDATE audit_log SET new_value = json_set(new_value, '$.weight_kg', '99') WHERE seq = ?",
        (row.seq,),
    )
    assert f"audit row {row.seq} was altered" in [p.text for p in clinic.audit.verify()]
    # A forger re-hashing a creation that is no JSON object: no field is read from it.
    raw.execute("UPDATE audit_log SET new_value = '[1, 2]' WHERE seq = ?", (row.seq,))
    rehash_chain(raw, row.seq)
    raw.execute(trigger)
    raw.close()
    assert [p.text for p in clinic.audit.verify()] == [
        f"patient {patient.id} has no audit trail (written outside KetaMon)"
    ]
    assert trail(clinic, entity="patient", entity_id=patient.id) == []


TEXTS = st.one_of(st.none(), st.text())
NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True)


@given(st.dictionaries(NAMES, TEXTS, max_size=25), st.one_of(st.just(""), NAMES))
def test_every_field_of_a_creation_row_reads_back_as_written(values, key):
    field = f"{key}.{RECORD}" if key else RECORD
    prefix = f"{key}." if key else ""
    assert fields_of(field, record_value(values)) == [
        (prefix + name, value) for name, value in values.items()
    ]
    # A field's own row (any name but the creation mark) reads as itself.
    assert fields_of(prefix + "systolic", "120") == [(prefix + "systolic", "120")]
