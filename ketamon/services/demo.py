"""Demo and benchmark data: patients, months of past sessions, and a live chair board.

Every session goes through check_in_row / append_event with explicit times, so each row
and event is exactly what the session service would have written; course numbers come
from the real course rules, never from the seeder.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ketamon.domain.actors import Actor, require_actor
from ketamon.domain.courses import INITIAL, MAINTENANCE
from ketamon.domain.errors import DomainError
from ketamon.domain.patients import PatientDraft, validate_patient
from ketamon.domain.sessions import EventKind
from ketamon.domain.settings import ClinicSettings
from ketamon.services.chairs import active_chairs
from ketamon.services.sessions import append_event, check_in_row
from ketamon.services.settings import load_settings
from ketamon.storage.models import ChairRow, PatientRow, SessionEventRow, SessionRow

if TYPE_CHECKING:
    from ketamon.services.clinic import Clinic

FIRST_NAMES = (
    "Amara", "Benjamin", "Carmen", "Dmitri", "Elena", "Farid", "Grace", "Hiroshi", "Ingrid",
    "Jamal", "Keiko", "Liam", "Mei", "Nikolai", "Olivia", "Priya", "Quentin", "Rosa", "Samuel",
    "Tatiana", "Umar", "Valentina", "Wei", "Ximena", "Yusuf", "Zara", "Aiden", "Beatriz",
    "Chidi", "Daniela", "Emeka", "Fatima", "Gabriel", "Hannah", "Ibrahim", "Julia", "Kwame",
    "Lucia", "Mateo", "Noor",
)  # fmt: skip
LAST_NAMES = (
    "Alvarez", "Bennett", "Chen", "Dubois", "Eriksen", "Fernandes", "Goldberg", "Haddad",
    "Ivanova", "Johnson", "Kowalski", "Lindqvist", "Mensah", "Nakamura", "O'Brien", "Petrov",
    "Quinn", "Rossi", "Schmidt", "Tanaka", "Uddin", "Vasquez", "Williams", "Xu", "Yilmaz",
    "Zhang", "Adeyemi", "Brooks", "Castillo", "Davies", "Esposito", "Fitzgerald", "Gupta",
    "Horvath", "Ibarra", "Jensen", "Kim", "Lopez", "Murphy", "Novak",
)  # fmt: skip
ALLERGIES = ("Penicillin", "Latex", "Sulfa drugs", "Codeine", "Iodinated contrast")
NURSES = (
    Actor("nurse.alvarez", "Maria Alvarez, RN"),
    Actor("nurse.chen", "Lily Chen, RN"),
    Actor("nurse.okafor", "Chinedu Okafor, RN"),
    Actor("nurse.bergstrom", "Anna Bergström, RN"),
)
PAUSE_REASONS = ("Nausea", "BP 168/102 – recheck", "Patient request – anxiety", "IV line check")
CANCEL_REASONS = (
    "Patient unwell – rescheduled",
    "No escort available",
    "Baseline BP 174/106 – deferred",
)
TARGETS, TARGET_WEIGHTS = (40, 45, 50, 60), (80, 8, 6, 6)
PAUSE_RATE, CANCEL_RATE, MAINTENANCE_RATE = 0.10, 0.03, 0.6
FIRST_CHECK_IN, CHECK_IN_SLOTS = time(8, 0), 27  # planned check-ins 08:00-14:45, every 15 min

# Today's board: (course kind, number in course, target, events as minutes before now).
LIVE = (
    (MAINTENANCE, 2, 40, ((4, EventKind.CHECK_IN, ""),)),
    (INITIAL, 3, 40, ((21, EventKind.CHECK_IN, ""), (12, EventKind.START, ""))),
    (
        INITIAL,
        5,
        45,
        ((33, EventKind.CHECK_IN, ""), (25, EventKind.START, ""), (2, EventKind.PAUSE, "Nausea")),
    ),
    (
        MAINTENANCE,
        3,
        40,
        ((70, EventKind.CHECK_IN, ""), (58, EventKind.START, ""), (18, EventKind.STOP, "")),
    ),
)

Step = tuple[timedelta, EventKind, str]  # offset from check-in, action, reason


@dataclass(frozen=True)
class DemoSummary:
    patients: int  # patients registered
    sessions: int  # past sessions written (discharged or cancelled)
    live_sessions: int  # sessions active on today's board


@dataclass(frozen=True)
class _Visit:
    patient: int  # index into the seeded patients
    day: date
    cancelled: bool


def seed_demo(
    clinic: Clinic,
    actor: Actor,
    *,
    rng_seed: int = 2026,
    patients: int = 30,
    history_days: int = 90,
) -> DemoSummary:
    """Fill an empty database with patients, `history_days` of sessions and a live board."""
    require_actor(actor)
    rng = random.Random(rng_seed)
    clinic.chairs.ensure_defaults(actor)
    now = clinic.sessions.now()
    today = now.date()
    with clinic.db.transaction() as session:
        _refuse_if_not_empty(session)
        settings = load_settings(session)
        course = settings.initial_course_length
        live = LIVE[: min(len(LIVE), patients)]
        visits: list[_Visit] = []
        for index, (kind, number, _target, _events) in enumerate(live):
            visits += [
                _Visit(index, d, False) for d in _course_before(rng, today, course, kind, number)
            ]
        for index in range(len(live), patients):
            first = today - timedelta(days=rng.randint(5, max(5, history_days)))
            keep_going = rng.random() < MAINTENANCE_RATE
            visits += [
                _Visit(index, d, c) for d, c in _course_from(rng, first, today, course, keep_going)
            ]
        ids = _add_patients(session, rng, actor, patients, visits, today)
        keep = list(session.scalars(select(ChairRow))) + list(session.scalars(select(PatientRow)))
        chairs = [c.id for c in active_chairs(session)]
        past = _write_history(session, settings, rng, chairs, ids, visits)
        for (_kind, _number, target, events), chair_id, patient_id in zip(
            live, sorted(rng.sample(chairs, min(len(live), len(chairs)))), ids, strict=False
        ):
            checked_in = now - timedelta(minutes=events[0][0])
            steps = [(timedelta(minutes=events[0][0] - m), kind, why) for m, kind, why in events]
            _write_session(
                session,
                settings,
                rng.choice(NURSES),
                chair_id,
                patient_id,
                target,
                checked_in,
                steps,
            )
        return DemoSummary(len(ids), past, min(len(live), len(chairs)))


def seed_history(
    clinic: Clinic, actor: Actor, *, sessions: int, days: int = 365, rng_seed: int = 2026
) -> DemoSummary:
    """Exactly `sessions` past sessions over the last `days` days on the clinic's chairs.

    For benchmarks: registers as many patients as the courses need, one transaction.
    """
    require_actor(actor)
    rng = random.Random(rng_seed)
    clinic.chairs.ensure_defaults(actor)
    today = clinic.sessions.now().date()
    with clinic.db.transaction() as session:
        _refuse_if_not_empty(session)
        settings = load_settings(session)
        visits: list[_Visit] = []
        index = 0
        while len(visits) < sessions:
            first = today - timedelta(days=rng.randint(1, max(1, days)))
            plan = _course_from(rng, first, today, settings.initial_course_length, True)
            visits += [_Visit(index, d, c) for d, c in plan[: sessions - len(visits)]]
            index += 1
        ids = _add_patients(session, rng, actor, index, visits, today)
        keep = list(session.scalars(select(ChairRow))) + list(session.scalars(select(PatientRow)))
        chairs = [c.id for c in active_chairs(session)]
        past = _write_history(session, settings, rng, chairs, ids, visits)
        return DemoSummary(len(ids), past, 0)


def _refuse_if_not_empty(session: Session) -> None:
    if session.scalar(select(func.count(PatientRow.id))):
        raise DomainError(
            "This database already holds patient records; seed the demo into an empty database"
        )


# -- plans: which patient comes on which day -------------------------------------------------
def _weekday(day: date, step: int) -> date:
    """The day itself, or the nearest weekday in the direction of `step` (+1 or -1)."""
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def _course_from(
    rng: random.Random, first: date, until: date, length: int, maintenance: bool
) -> list[tuple[date, bool]]:
    """(day, cancelled) from `first` until before `until`: an initial course, maybe boosters."""
    plan: list[tuple[date, bool]] = []
    done, day = 0, _weekday(first, -1)
    while day < until and (done < length or maintenance):
        cancelled = rng.random() < CANCEL_RATE
        plan.append((day, cancelled))
        done += not cancelled
        gap = rng.randint(2, 4) if cancelled or done < length else rng.randint(14, 28)
        day = _weekday(day + timedelta(days=gap), 1)
    return plan


def _course_before(
    rng: random.Random, today: date, length: int, kind: str, number: int
) -> list[date]:
    """The visits that make today's session `kind` number `number` (none cancelled)."""
    boosters = number - 1 if kind == MAINTENANCE else 0
    initial = length if kind == MAINTENANCE else number - 1
    days, day = [], today
    for i in range(1, boosters + initial + 1):
        gap = rng.randint(14, 21) if i <= boosters + (kind == MAINTENANCE) else rng.randint(3, 4)
        day = _weekday(day - timedelta(days=gap), -1)
        days.append(day)
    return days[::-1]


