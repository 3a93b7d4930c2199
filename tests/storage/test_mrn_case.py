"""MRNs are unique whatever their case, in the database itself and on both backends: two
workstations registering "km-1" and "KM-1" at the same moment both pass the service's
check (a read), so only the database can refuse the second (migration 0010)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import exc, insert, text

from ketamon.domain.errors import StorageError, ValidationErrors
from ketamon.domain.patients import PatientDraft
from ketamon.storage import migrate
from ketamon.storage.database import Database
from ketamon.storage.models import PatientRow
from tests.conftest import NURSE

pytestmark = pytest.mark.both_backends


def _row(mrn: str) -> dict[str, object]:
    return {
        "mrn": mrn,
        "full_name": "Case Test",
        "date_of_birth": date(1980, 1, 1),
        "weight_kg": 70.0,
        "allergies": "",
        "created_at": datetime(2026, 3, 2, tzinfo=UTC),
        "created_by": NURSE.username,
    }


def test_the_database_refuses_an_mrn_that_differs_only_in_case(clinic) -> None:
    """What the second workstation's insert meets once both passed the service's check."""
    clinic.patients.register(NURSE, PatientDraft("KM-1", "Kim One", date(1980, 1, 1), 70.0))
    with pytest.raises(exc.IntegrityError), clinic.db.engine.begin() as conn:
        conn.execute(insert(PatientRow).values(**_row("km-1")))
    assert [p.mrn for p in clinic.patients.search("KM-1")] == ["KM-1"]


def test_the_service_names_the_field_for_a_case_variant(clinic) -> None:
    clinic.patients.register(NURSE, PatientDraft("KM-2", "Kim Two", date(1980, 1, 1), 70.0))
    with pytest.raises(ValidationErrors) as refused:
        clinic.patients.register(NURSE, PatientDraft("km-2", "Kim Too", date(1980, 1, 1), 70.0))
    assert set(refused.value.errors) == {"mrn"}


@pytest.mark.sqlite_only("builds a file at 0009 with a raw duplicate, then upgrades it")
def test_the_upgrade_refuses_case_duplicates_and_changes_nothing(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'dup.sqlite3'}")
    try:
        with db.engine.begin() as conn:
            command.upgrade(migrate.alembic_config(conn), "0009")
            conn.execute(insert(PatientRow).values(**_row("KM-3")))
            conn.execute(insert(PatientRow).values(**_row("km-3")))
        with pytest.raises(StorageError, match="km-3.*Nothing was changed"):
            migrate.upgrade(db)
        with db.engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "0009"
            assert conn.scalar(text("SELECT count(*) FROM patient")) == 2
    finally:
        db.engine.dispose()
