"""Clinic settings as stored (JSON values per key); defaults come from the domain."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ketamon.domain.news2 import Chart
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.vitals import Band
from ketamon.storage.models import ClinicSetting


def load_settings(tx: Session) -> ClinicSettings:
    stored = {row.key: json.loads(row.value) for row in tx.scalars(select(ClinicSetting))}
    return ClinicSettings.from_stored(stored)


# The vital band table alone (JSON as stored, None while the clinic keeps the defaults):
# what grading needs, read without decoding every other setting.
STORED_BANDS = select(ClinicSetting.key, ClinicSetting.value).where(
    ClinicSetting.key.in_(("vital_bands", "news2_chart"))
)


def bands_from_stored(stored: tuple[tuple[str, str], ...]) -> dict[str, Band]:
    """`stored`: the (key, JSON) rows of STORED_BANDS, sorted (hashable, to cache on)."""
    values = {k: json.loads(v) for k, v in stored}
    return ClinicSettings.from_stored(values).bands


def chart_from_stored(stored: tuple[tuple[str, str], ...]) -> Chart:
    """The NEWS2 chart from the rows of STORED_BANDS (the clinic's, or the RCP default)."""
    values = {k: json.loads(v) for k, v in stored if k == "news2_chart"}
    return ClinicSettings.from_stored(values).news2_chart


def load_bands(tx: Session) -> dict[str, Band]:
    return bands_from_stored(stored_bands(tx))


def stored_bands(connection: Session | Connection) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((key, value) for key, value in connection.execute(STORED_BANDS).all()))


def load_chart(tx: Session) -> Chart:
    row = tx.get(ClinicSetting, "news2_chart")
    return ClinicSettings.from_stored(
        {} if row is None else {"news2_chart": json.loads(row.value)}
    ).news2_chart
