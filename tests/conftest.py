"""Shared fixtures. Qt runs offscreen; no test touches a real clinic database."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from ketamon.domain.actors import Actor  # noqa: E402
from ketamon.domain.clock import FakeClock  # noqa: E402
from ketamon.domain.patients import PatientDraft  # noqa: E402

T0 = datetime(2026, 3, 2, 14, 0, 0, tzinfo=UTC)
NURSE = Actor("nurse.jo", "Jo Rivera")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("KETAMON_DATA_DIR", str(data))
    monkeypatch.delenv("KETAMON_DB", raising=False)
    return data


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'clinic.sqlite3'}"


@pytest.fixture
def clinic(db_url: str, clock: FakeClock):
    from ketamon.services.clinic import Clinic

    c = Clinic.open(db_url, clock)
    c.chairs.ensure_defaults(NURSE)
    yield c
    c.close()


def draft(mrn: str = "MRN1001", name: str = "Ada Lovelace", **kw) -> PatientDraft:
    from datetime import date

    return PatientDraft(
        mrn=mrn,
        full_name=name,
        date_of_birth=kw.pop("date_of_birth", date(1980, 5, 17)),
        weight_kg=kw.pop("weight_kg", 72.5),
        allergies=kw.pop("allergies", ""),
    )
