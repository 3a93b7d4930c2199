"""Demo and benchmark data: patients, months of past sessions, and a live chair board.

Every session goes through check_in_row / append_events (storage/writes.py, the session
service's own writers) with explicit times, so each row and event is what the service
would have written; course numbers ("Infusion 3 of 6") come from the real course rules,
and each discharge is the domain's `release` of a completed checklist.

The seeder is not a use case: it sits above the services (cli -> demo -> services), opens
the clinic it is given and writes through the storage writers the services use.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from ketamon.demo.data import (
    CANCEL_RATE,
    CLINIC,
    FINISHED_TODAY,
    LIVE,
    LIVE_KINDS,
    MAINTENANCE_RATE,
    RED_ALERT_LIVE,
    Visit,
    story,
)
from ketamon.demo.signing import sign_past_sessions
from ketamon.demo.writer import Seeder
from ketamon.domain.actors import Actor
from ketamon.domain.courses import MAINTENANCE
from ketamon.domain.sessions import EventKind
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.vitals import VitalsDraft
from ketamon.services.clinic import Clinic
from ketamon.storage.models import ClinicSetting


@dataclass(frozen=True)
class DemoSummary:
    patients: int  # patients registered
    sessions: int  # all sessions written, live ones included
    live_sessions: int  # of which active on today's board
    signed: int = 0  # past sessions the demo physician has signed


def seed_demo(
    clinic: Clinic,
    actor: Actor,
    *,
    rng_seed: int = 2026,
    patients: int = 30,
    history_days: int = 90,
) -> DemoSummary:
    """Fill an empty database with patients, `history_days` of sessions and a live board."""
    with Seeder.open(clinic, actor, rng_seed, with_vitals=True) as seeder:
        _clinic_details(seeder)
        rng, now = seeder.rng, clinic.sessions.now()
        length = seeder.settings.initial_course_length
        live = LIVE[: min(len(LIVE), patients, len(seeder.chairs))]
        visits: list[Visit] = []
        for index, (kind, number, *_minutes) in enumerate(live):
            days = _course_before(rng, now.date(), length, kind, number)
            visits += [Visit(index, day, False) for day in days]
        for index in range(len(live), patients):
            first = now.date() - timedelta(days=rng.randint(5, max(5, history_days)))
            plan = _course_from(rng, first, now.date(), length, rng.random() < MAINTENANCE_RATE)
            visits += [Visit(index, day, cancelled) for day, cancelled in plan]
        rows = seeder.add_patients(patients, visits, now.date())
        past = seeder.write_history(rows, visits)
        chairs = sorted(rng.sample(seeder.chairs, len(live)), key=lambda c: c.position)
        spare = [c for c in seeder.chairs if c not in chairs]
        done_today = list(zip(FINISHED_TODAY, spare, rows[len(live) :], strict=False))
        for minutes_ago, chair, patient in done_today:
            steps = story(rng, 40, cancelled=False)
            seeder.write_session(
                chair.id, patient.id, 40, now - timedelta(minutes=minutes_ago), steps
            )
        for index, (_kind, _number, target, in_ago, *ago) in enumerate(live):
            steps = [
                (timedelta(minutes=in_ago - m), kind, "Nausea" if kind is EventKind.PAUSE else "")
                for kind, m in zip(LIVE_KINDS, (in_ago, *ago), strict=True)
                if m is not None
            ]
            checked_in = now - timedelta(minutes=in_ago)
            session_id = seeder.write_session(
                chairs[index].id, rows[index].id, target, checked_in, steps
            )
            if index == RED_ALERT_LIVE:  # a BP surge nobody has acknowledged yet
                seeder.add_set(
                    session_id,
                    now - timedelta(minutes=3),
                    VitalsDraft(
                        systolic=184,
                        diastolic=106,
                        heart_rate=96,
                        spo2=97,
                        resp_rate=16,
                        sedation=4,
                    ),
                )
        written = past + len(done_today) + len(live)
    signed = sign_past_sessions(clinic, random.Random(rng_seed + 1))
    return DemoSummary(len(rows), written, len(live), signed)


def _clinic_details(seeder: Seeder) -> None:
    """The demo clinic's name, address, phone and emergency number (CLINIC), each only
    where the clinic still has the default (nothing a clinic set is overwritten)."""
    stored = set(seeder.tx.scalars(select(ClinicSetting.key)))
    defaults = ClinicSettings()
    for key, value in CLINIC.items():
        if key not in stored and getattr(seeder.settings, key) == getattr(defaults, key):
            seeder.tx.add(
                ClinicSetting(
                    key=key,
                    value=json.dumps(value),
                    updated_at=seeder.now,
                    updated_by=seeder.actor.username,
                )
            )
    seeder.tx.flush()


def seed_history(
    clinic: Clinic, actor: Actor, *, sessions: int, days: int = 365, rng_seed: int = 2026
) -> DemoSummary:
    """Exactly `sessions` past sessions over about the last `days` days (for benchmarks).

    Registers as many patients as their courses need; one transaction.
    """
    with Seeder.open(clinic, actor, rng_seed) as seeder:
        today = clinic.sessions.now().date()
        visits: list[Visit] = []
        patients = 0
        while len(visits) < sessions:
            first = today - timedelta(days=seeder.rng.randint(1, max(1, days)))
            length = seeder.settings.initial_course_length
            plan = _course_from(seeder.rng, first, today, length, True)
            visits += [Visit(patients, day, c) for day, c in plan[: sessions - len(visits)]]
            patients += 1
        rows = seeder.add_patients(patients, visits, today)
        return DemoSummary(len(rows), seeder.write_history(rows, visits), 0)


# -- plans: which patient comes on which day -----------------------------------------------
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
    """The past visits (none cancelled) that make today's session `kind` number `number`."""
    boosters = number - 1 if kind == MAINTENANCE else 0
    initial = length if kind == MAINTENANCE else min(number, length) - 1
    days, day = [], today
    for i in range(1, boosters + initial + 1):
        gap = rng.randint(14, 21) if i <= boosters + (kind == MAINTENANCE) else rng.randint(3, 4)
        day = _weekday(day - timedelta(days=gap), -1)
        days.append(day)
    return days[::-1]
