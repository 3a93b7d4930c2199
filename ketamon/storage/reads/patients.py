"""Patients as the domain sees them, and the candidates of a patient search."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, not_, or_, select
from sqlalchemy.orm import Session

from ketamon.domain.patients import Patient, search_date
from ketamon.storage.models import PatientRow

# At most this many rows of each kind (prefix, substring-only) are read for one search; the
# domain ranks them (ketamon.domain.patients.search_order) and the service keeps the first.
SEARCH_CANDIDATES = 500


def to_patient(row: PatientRow) -> Patient:
    return Patient(
        row.id,
        row.mrn,
        row.full_name,
        row.date_of_birth,
        row.weight_kg,
        row.allergies,
        bool(row.no_known_allergies),
        bool(row.spo2_scale2),
        row.version or 0,
    )


def _literal(text: str) -> str:
    """`text` for a LIKE pattern with ESCAPE '\\': its %, _ and \\ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefix(word: str) -> ColumnElement[bool]:
    """`word` starts a word of the name (after a space or a hyphen) or the MRN, or is the
    date of birth (YYYY-MM-DD)."""
    w = _literal(word)
    name = PatientRow.full_name
    born = search_date(word)
    return or_(
        name.ilike(f"{w}%", escape="\\"),
        name.ilike(f"% {w}%", escape="\\"),
        name.ilike(f"%-{w}%", escape="\\"),
        PatientRow.mrn.ilike(f"{w}%", escape="\\"),
        *([PatientRow.date_of_birth == born] if born is not None else []),
    )


def _anywhere(word: str) -> ColumnElement[bool]:
    """`word` is inside the name or starts the MRN."""
    w = _literal(word)
    return or_(
        PatientRow.full_name.ilike(f"%{w}%", escape="\\"),
        PatientRow.mrn.ilike(f"{w}%", escape="\\"),
    )


def search_candidates(tx: Session, words: list[str]) -> list[Patient]:
    """The patients every word of the search matches (a prefix of a name word or of the
    MRN first, then inside the name), unranked: up to SEARCH_CANDIDATES of each kind."""
    if not words:
        return []
    prefix = and_(*(_prefix(word) for word in words))
    anywhere = and_(*(_anywhere(word) for word in words))
    order = (PatientRow.full_name, PatientRow.id)
    first = tx.scalars(select(PatientRow).where(prefix).order_by(*order).limit(SEARCH_CANDIDATES))
    rows = list(first)
    rest = tx.scalars(
        select(PatientRow).where(anywhere, not_(prefix)).order_by(*order).limit(SEARCH_CANDIDATES)
    )
    rows.extend(rest)
    return [to_patient(row) for row in rows]
