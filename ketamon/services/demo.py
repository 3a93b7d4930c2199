"""Demo and benchmark data: patients, months of past sessions, and a live chair board.

Every session goes through check_in_row / append_events (the session service's own
helpers) with explicit times, so each row and event is what the service would have
written; course numbers ("Infusion 3 of 6") come from the real course rules, and each
discharge is the domain's `release` of a completed checklist.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ketamon.domain.actors import Actor
from ketamon.domain.courses import INITIAL, MAINTENANCE
from ketamon.domain.discharge import (
    ClinicalFacts,
    DischargeAnswers,
    DischargeDecision,
    Escort,
    InfusionStop,
    IvSite,
    Nausea,
    VitalsPoint,
    evaluate,
    release,
)
from ketamon.domain.dose import DoseRecord, has_plan, planned_mg, planned_ml, planned_rate
from ketamon.domain.errors import DomainError
from ketamon.domain.patients import PatientDraft, validate_patient
from ketamon.domain.sessions import EventKind, SessionEvent
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.side_effects import SideEffect
from ketamon.domain.start import dose_plan_note
from ketamon.domain.timers import derive_times
from ketamon.domain.vitals import MEASURES, VitalsDraft, validate_draft, vital_phase
from ketamon.services.keys import KdfParams
from ketamon.services.users import give_key, hash_password
from ketamon.storage.audit import AuditContext
from ketamon.storage.models import (
    ChairRow,
    DischargeRow,
    DoseRecordRow,
    MedicationRow,
    PatientRow,
    SessionEventRow,
    SessionRow,
    SideEffectRow,
    UserRow,
    VitalsRow,
)
from ketamon.storage.reads.dose import to_record
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.reads.side_effects import to_effect
from ketamon.storage.writes import append_events, check_in_row

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
# Demo accounts (README): every one has the password DEMO_PASSWORD.
DEMO_PASSWORD = "ketamon-demo"
DEMO_USERS = (
    ("admin", "Alex Morgan", "", "admin"),
    ("charge.kim", "Kim Lee", "RN", "nurse,admin"),
    ("dr.patel", "Priya Patel", "MD", "physician"),
    *((a.username, a.display_name.split(",")[0], "RN", "nurse") for a in NURSES),
)
SURGE_RATE = 0.06  # sessions with a marked BP rise (amber/red values on the chart)
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
class DemoSummary:
    patients: int  # patients registered
    sessions: int  # all sessions written, live ones included
    live_sessions: int  # of which active on today's board


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
    with _Seeder.open(clinic, actor, rng_seed, with_vitals=True) as seeder:
        rng, now = seeder.rng, clinic.sessions.now()
        length = seeder.settings.initial_course_length
        live = LIVE[: min(len(LIVE), patients, len(seeder.chairs))]
        visits: list[_Visit] = []
        for index, (kind, number, *_minutes) in enumerate(live):
            days = _course_before(rng, now.date(), length, kind, number)
            visits += [_Visit(index, day, False) for day in days]
        for index in range(len(live), patients):
            first = now.date() - timedelta(days=rng.randint(5, max(5, history_days)))
            plan = _course_from(rng, first, now.date(), length, rng.random() < MAINTENANCE_RATE)
            visits += [_Visit(index, day, cancelled) for day, cancelled in plan]
        rows = seeder.add_patients(patients, visits, now.date())
        past = seeder.write_history(rows, visits)
        chairs = sorted(rng.sample(seeder.chairs, len(live)), key=lambda c: c.position)
        spare = [c for c in seeder.chairs if c not in chairs]
        done_today = list(zip(FINISHED_TODAY, spare, rows[len(live) :], strict=False))
        for minutes_ago, chair, patient in done_today:
            steps = _story(rng, 40, cancelled=False)
            seeder.write_session(
                chair.id, patient.id, 40, now - timedelta(minutes=minutes_ago), steps
            )
        for index, (_kind, _number, target, *ago) in enumerate(live):
            steps = [
                (timedelta(minutes=ago[0] - m), kind, "Nausea" if kind is EventKind.PAUSE else "")
                for kind, m in zip(LIVE_KINDS, ago, strict=True)
                if m is not None
            ]
            checked_in = now - timedelta(minutes=ago[0])
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
        return DemoSummary(len(rows), past + len(done_today) + len(live), len(live))


def seed_history(
    clinic: Clinic, actor: Actor, *, sessions: int, days: int = 365, rng_seed: int = 2026
) -> DemoSummary:
    """Exactly `sessions` past sessions over about the last `days` days (for benchmarks).

    Registers as many patients as their courses need; one transaction.
    """
    with _Seeder.open(clinic, actor, rng_seed) as seeder:
        today = clinic.sessions.now().date()
        visits: list[_Visit] = []
        patients = 0
        while len(visits) < sessions:
            first = today - timedelta(days=seeder.rng.randint(1, max(1, days)))
            length = seeder.settings.initial_course_length
            plan = _course_from(seeder.rng, first, today, length, True)
            visits += [_Visit(patients, day, c) for day, c in plan[: sessions - len(visits)]]
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


def _story(rng: random.Random, target: int, cancelled: bool) -> list[Step]:
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
def _ensure_demo_staff(session: Session, now: datetime, by: str, kdf: KdfParams) -> None:
    """Create the demo accounts that do not exist yet (one password hash for all), each
    with its own signing key sealed under the demo password."""
    existing = set(session.scalars(select(UserRow.username)))
    password_hash = hash_password(DEMO_PASSWORD)
    for username, full_name, credentials, roles in DEMO_USERS:
        if username not in existing:
            row = UserRow(
                username=username,
                full_name=full_name,
                credentials=credentials,
                roles=roles,
                password_hash=password_hash,
                active=True,
                failed_sign_ins=0,
                locked_until=None,
                created_at=now,
                created_by=by,
                must_change_password=False,
            )
            session.add(row)
            give_key(session, row, DEMO_PASSWORD, kdf, now)
    session.flush()


@dataclass
class _Seeder:
    """One seeding transaction: the session, settings, chairs in use, the seeded randomness."""

    session: Session
    settings: ClinicSettings
    chairs: list[ChairRow]  # kept referenced, so check_in_row finds them without a query
    rng: random.Random
    actor: Actor
    now: datetime
    with_vitals: bool = False

    @classmethod
    @contextmanager
    def open(
        cls, clinic: Clinic, actor: Actor, rng_seed: int, with_vitals: bool = False
    ) -> Iterator[_Seeder]:
        """One transaction on a database without patients (DomainError otherwise)."""
        context = AuditContext(actor.username, clinic.clock(), "demo data")
        with clinic.db.transaction(audit=context) as session:
            if session.scalar(select(func.count(PatientRow.id))):
                raise DomainError(
                    "This database already holds patient records; "
                    "seed the demo into an empty database"
                )
            _ensure_demo_staff(session, context.at, actor.username, clinic.users.kdf)
            if not session.scalar(select(func.count(ChairRow.id))):
                for i in range(1, load_settings(session).default_chair_count + 1):
                    session.add(
                        ChairRow(
                            name=f"Chair {i}",
                            position=i,
                            created_at=context.at,
                            created_by=actor.username,
                        )
                    )
                session.flush()
            in_use = select(ChairRow).where(ChairRow.retired_at.is_(None))
            chairs = list(session.scalars(in_use.order_by(ChairRow.position)))
            if not chairs:
                raise DomainError("There are no chairs in use to seat the demo patients in")
            yield cls(
                session,
                load_settings(session),
                chairs,
                random.Random(rng_seed),
                actor,
                clinic.sessions.now(),
                with_vitals,
            )

    def add_patients(self, count: int, visits: list[_Visit], today: date) -> list[PatientRow]:
        """Register `count` patients, each a few days before their first visit."""
        rng = self.rng
        pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
        names = rng.sample(pairs, min(count, len(pairs)))
        names += [rng.choice(pairs) for _ in range(count - len(names))]
        mrns = rng.sample(range(10000, 100000), count)
        first_visit: dict[int, date] = {}
        for visit in visits:  # each patient's visits are in date order
            first_visit.setdefault(visit.patient, visit.day)
        rows = []
        for index, (first, last) in enumerate(names):
            allergies = rng.choice(ALLERGIES) if rng.random() < 0.15 else ""
            draft = validate_patient(
                PatientDraft(
                    mrn=f"KM-{mrns[index]}",
                    full_name=f"{first} {last}",
                    date_of_birth=BORN_FROM + timedelta(days=rng.randint(0, BORN_SPAN_DAYS)),
                    weight_kg=round(rng.triangular(45, 130, 76), 1),
                    allergies=allergies,
                    # most were asked and know of none; every 8th is not recorded (a warning)
                    no_known_allergies=not allergies and index % 8 != 3,
                ),
                today,
            )
            registered = first_visit.get(index, today) - timedelta(days=rng.randint(1, 14))
            rows.append(
                PatientRow(
                    mrn=draft.mrn,
                    full_name=draft.full_name,
                    date_of_birth=draft.date_of_birth,
                    weight_kg=draft.weight_kg,
                    allergies=draft.allergies,
                    no_known_allergies=draft.no_known_allergies,
                    created_at=_at(registered, time(9)) + timedelta(minutes=rng.randint(0, 480)),
                    created_by=self.actor.username,
                )
            )
        self.session.add_all(rows)
        self.session.flush()
        return rows  # kept referenced, so check_in_row finds them without a query

    def write_history(self, patients: list[PatientRow], visits: list[_Visit]) -> int:
        """Place each day's visits on chairs free at the time; write them in time order."""
        rng = self.rng
        by_day: dict[date, list[_Visit]] = defaultdict(list)
        for visit in visits:
            by_day[visit.day].append(visit)
        free = {chair.id: datetime.min.replace(tzinfo=UTC) for chair in self.chairs}
        for day in sorted(by_day):
            opening = _at(day, FIRST_CHECK_IN)
            free = {chair: max(at, opening) for chair, at in free.items()}  # a late day runs on
            slots = sorted(
                ((rng.randint(0, CHECK_IN_SLOTS), v) for v in by_day[day]), key=itemgetter(0)
            )
            placed = []
            for slot, visit in slots:
                desired = opening + timedelta(minutes=15 * slot)
                target = rng.choices(TARGETS, TARGET_WEIGHTS)[0]
                steps = _story(rng, target, visit.cancelled)
                idle = [chair for chair, at in free.items() if at <= desired]
                chair = rng.choice(idle) if idle else min(free, key=free.__getitem__)
                checked_in = max(desired, free[chair]) + timedelta(seconds=rng.randint(0, 600))
                free[chair] = checked_in + steps[-1][0] + timedelta(minutes=rng.randint(5, 15))
                placed.append((checked_in, chair, patients[visit.patient].id, target, steps))
            for checked_in, chair, patient_id, target, steps in sorted(placed, key=itemgetter(0)):
                self.write_session(chair, patient_id, target, checked_in, steps)
        return len(visits)

    def write_session(
        self, chair_id: int, patient_id: int, target: int, checked_in: datetime, steps: list[Step]
    ) -> int:
        """Check in, then the other actions, through the session service's own helpers."""
        nurse = self.rng.choice(NURSES)
        session = self.session
        row = check_in_row(session, self.settings, nurse, chair_id, patient_id, target, checked_in)
        if len(steps) > 1:
            # append_events replays the check-in: load it (one query; events are lazy="raise")
            recorded = select(SessionEventRow).where(SessionEventRow.session_id == row.id)
            set_committed_value(row, "events", list(session.scalars(recorded)))
            at = {kind: checked_in + offset for offset, kind, _ in steps}
            dose, effects = (  # the plan exists before the start (domain.start)
                self._write_dose_and_effects(row, nurse, at)
                if EventKind.START in at
                else (None, ())
            )
            actions = [
                (kind, checked_in + offset, _start_reason(dose) if kind is EventKind.START else why)
                for offset, kind, why in steps[1:]
            ]
            answers = decision = None
            if EventKind.DISCHARGE in at:
                answers = self._discharge_answers(nurse)
            if answers is not None:  # through the checklist, as a nurse discharges
                facts = _story_facts(at, row.target_minutes, dose, effects)
                decision = release(evaluate(answers, facts, self.settings.discharge_rules))
            append_events(session, row, nurse, actions, decision=decision)
            if answers is not None and decision is not None:
                self._write_discharge(row.id, nurse, at[EventKind.DISCHARGE], answers, decision)
        if self.with_vitals:
            self._write_vitals(row.id, nurse, checked_in, steps)
        return row.id

    def _write_dose_and_effects(
        self, row: SessionRow, nurse: Actor, at: dict[EventKind, datetime]
    ) -> tuple[DoseRecord, tuple[SideEffect, ...]]:
        """The dose record (planned before the start; actual and witnessed waste at the stop)
        and, in some sessions, nausea treated with ondansetron (CLINICAL.md frequencies).
        Returns them as the discharge checklist reads them."""
        rng, session = self.rng, self.session
        start, stop = at[EventKind.START], at.get(EventKind.STOP)
        weight = session.get(PatientRow, row.patient_id).weight_kg
        total = planned_mg(weight, 0.5)
        rate = planned_rate(planned_ml(total, 10.0), row.target_minutes)
        witness = rng.choice([n for n in NURSES if n.username != nurse.username])
        dose = DoseRecordRow(
            session_id=row.id,
            weight_kg=weight,
            mg_per_kg=0.5,
            planned_mg=total,
            concentration_mg_ml=10.0,
            planned_rate_ml_h=rate,
            lot_number=f"KET-{rng.randint(24000, 24999)}",
            planned_by=nurse.username,
            planned_at=start - timedelta(minutes=2),
            actual_mg=total if stop else None,
            wasted_mg=round(rng.uniform(0, 3), 1) if stop else None,
            over_plan_reason="",
            witness=witness.username if stop else None,
            completed_by=nurse.username if stop else None,
            completed_at=stop + timedelta(minutes=3) if stop else None,
        )
        session.add(dose)
        if rng.random() >= NAUSEA_RATE or min(self.now, stop or self.now) < start + timedelta(
            minutes=20
        ):
            return to_record(dose), ()
        onset = start + timedelta(minutes=rng.randint(10, 20))
        effect = SideEffectRow(
            session_id=row.id,
            kind_key="nausea",
            label="Nausea",
            other_text="",
            onset_at=onset,
            severity=rng.choice(("mild", "mild", "moderate")),
            resolved_at=stop if stop else None,
            note="",
            entered_by=nurse.username,
            entered_at=onset + timedelta(minutes=1),
            status="current",
            status_reason="",
        )
        session.add(effect)
        session.flush()
        session.add(
            MedicationRow(
                session_id=row.id,
                drug="ondansetron",
                dose=4.0,
                unit="mg",
                route="IV",
                given_at=onset + timedelta(minutes=3),
                given_by=nurse.username,
                side_effect_id=effect.id,
                note="",
                entered_by=nurse.username,
                entered_at=onset + timedelta(minutes=4),
                status="current",
                status_reason="",
            )
        )
        return to_record(dose), (to_effect(effect),)

    def _discharge_answers(self, nurse: Actor) -> DischargeAnswers:
        """The checklist as a nurse completes it: escort verified, every answer good."""
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        escort = Escort(
            f"{first} {last}",
            rng.choice(ESCORT_RELATIONSHIPS),
            f"+1 212-555-{rng.randint(100, 199):04d}",
            present_verified=True,
            verified_by=nurse.username,
        )
        return DischargeAnswers(
            oriented=True,
            steady_gait=True,
            nausea=Nausea.MINIMAL,
            pain=rng.randint(0, 2),
            iv_site=IvSite.REMOVED_INTACT,
            instructions_acknowledged=True,
            escort=escort,
        )

    def _write_discharge(
        self,
        session_id: int,
        nurse: Actor,
        at: datetime,
        answers: DischargeAnswers,
        decision: DischargeDecision,
    ) -> None:
        escort = answers.escort
        self.session.add(
            DischargeRow(
                session_id=session_id,
                escort_name=escort.name,
                escort_relationship=escort.relationship,
                escort_phone=escort.phone,
                escort_verified=escort.present_verified,
                escort_verified_by=escort.verified_by,
                oriented=answers.oriented,
                steady_gait=answers.steady_gait,
                nausea=answers.nausea.value if answers.nausea else None,
                pain=answers.pain,
                iv_site=answers.iv_site.value if answers.iv_site else None,
                instructions_acknowledged=answers.instructions_acknowledged,
                instructions_text=self.settings.discharge_instructions,
                padss_total=decision.padss_total,
                outcome=decision.outcome,
                ama_reason="",
                completed_by=nurse.username,
                completed_at=at,
                updated_by=nurse.username,
                updated_at=at,
            )
        )

    def add_set(self, session_id: int, taken: datetime, draft: VitalsDraft) -> None:
        row = self.session.get(SessionRow, session_id)
        times = derive_times(
            [
                SessionEvent(EventKind(e.kind), e.at, e.actor, e.reason)
                for e in self.session.scalars(
                    select(SessionEventRow)
                    .where(SessionEventRow.session_id == session_id)
                    .order_by(SessionEventRow.seq)
                )
            ]
        )
        clean = validate_draft(draft)
        self.session.add(
            VitalsRow(
                session_id=row.id,
                taken_at=taken,
                phase=vital_phase(times.started_at, times.ended_at, taken).value,
                **{k: getattr(clean, k) for k in MEASURES},
                note="",
                entered_by=NURSES[0].username,
                entered_at=taken,
                status="current",
                corrects_id=None,
                status_reason="",
            )
        )

    def _write_vitals(
        self, session_id: int, nurse: Actor, checked_in: datetime, steps: list[Step]
    ) -> None:
        """Plausible sets on the default schedule; BP rises by about 16/11 mmHg towards
        30–40 minutes (Yale series), and now and then a surge, so flags appear."""
        rng, now = self.rng, self.now
        at = {kind: checked_in + offset for offset, kind, _ in steps}
        start, stop = at.get(EventKind.START), at.get(EventKind.STOP)
        end = at.get(EventKind.DISCHARGE) or at.get(EventKind.CANCEL) or now
        base = (rng.randint(108, 134), rng.randint(66, 84), rng.randint(60, 88))
        surge = rng.random() < SURGE_RATE
        times = [checked_in + timedelta(minutes=rng.uniform(2, 4))]
        if start is not None:
            last = stop or now
            times += [
                start + timedelta(minutes=m)
                for m in range(15, 600, 15)
                if start + timedelta(minutes=m) < last
            ]
            times += [start + timedelta(minutes=40)] if start + timedelta(minutes=40) < last else []
            if stop is not None:
                times += [
                    stop + timedelta(minutes=m)
                    for m in range(0, 600, 15)
                    if stop + timedelta(minutes=m) < end - timedelta(minutes=3)
                ]
                if EventKind.DISCHARGE in at:
                    times.append(end - timedelta(minutes=2))
        rows = []
        for taken in sorted({t.replace(microsecond=0) for t in times}):
            if taken > now:
                continue
            minutes = (taken - start).total_seconds() / 60 if start else -5.0
            rise = 0.0
            if start is not None and (stop is None or taken <= stop):
                rise = max(0.0, 1 - abs(minutes - 35) / 35)
            elif stop is not None:
                rise = max(0.0, 0.6 - (taken - stop).total_seconds() / 3600)
            extra = 48 * rise if surge else 16 * rise
            sys_v = int(base[0] + extra + rng.randint(-5, 5))
            dia_v = int(min(base[1] + extra * 0.6 + rng.randint(-4, 4), sys_v - 20))
            draft = validate_draft(
                VitalsDraft(
                    systolic=sys_v,
                    diastolic=dia_v,
                    heart_rate=int(base[2] + 6 * rise + rng.randint(-4, 4)),
                    spo2=rng.choice((96, 97, 98, 98, 99)),
                    resp_rate=rng.randint(12, 17),
                    sedation=4 if rise > 0.5 and rng.random() < 0.4 else 5,
                )
            )
            pre_discharge = EventKind.DISCHARGE in at and taken >= end - timedelta(minutes=2)
            rows.append(
                VitalsRow(
                    session_id=session_id,
                    taken_at=taken,
                    phase=vital_phase(start, stop, taken, pre_discharge=pre_discharge).value,
                    **{k: getattr(draft, k) for k in MEASURES},
                    note="",
                    entered_by=nurse.username,
                    entered_at=min(now, taken + timedelta(minutes=1)),
                    status="current",
                    corrects_id=None,
                    status_reason="",
                )
            )
        self.session.add_all(rows)


def _start_reason(plan: DoseRecord | None) -> str:
    """The start event's reason as the start rule gives it (domain.start): every demo
    session is planned first, so nothing is owed."""
    note = dose_plan_note(has_plan(plan))
    if note is None:
        raise DomainError("A demo session would start without a dose plan")
    return note


def _story_facts(
    at: dict[EventKind, datetime],
    target_minutes: int,
    dose: DoseRecord | None,
    effects: tuple[SideEffect, ...],
) -> ClinicalFacts:
    """What a past session's record shows at its discharge: observed since the stop (at or
    after the target: `_story` never stops early), the last set back to a normal baseline,
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


def _at(day: date, clock_time: time) -> datetime:
    return datetime.combine(day, clock_time, UTC)
