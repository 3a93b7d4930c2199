"""The controlled-substance log (issue 18): ketamine is Schedule III, so for any period
the clinic shows every administration and waste: when, whom, the drug and its
concentration, the lot, planned, given and wasted, the nurse and the waste's witness.
Incomplete dose records come first, each saying in words what is missing; totals per
lot and per day follow."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

DRUG = "Ketamine"


@dataclass(frozen=True)
class SubstanceEntry:
    session_id: int
    at: datetime  # given (completed), else planned
    patient_name: str
    mrn: str
    concentration_mg_ml: float
    lot: str
    planned_mg: float
    given_mg: float | None
    wasted_mg: float | None
    nurse: str  # display name of who recorded it given (or planned)
    witness: str  # display name of the waste's witness, "" when none

    @property
    def missing(self) -> str:
        """What the record lacks, in words ('' when complete)."""
        gaps = []
        if self.given_mg is None:
            gaps.append("the amount given")
        if self.wasted_mg is None:
            gaps.append("the amount wasted")
        if self.wasted_mg and not self.witness:
            gaps.append("the waste's witness")
        if not self.lot:
            gaps.append("the lot number")
        return f"INCOMPLETE: {', '.join(gaps)} not recorded" if gaps else ""


@dataclass(frozen=True)
class Total:
    """A lot's or a day's sums. Given and wasted add the records that say them; records
    that do not are counted apart (never added as 0 mg)."""

    key: str  # the lot, or the day (YYYY-MM-DD)
    records: int
    planned_mg: float
    given_mg: float  # of the records with the amount given
    wasted_mg: float  # of the records with the amount wasted
    given_unknown: int = 0  # records without the amount given
    wasted_unknown: int = 0  # records without the amount wasted


@dataclass(frozen=True)
class SubstanceLog:
    first: date
    last: date
    tz: tzinfo
    printed_at: datetime
    entries: tuple[SubstanceEntry, ...]  # incomplete first, then by time

    @property
    def by_lot(self) -> tuple[Total, ...]:
        return _totals(self.entries, lambda e: e.lot or "(no lot recorded)")

    @property
    def by_day(self) -> tuple[Total, ...]:
        return _totals(self.entries, lambda e: e.at.astimezone(self.tz).date().isoformat())

    @property
    def incomplete(self) -> int:
        return sum(1 for e in self.entries if e.missing)


def ordered(entries: Sequence[SubstanceEntry]) -> tuple[SubstanceEntry, ...]:
    """Incomplete records first (they need someone's attention), then by time."""
    return tuple(sorted(entries, key=lambda e: (not e.missing, e.at, e.session_id)))


def _totals(
    entries: Sequence[SubstanceEntry], key: Callable[[SubstanceEntry], str]
) -> tuple[Total, ...]:
    groups: dict[str, list[SubstanceEntry]] = {}
    for entry in entries:
        groups.setdefault(key(entry), []).append(entry)
    return tuple(
        Total(
            name,
            len(group),
            sum(e.planned_mg for e in group),
            sum(e.given_mg for e in group if e.given_mg is not None),
            sum(e.wasted_mg for e in group if e.wasted_mg is not None),
            sum(1 for e in group if e.given_mg is None),
            sum(1 for e in group if e.wasted_mg is None),
        )
        for name, group in sorted(groups.items())
    )
