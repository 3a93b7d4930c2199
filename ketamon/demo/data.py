"""The demo's cast and its stories: names, staff, reasons, and how a session unfolds."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ketamon.domain.actors import Actor
from ketamon.domain.courses import INITIAL, MAINTENANCE
from ketamon.domain.discharge import (
    ClinicalFacts,
    Escort,
    InfusionStop,
    VitalsPoint,
    has_escort_plan,
)
from ketamon.domain.dose import DoseRecord, has_plan
from ketamon.domain.errors import DomainError
from ketamon.domain.sessions import EventKind
from ketamon.domain.side_effects import SideEffect
from ketamon.domain.start import dose_plan_note

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
BORN_FROM, BORN_SPAN_DAYS = date(1950, 1, 1), 20088  # born 1950-01-01 .. 2004-12-31
ALLERGIES = ("Penicillin", "Latex", "Sulfa drugs", "Codeine", "Iodinated contrast")
NAUSEA_RATE = 0.27  # CLINICAL.md: nausea in 27 % (ASPIRE)
ESCORT_RELATIONSHIPS = ("Partner", "Spouse", "Sister", "Brother", "Mother", "Father", "Friend")
NURSES = (
    Actor("nurse.alvarez", "Maria Alvarez, RN"),
    Actor("nurse.chen", "Lily Chen, RN"),
    Actor("nurse.okafor", "Chinedu Okafor, RN"),
    Actor("nurse.bergstrom", "Anna Bergström, RN"),
)
DEMO_PHYSICIAN = "dr.patel"  # signs the past sessions (demo/signing.py)
# Demo accounts (README): every one has the password DEMO_PASSWORD.
DEMO_PASSWORD = "ketamon-demo"
DEMO_USERS = (
    ("admin", "Alex Morgan", "", "admin"),
    ("charge.kim", "Kim Lee", "RN", "nurse,admin"),
    ("dr.patel", "Priya Patel", "MD", "physician"),
    *((a.username, a.display_name.split(",")[0], "RN", "nurse") for a in NURSES),
)
SURGE_RATE = 0.06  # sessions with a marked BP rise, up to RED (>= 180 systolic) at its peak
SURGE_PEAK = 184
SEVERE_RATE = 0.04  # sessions with a SEVERE emergence reaction, treated and resolved
# The demo clinic's details (set only where the clinic still has the defaults): fictional
# (555 numbers), in the United States (phone region US: emergency number 911).
CLINIC = {
    "clinic_name": "Riverside Ketamine Clinic",
    "clinic_address": "200 Hudson Street, Suite 4, New York, NY 10013",
    "clinic_phone": "(212) 555-0100",
    "emergency_number": "911",
}
ADDENDA = (
    ("Follow-up call", "Phoned the next morning: slept well, no nausea, escort stayed."),
    ("Follow-up call", "Patient called: mild headache the evening after, gone by morning."),
    ("Late entry", "Escort confirmed the next appointment by phone."),
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

# Today's board: course place, target, then minutes before now of check-in, start, pause
# ("Nausea") and stop; None where the session has not got that far.
LIVE = (
    (MAINTENANCE, 2, 40, 4, None, None, None),  # checked in, waiting to start
    (INITIAL, 3, 40, 21, 12, None, None),  # infusing, 12 minutes in
    (INITIAL, 5, 45, 33, 25, 2, None),  # infusing, paused 2 minutes ago
    (MAINTENANCE, 3, 40, 70, 58, None, 18),  # recovery, 18 minutes after a 40-minute infusion
)
LIVE_KINDS = (EventKind.CHECK_IN, EventKind.START, EventKind.PAUSE, EventKind.STOP)
# Two sessions already finished today (checked in this many minutes before now, on chairs
# the live board does not use): "Recent discharges" and the review list have today's work.
FINISHED_TODAY = (200, 150)
RED_ALERT_LIVE = 2  # the paused patient has an unacknowledged red BP

Step = tuple[timedelta, EventKind, str]  # offset from check-in, action, reason


@dataclass(frozen=True)
class Visit:
    patient: int  # index into the seeded patients
    day: date
    cancelled: bool


def story(rng: random.Random, target: int, cancelled: bool) -> list[Step]:
    """One past session's actions, as offsets from its check-in."""
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
    stop = start + paused + timedelta(minutes=target, seconds=rng.randint(0, 90))
    steps.append((stop, EventKind.STOP, ""))
    steps.append((stop + timedelta(seconds=rng.randint(1800, 3600)), EventKind.DISCHARGE, ""))
    return steps


# -- writing -------------------------------------------------------------------------------


def start_reason(plan: DoseRecord | None, escort: Escort | None, region: str) -> str:
    """The start event's reason as the start rule gives it (domain.start): every demo
    session has its dose and escort planned first, so nothing is owed."""
    note = dose_plan_note(has_plan(plan))
    if note is None:
        raise DomainError("A demo session would start without a dose plan")
    if not has_escort_plan(escort, region):
        raise DomainError("A demo session would start without an escort plan")
    return note


def story_facts(
    at: dict[EventKind, datetime],
    target_minutes: int,
    dose: DoseRecord | None,
    effects: tuple[SideEffect, ...],
) -> ClinicalFacts:
    """What a past session's record shows at its discharge: observed since the stop (at or
    after the target: `story` never stops early), the last set back to a normal baseline,
    MOAA/S 5 (the demo's vitals follow this course), the dose record and side effects as
    written."""
    stopped, discharged = at[EventKind.STOP], at[EventKind.DISCHARGE]
    normal = VitalsPoint(120, 76, 72, stopped - timedelta(hours=1))
    settled = VitalsPoint(118, 76, 70, discharged - timedelta(minutes=2))
    ran = timedelta(minutes=target_minutes)  # at least: the story's stop is on target or later
    return ClinicalFacts(
        discharged,
        stopped,
        normal,
        settled,
        last_moaas=5,
        stop=InfusionStop(stopped, ran, target_minutes),
        side_effects=effects,
        dose=dose,
    )


def at_clinic_time(day: date, clock_time: time) -> datetime:
    """`clock_time` on `day` in the clinic's local time zone (this computer's, as the app
    shows times; daylight saving time included), as UTC."""
    return datetime.combine(day, clock_time).astimezone().astimezone(UTC)
