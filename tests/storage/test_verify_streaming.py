"""`audit verify` streams: the records and the trail are merged table by table in key
order instead of being held whole (issue 19: 5.1 GB at ten clinic-years). Whatever is
deleted, inserted or changed behind KetaMon's back, wherever it falls among the keys, the
merge reports exactly what holding the whole trail in memory reported (the reference below
is the algorithm it replaced)."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from ketamon.storage.audit import (
    UNAUDITED_FIELDS,
    audited_models,
    encode,
    fields_of,
    is_secret,
    table_of,
)
from ketamon.storage.models import AuditRow
from ketamon.storage.verify import verify
from tests.conftest import NURSE, draft

PATIENTS = 8


def reference(tx: Session) -> list[str]:
    """The whole trail in a dict, then every record against it (secrets are not compared:
    only patients and settings are tampered with here)."""
    latest: dict[tuple, str | None] = {}
    created: dict[tuple, int] = {}
    for row in tx.execute(select(*audit_columns()).order_by(audit_columns()[0])):
        seq, action, entity, entity_id, row_field, row_value = row
        for field, new_value in fields_of(row_field, row_value):
            if not field:
                continue
            if entity_id is not None:
                key, column = entity_id, field
            else:
                key, dot, column = field.rpartition(".")
                if not dot:
                    continue
            latest[(entity, key, column)] = new_value
            if action in ("create", "baseline"):
                created.setdefault((entity, key), seq)
    texts = []
    for model in audited_models():
        table = table_of(model)
        pk = next(iter(table.primary_key.columns))
        present = set()
        for record in tx.execute(select(table).order_by(pk)):
            values = dict(record._mapping)
            key = values[pk.key]
            present.add(key)
            for column in table.columns:
                if (table.name, column.key) in UNAUDITED_FIELDS:
                    continue
                if (table.name, key, column.key) not in latest:
                    texts.append(f"{table.name} {key} has no audit trail (written outside KetaMon)")
                    break
                said = latest[(table.name, key, column.key)]
                if said != encode(values[column.key]) and not is_secret(table.name, column.key):
                    texts.append(
                        f"{table.name} {key} field {column.key} is {encode(values[column.key])!r}"
                        f" but the audit trail says {said!r} (changed outside KetaMon)"
                    )
        for (entity, key), seq in sorted(
            (i for i in created.items() if i[0][0] == table.name), key=lambda i: i[1]
        ):
            if key not in present:
                texts.append(
                    f"{entity} {key} was deleted (the audit trail created it in row {seq}; "
                    "records are never deleted)"
                )
    return texts


def audit_columns():
    return [
        AuditRow.seq,
        AuditRow.action,
        AuditRow.entity,
        AuditRow.entity_id,
        AuditRow.field,
        AuditRow.new_value,
    ]


@pytest.fixture
def template(clinic) -> Path:
    """A clinic with PATIENTS patients (ids 1..8), two of them edited, and two settings."""
    for number in range(PATIENTS):
        clinic.patients.register(NURSE, draft(f"MRN-{number}", f"Patient Number{number}"))
    clinic.settings.update(NURSE, overrun_alert_minutes=10)
    clinic.settings.update(NURSE, idle_lock_minutes=20)
    path = Path(tempfile.mkdtemp()) / "template.sqlite3"
    with sqlite3.connect(clinic.location) as source, sqlite3.connect(path) as target:
        source.backup(target)
    return path


TAMPERING = st.fixed_dictionaries(
    {
        "deleted": st.sets(st.integers(1, PATIENTS)),
        "changed": st.sets(st.integers(1, PATIENTS)),
        "inserted": st.sets(st.sampled_from([1, 4, 8, 9, 12, 40])),
        "settings": st.sets(st.sampled_from(["delete overrun", "insert", "change idle"])),
    }
)


@pytest.mark.sqlite_only("raw sqlite3 edits of a copy")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tampering=TAMPERING)
def test_streamed_verify_reports_what_the_whole_trail_reported(template, tampering):
    path = Path(tempfile.mkdtemp()) / "tampered.sqlite3"
    shutil.copyfile(template, path)
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DROP TRIGGER IF EXISTS patient_no_delete")
    raw.execute("DROP TRIGGER IF EXISTS clinic_setting_no_delete")
    raw.execute("DROP TRIGGER IF EXISTS patient_no_replace")  # 0014: else OR IGNORE is refused
    for number in sorted(tampering["deleted"]):
        raw.execute("DELETE FROM patient WHERE id = ?", (number,))
    for number in sorted(tampering["changed"]):
        raw.execute("UPDATE patient SET weight_kg = weight_kg + 1 WHERE id = ?", (number,))
    for number in sorted(tampering["inserted"]):
        raw.execute(
            "INSERT OR IGNORE INTO patient (id, mrn, full_name, date_of_birth, weight_kg, "
            "allergies, created_at, created_by) VALUES (?, ?, 'Sneaky', '1980-01-01', 70, '', "
            "'2026-01-01 00:00:00.000000', 'nobody')",
            (number, f"X{number}"),
        )
    if "delete overrun" in tampering["settings"]:
        raw.execute("DELETE FROM clinic_setting WHERE key = 'overrun_alert_minutes'")
    if "insert" in tampering["settings"]:
        raw.execute(
            "INSERT OR IGNORE INTO clinic_setting (key, value, updated_at, updated_by) "
            "VALUES ('aaa_first', '30', '2026-03-02 14:00:00.000000', 'nobody')"
        )
    if "change idle" in tampering["settings"]:
        raw.execute("UPDATE clinic_setting SET value = '99' WHERE key = 'idle_lock_minutes'")
    raw.close()
    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as tx:
            expected = reference(tx)
            found = [p.text for p in verify(tx)]
    finally:
        engine.dispose()
    assert found == expected
    kept = set(range(1, PATIENTS + 1)) - tampering["deleted"]
    new = tampering["inserted"] - kept  # an id still taken is not inserted again
    touched = tampering["deleted"] | (tampering["changed"] & kept) | new
    assert bool(found) == bool(touched or tampering["settings"])
