"""A workstation installed without the PostgreSQL driver is told what to install, in words."""

from __future__ import annotations

import sys

import pytest

from ketamon.domain.errors import StorageError
from ketamon.storage.database import Database


def test_a_postgresql_url_without_its_driver_names_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As on a computer where psycopg was never installed: importing it fails.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(StorageError) as refused:
        Database("postgresql+psycopg://ketamon_app@db.clinic.example/ketamon")
    text = str(refused.value)
    assert "psycopg" in text and "ketamon[postgres]" in text
    assert "db.clinic.example" in text
