"""Clinic settings as stored (JSON values per key); defaults come from the domain.

Decoding and validating the settings costs about half a millisecond, and a vitals save
needed it twice: the parsed values are kept per stored text (the rows read are the key, so
a setting changed here or on another workstation is parsed afresh at the next read). What
they return is shared between callers: read it, never change it in place.
"""

from __future__ import annotations

import json
from functools import lru_cache

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ketamon.domain.news2 import Chart
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.vitals import Band
from ketamon.storage.models import ClinicSetting

ALL_STORED = select(ClinicSetting.key, ClinicSetting.value).order_by(ClinicSetting.key)


def load_settings(tx: Session | Connection) -> ClinicSettings:
    return settings_from_stored(tuple((key, value) for key, value in tx.execute(ALL_STORED)))


@lru_cache(maxsize=16)
def settings_from_stored(stored: tuple[tuple[str, str], ...]) -> ClinicSettings:
    """`stored`: every (key, JSON) row, sorted by key."""
    return ClinicSettings.from_stored({k: json.loads(v) for k, v in stored})


# The vital band table alone (JSON as stored, None while the clinic keeps the defaults):
# what grading needs, read without decoding every other setting.
STORED_BANDS = select(ClinicSetting.key, ClinicSetting.value).where(
    ClinicSetting.key.in_(("vital_bands", "news2_chart"))
)


@lru_cache(maxsize=16)
def bands_from_stored(stored: tuple[tuple[str, str], ...]) -> dict[str, Band]:
    """`stored`: the (key, JSON) rows of STORED_BANDS, sorted (hashable, to cache on)."""
    values = {k: json.loads(v) for k, v in stored}
    return ClinicSettings.from_stored(values).bands


@lru_cache(maxsize=16)
def chart_from_stored(stored: tuple[tuple[str, str], ...]) -> Chart:
    """The NEWS2 chart from the rows of STORED_BANDS (the clinic's, or the RCP default)."""
    values = {k: json.loads(v) for k, v in stored if k == "news2_chart"}
    return ClinicSettings.from_stored(values).news2_chart


def load_bands(tx: Session) -> dict[str, Band]:
    return bands_from_stored(stored_bands(tx))


def load_grading(tx: Session) -> tuple[dict[str, Band], Chart]:
    """The bands and the NEWS2 chart, in one read."""
    stored = stored_bands(tx)
    return bands_from_stored(stored), chart_from_stored(stored)


def stored_bands(connection: Session | Connection) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((key, value) for key, value in connection.execute(STORED_BANDS).all()))


def load_chart(tx: Session) -> Chart:
    return chart_from_stored(stored_bands(tx))
