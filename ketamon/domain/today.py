"""Today: the sessions of the clinic's day (checked in, running, discharged...) and the
patients whose next planned visit is today and who have not come yet; one line each, in
time order, each saying where the patient is in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from ketamon.domain.sessions import Phase


@dataclass(frozen=True)
class TodayLine:
    patient_id: int
    patient_name: str
    mrn: str
    at: datetime  # checked in, or the planned visit (UTC)
    chair: str  # "" for a visit not come yet
    where: str  # "Infusing", "Discharged", "Planned visit, not checked in yet"
    session_id: int | None = None


PLANNED = "Planned visit, not checked in yet"


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The clinic's calendar day as a UTC-comparable [start, end) (the zone's midnight)."""
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return start, end


@dataclass(frozen=True)
class TodaySession:
    session_id: int
    patient_id: int
    patient_name: str
    mrn: str
    chair: str
    checked_in_at: datetime
    phase: Phase


@dataclass(frozen=True)
class PlannedVisit:
    patient_id: int
    patient_name: str
    mrn: str
    at: datetime


def today_lines(sessions: list[TodaySession], planned: list[PlannedVisit]) -> list[TodayLine]:
    """Every session of the day, and each planned visit of a patient with no session
    today (one line per patient's visit: the earliest planned time), by time."""
    came = {s.patient_id for s in sessions}
    lines = [
        TodayLine(
            s.patient_id, s.patient_name, s.mrn, s.checked_in_at, s.chair, s.phase.label,
            s.session_id,
        )
        for s in sessions
    ]  # fmt: skip
    first: dict[int, PlannedVisit] = {}
    for visit in sorted(planned, key=lambda v: v.at):
        if visit.patient_id not in came:
            first.setdefault(visit.patient_id, visit)
    lines += [
        TodayLine(v.patient_id, v.patient_name, v.mrn, v.at, "", PLANNED) for v in first.values()
    ]
    return sorted(lines, key=lambda line: (line.at, line.patient_name))
