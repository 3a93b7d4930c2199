"""What may leave KetaMon, and how it is written (issue 18): who may export, the period,
how a value is spelled in a CSV cell, and the words the audit trail keeps for an export.

An export is a disclosure of health information: only physicians and administrators
make one, and each is recorded (who, what, which period, how many rows of each kind).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.users import Role, User

MAX_DAYS = 3660  # ten years: a typo in a year is refused, not a query over a century

# Every file of a CSV export, in the order written, and the table each comes from.
CSV_FILES = (
    ("sessions", "infusion_session"),
    ("vitals", "vitals_set"),
    ("side_effects", "side_effect"),
    ("medications", "medication_given"),
    ("dose_records", "dose_record"),
    ("outcome_scores", "outcome_score"),
)
# Columns kept out of every export: bookkeeping, not part of the record.
LEFT_OUT = frozenset({"version", "active_chair_id", "active_patient_id"})


class ExportCancelled(DomainError):
    """The user cancelled an export: nothing was written, nothing recorded."""

    def __init__(self) -> None:
        super().__init__("Export cancelled: nothing was written")


PROGRESS_EVERY = 200  # rows between two progress reports (each may cancel)
Progress = Callable[[str, int], bool]  # (what, how many so far) -> go on?


def require_export(user: User) -> None:
    """The one rule of who may export: a physician or an administrator."""
    if not user.active:
        raise DomainError(f"{user.username} is deactivated and cannot export")
    if not user.roles & {Role.PHYSICIAN, Role.ADMIN}:
        raise DomainError(
            "Exports (health information leaving KetaMon) are made by a physician or an "
            f"administrator; {user.display_name} is neither"
        )


def period(since: object, until: object) -> tuple[date, date]:
    """The export's period, whole days from `since` to `until` included."""
    days = []
    for name, value, label in (("from", since, "From"), ("to", until, "To")):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise FieldError(name, f"{label}: a date, YYYY-MM-DD")
        days.append(value)
    first, last = days
    if last < first:
        raise FieldError("to", "To must be on or after From")
    if (last - first).days > MAX_DAYS:
        raise FieldError("to", f"An export covers at most {MAX_DAYS} days")
    return first, last


def period_bounds(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in the clinic's zone."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return start, end


def cell(value: object) -> str | int | float:
    """A value as a CSV cell: numbers unformatted, booleans 1/0, None empty, text as is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def utc_text(value: datetime | None) -> str:
    """ISO 8601 in UTC with its Z: '2026-03-02T14:05:00Z'."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_text(value: datetime | None, zone: tzinfo) -> str:
    """The clinic's local time with its zone: '2026-03-02 15:05:00 CET'."""
    if value is None:
        return ""
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or local.strftime('%z')}".strip()


def period_words(first: date, last: date) -> str:
    return f"{first.isoformat()}..{last.isoformat()}"


def export_words(kind: str, scope: str, counts: Mapping[str, int]) -> str:
    """What the audit trail keeps: 'csv 2026-03-01..2026-03-31: sessions 12, vitals 310'."""
    rows = ", ".join(f"{name} {count}" for name, count in counts.items())
    return f"{kind} {scope}: {rows}"


@dataclass(frozen=True)
class FhirScope:
    """Which sessions a FHIR export holds: one session, one patient's, or a period's."""

    session_id: int | None = None
    mrn: str | None = None
    first: date | None = None
    last: date | None = None

    @property
    def words(self) -> str:
        if self.session_id is not None:
            return f"session {self.session_id}"
        if self.mrn is not None:
            return f"patient {self.mrn}"
        assert self.first is not None and self.last is not None
        return period_words(self.first, self.last)


def fhir_scope(
    session_id: object = None, mrn: object = None, since: object = None, until: object = None
) -> FhirScope:
    """The one rule of what a FHIR export may name: exactly one of a session, a patient's
    MRN, or a period (From and To)."""
    given = [session_id is not None, mrn is not None, since is not None or until is not None]
    if sum(given) != 1:
        raise FieldError("scope", "Export one session, one patient (MRN) or one period")
    if session_id is not None:
        if isinstance(session_id, bool) or not isinstance(session_id, int) or session_id < 1:
            raise FieldError("session", "Session: a session number, 1 or more")
        return FhirScope(session_id=session_id)
    if mrn is not None:
        text = str(mrn).strip()
        if not text:
            raise FieldError("mrn", "MRN: the patient's medical record number")
        return FhirScope(mrn=text)
    first, last = period(since, until)
    return FhirScope(first=first, last=last)