# -- writing -------------------------------------------------------------------------------
def _add_patients(
    session: Session,
    rng: random.Random,
    actor: Actor,
    count: int,
    visits: list[_Visit],
    today: date,
) -> list[int]:
    """Register `count` patients, each some days before their first visit; their ids."""
    pairs = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
    names = rng.sample(pairs, min(count, len(pairs)))
    names += [rng.choice(pairs) for _ in range(count - len(names))]
    mrns = rng.sample(range(10000, 100000), count)
    first_visit: dict[int, date] = {}
    for visit in visits:
        first_visit[visit.patient] = min(visit.day, first_visit.get(visit.patient, visit.day))
    ids = []
    for index, (first, last) in enumerate(names):
        draft = validate_patient(
            PatientDraft(
                mrn=f"KM-{mrns[index]}",
                full_name=f"{first} {last}",
                date_of_birth=date(1950, 1, 1) + timedelta(days=rng.randint(0, 20088)),
                weight_kg=round(rng.triangular(45, 130, 76), 1),
                allergies=rng.choice(ALLERGIES) if rng.random() < 0.15 else "",
            ),
            today,
        )
        registered = first_visit.get(index, today) - timedelta(days=rng.randint(1, 14))
        row = PatientRow(
            mrn=draft.mrn,
            full_name=draft.full_name,
            date_of_birth=draft.date_of_birth,
            weight_kg=draft.weight_kg,
            allergies=draft.allergies,
            created_at=_at(registered, time(9)) + timedelta(minutes=rng.randint(0, 480)),
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        ids.append(row.id)
    return ids


def _write_history(
    session: Session,
    settings: ClinicSettings,
    rng: random.Random,
    chairs: list[int],
    patient_ids: list[int],
    visits: list[_Visit],
) -> int:
    """Place each day's visits on free chairs and write them in time order; the count."""
    by_day: dict[date, list[_Visit]] = defaultdict(list)
    for visit in visits:
        by_day[visit.day].append(visit)
    written = 0
    for day in sorted(by_day):
        opening = _at(day, FIRST_CHECK_IN)
        free = dict.fromkeys(chairs, opening)
        wanted = sorted(((rng.randint(0, CHECK_IN_SLOTS), v) for v in by_day[day]), key=_first)
        placed = []
        for slot, visit in wanted:
            desired = opening + timedelta(minutes=15 * slot)
            target = rng.choices(TARGETS, TARGET_WEIGHTS)[0]
            steps = _story(rng, target, visit.cancelled)
            idle = [c for c in chairs if free[c] <= desired]
            chair = rng.choice(idle) if idle else min(chairs, key=free.__getitem__)
            checked_in = max(desired, free[chair]) + timedelta(seconds=rng.randint(0, 600))
            free[chair] = checked_in + steps[-1][0] + timedelta(minutes=rng.randint(5, 15))
            placed.append((checked_in, chair, visit, target, steps))
        for checked_in, chair, visit, target, steps in sorted(placed, key=_first):
            nurse = rng.choice(NURSES)
            pid = patient_ids[visit.patient]
            _write_session(session, settings, nurse, chair, pid, target, checked_in, steps)
            written += 1
    return written


def _story(rng: random.Random, target: int, cancelled: bool) -> list[Step]:
    """One past session's actions as offsets from check-in."""
    check_in: Step = (timedelta(0), EventKind.CHECK_IN, "")
    if cancelled:
        cancel_at = timedelta(seconds=rng.randint(180, 900))
        return [check_in, (cancel_at, EventKind.CANCEL, rng.choice(CANCEL_REASONS))]
    start = timedelta(seconds=rng.randint(300, 900))
    steps = [check_in, (start, EventKind.START, "")]
    paused = timedelta(0)
    if rng.random() < PAUSE_RATE:
        pause_at = start + timedelta(seconds=rng.randint(300, (target - 10) * 60))
        paused = timedelta(seconds=rng.randint(120, 360))
        steps.append((pause_at, EventKind.PAUSE, rng.choice(PAUSE_REASONS)))
        steps.append((pause_at + paused, EventKind.RESUME, ""))
    stop = start + timedelta(minutes=target, seconds=rng.randint(0, 90)) + paused
    steps.append((stop, EventKind.STOP, ""))
    steps.append((stop + timedelta(seconds=rng.randint(1800, 3600)), EventKind.DISCHARGE, ""))
    return steps


def _write_session(
    session: Session,
    settings: ClinicSettings,
    nurse: Actor,
    chair_id: int,
    patient_id: int,
    target: int,
    checked_in: datetime,
    steps: list[Step],
) -> SessionRow:
    row = check_in_row(session, settings, nurse, chair_id, patient_id, target, checked_in)
    for offset, kind, reason in steps[1:]:
        loaded = session.scalars(
            select(SessionEventRow)
            .where(SessionEventRow.session_id == row.id)
            .order_by(SessionEventRow.seq)
        ).all()
        set_committed_value(row, "events", list(loaded))
        append_event(session, row, kind, nurse, checked_in + offset, reason)
    return row


def _first(item: tuple) -> object:
    return item[0]


def _at(day: date, clock_time: time) -> datetime:
    return datetime.combine(day, clock_time, UTC)
