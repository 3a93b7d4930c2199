"""Writing demo rows: staff, patients, past and live sessions with their vitals, dose
records, side effects and discharge checklists (ketamon/demo/seed.py decides what)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ketamon.demo.data import (
    ALLERGIES,
    BORN_FROM,
    BORN_SPAN_DAYS,
    CHECK_IN_SLOTS,
    ESCORT_RELATIONSHIPS,
    FIRST_CHECK_IN,
    FIRST_NAMES,
    LAST_NAMES,
    NAUSEA_RATE,
    NURSES,
    SEVERE_RATE,
    TARGET_WEIGHTS,
    TARGETS,
    Step,
    Visit,
    at_clinic_time,
    start_reason,
    story,
    story_facts,
)
from ketamon.demo.outcomes import write_outcomes
from ketamon.demo.staff import ensure_demo_staff
from ketamon.demo.vitals import add_set, write_vitals
from ketamon.domain.actors import Actor
from ketamon.domain.discharge import (
    DischargeAnswers,
    DischargeDecision,
    Escort,
    IvSite,
    Nausea,
    evaluate,
    release,
)
from ketamon.domain.dose import DoseRecord, planned_mg, planned_ml, planned_rate
from ketamon.domain.errors import DomainError
from ketamon.domain.patients import PatientDraft, validate_new_patient
from ketamon.domain.sessions import EventKind
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.side_effects import Severity, SideEffect
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.vitals import VitalsDraft
from ketamon.services.clinic import Clinic
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
)
from ketamon.storage.reads.dose import to_record
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.reads.side_effects import to_effect
from ketamon.storage.writes import append_events, check_in_row


@dataclass
class Seeder:
    """One seeding transaction: the session, settings, chairs in use, the seeded randomness."""

    tx: Session
    settings: ClinicSettings
    chairs: list[ChairRow]  # kept referenced, so check_in_row finds them without a query
    rng: random.Random
    actor: Actor
    now: datetime
    with_vitals: bool = False
    infusions: dict[int, int] = field(default_factory=dict)  # patient id -> infusions so far

    @classmethod
    @contextmanager
    def open(
        cls, clinic: Clinic, actor: Actor, rng_seed: int, with_vitals: bool = False
    ) -> Iterator[Seeder]:
        """One transaction on a database without patients (DomainError otherwise)."""
        context = AuditContext(actor.username, clinic.clock(), "demo data")
        with clinic.db.transaction(audit=context) as tx:
            if tx.scalar(select(func.count(PatientRow.id))):
                raise DomainError(
                    "This database already holds patient records; "
                    "seed the demo into an empty database"
                )
            ensure_demo_staff(tx, context.at, actor.username, clinic.users.kdf)
            if not tx.scalar(select(func.count(ChairRow.id))):
                for i in range(1, load_settings(tx).default_chair_count + 1):
                    tx.add(
                        ChairRow(
                            name=f"Chair {i}",
                            position=i,
                            created_at=context.at,
                            created_by=actor.username,
                        )
                    )
                tx.flush()
            in_use = select(ChairRow).where(ChairRow.retired_at.is_(None))
            chairs = list(tx.scalars(in_use.order_by(ChairRow.position)))
            if not chairs:
                raise DomainError("There are no chairs in use to seat the demo patients in")
            yield cls(
                tx,
                load_settings(tx),
                chairs,
                random.Random(rng_seed),
                actor,
                clinic.sessions.now(),
                with_vitals,
            )

    def add_patients(self, count: int, visits: list[Visit], today: date) -> list[PatientRow]:
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
            draft = validate_new_patient(
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
                    created_at=at_clinic_time(registered, time(9))
                    + timedelta(minutes=rng.randint(0, 480)),
                    created_by=self.actor.username,
                )
            )
        self.tx.add_all(rows)
        self.tx.flush()
        return rows  # kept referenced, so check_in_row finds them without a query

    def write_history(self, patients: list[PatientRow], visits: list[Visit]) -> int:
        """Place each day's visits on chairs free at the time; write them in time order."""
        rng = self.rng
        by_day: dict[date, list[Visit]] = defaultdict(list)
        for visit in visits:
            by_day[visit.day].append(visit)
        free = {chair.id: datetime.min.replace(tzinfo=UTC) for chair in self.chairs}
        booked = self._bookings(visits)
        for day in sorted(by_day):
            opening = at_clinic_time(day, FIRST_CHECK_IN)
            free = {chair: max(at, opening) for chair, at in free.items()}  # a late day runs on
            slots = sorted(
                ((rng.randint(0, CHECK_IN_SLOTS), v) for v in by_day[day]), key=itemgetter(0)
            )
            placed = []
            for slot, visit in slots:
                desired = opening + timedelta(minutes=15 * slot)
                target = rng.choices(TARGETS, TARGET_WEIGHTS)[0]
                steps = story(rng, target, visit.cancelled)
                idle = [chair for chair, at in free.items() if at <= desired]
                chair = rng.choice(idle) if idle else min(free, key=free.__getitem__)
                checked_in = max(desired, free[chair]) + timedelta(seconds=rng.randint(0, 600))
                free[chair] = checked_in + steps[-1][0] + timedelta(minutes=rng.randint(5, 15))
                placed.append((checked_in, chair, patients[visit.patient].id, target, steps, visit))
            for checked_in, chair, patient_id, target, steps, visit in sorted(
                placed, key=itemgetter(0)
            ):
                self.write_session(
                    chair, patient_id, target, checked_in, steps, booked.get(id(visit))
                )
        return len(visits)

    def _bookings(self, visits: list[Visit]) -> dict[int, datetime]:
        """id(visit) -> the patient's next visit, booked at discharge (a planned time)."""
        following: dict[int, Visit] = {}
        booked = {}
        for visit in sorted(visits, key=lambda v: v.day, reverse=True):
            after = following.get(visit.patient)
            if after is not None:
                slot = timedelta(minutes=15 * self.rng.randint(0, CHECK_IN_SLOTS))
                booked[id(visit)] = at_clinic_time(after.day, FIRST_CHECK_IN) + slot
            following[visit.patient] = visit
        return booked

    def write_session(
        self,
        chair_id: int,
        patient_id: int,
        target: int,
        checked_in: datetime,
        steps: list[Step],
        next_visit: datetime | None = None,
    ) -> int:
        """Check in, then the other actions, through the session service's own helpers;
        `next_visit`: the appointment booked at discharge."""
        nurse = self.rng.choice(NURSES)
        tx = self.tx
        row = check_in_row(tx, self.settings, nurse, chair_id, patient_id, target, checked_in)
        if len(steps) > 1:
            # append_events replays the check-in: load it (one query; events are lazy="raise")
            recorded = select(SessionEventRow).where(SessionEventRow.session_id == row.id)
            set_committed_value(row, "events", list(tx.scalars(recorded)))
            at = {kind: checked_in + offset for offset, kind, _ in steps}
            if EventKind.START in at:  # the questionnaires come before the start
                visit = self.infusions[patient_id] = self.infusions.get(patient_id, 0) + 1
                write_outcomes(tx, self.rng, row, nurse, checked_in, visit)
            dose, effects = (  # the plan exists before the start (domain.start)
                self._write_dose_and_effects(row, nurse, at)
                if EventKind.START in at
                else (None, ())
            )
            # the escort plan is confirmed before the dose (domain.start)
            escort = self._escort(nurse) if EventKind.START in at else None
            region = self.settings.phone_region
            actions = [
                (
                    kind,
                    checked_in + offset,
                    start_reason(dose, escort, region) if kind is EventKind.START else why,
                )
                for offset, kind, why in steps[1:]
            ]
            answers = decision = None
            if EventKind.DISCHARGE in at and escort is not None:
                answers = self._discharge_answers(escort)
            elif escort is not None:  # still in the chair: the plan, not yet verified
                self._write_escort_plan(row.id, nurse, checked_in, escort)
            if answers is not None:  # through the checklist, as a nurse discharges
                facts = story_facts(at, row.target_minutes, dose, effects)
                decision = release(evaluate(answers, facts, self.settings.discharge_rules))
            append_events(tx, row, nurse, actions, decision=decision)
            if answers is not None and decision is not None:
                self._write_discharge(
                    row.id, nurse, at[EventKind.DISCHARGE], answers, decision, next_visit
                )
        if self.with_vitals:
            self._write_vitals(row.id, nurse, checked_in, steps)
        return row.id

    def _write_dose_and_effects(
        self, row: SessionRow, nurse: Actor, at: dict[EventKind, datetime]
    ) -> tuple[DoseRecord, tuple[SideEffect, ...]]:
        """The dose record (planned before the start; actual and witnessed waste at the stop)
        and, in some sessions, nausea treated with ondansetron (CLINICAL.md frequencies) or
        a SEVERE emergence reaction treated with midazolam, resolved by the stop.
        Returns them as the discharge checklist reads them."""
        rng, tx = self.rng, self.tx
        start, stop = at[EventKind.START], at.get(EventKind.STOP)
        weight = tx.get_one(PatientRow, row.patient_id).weight_kg
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
        tx.add(dose)
        roll = rng.random()
        severe = stop is not None and roll < SEVERE_RATE
        if not severe and (
            roll >= NAUSEA_RATE or min(self.now, stop or self.now) < start + timedelta(minutes=20)
        ):
            return to_record(dose), ()
        # (key, label, severity, drug, mg): a severe emergence reaction treated with
        # midazolam, or nausea treated with ondansetron; resolved by the stop
        key, label, severity, drug, mg = (
            ("emergence", "Dysphoria / agitation (emergence reaction)", Severity.SEVERE)
            + ("midazolam", 1.0)
            if severe
            else ("nausea", "Nausea", rng.choice((Severity.MILD, Severity.MILD, Severity.MODERATE)))
            + ("ondansetron", 4.0)
        )
        onset = start + timedelta(minutes=rng.randint(10, 20))
        effect = SideEffectRow(
            session_id=row.id,
            kind_key=key,
            label=label,
            other_text="",
            onset_at=onset,
            severity=severity.value,
            resolved_at=stop if stop else None,
            note="Settled after midazolam; reassured, lights dimmed." if severe else "",
            entered_by=nurse.username,
            entered_at=onset + timedelta(minutes=1),
            status=RecordStatus.CURRENT.value,
            status_reason="",
        )
        tx.add(effect)
        tx.flush()
        tx.add(
            MedicationRow(
                session_id=row.id,
                drug=drug,
                dose=mg,
                unit="mg",
                route="IV",
                given_at=onset + timedelta(minutes=3),
                given_by=nurse.username,
                side_effect_id=effect.id,
                note="",
                entered_by=nurse.username,
                entered_at=onset + timedelta(minutes=4),
                status=RecordStatus.CURRENT.value,
                status_reason="",
            )
        )
        return to_record(dose), (to_effect(effect),)

    def _escort(self, nurse: Actor) -> Escort:
        """The escort home, as the nurse who will verify them in person names them."""
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        return Escort(
            f"{first} {last}",
            rng.choice(ESCORT_RELATIONSHIPS),
            f"+1 212-555-{rng.randint(100, 199):04d}",
            present_verified=True,
            verified_by=nurse.username,
        )

    def _write_escort_plan(
        self, session_id: int, nurse: Actor, at: datetime, escort: Escort
    ) -> None:
        """The escort plan as check-in keeps it (services.discharge.save_escort_plan)."""
        self.tx.add(
            DischargeRow(
                session_id=session_id,
                escort_name=escort.name,
                escort_relationship=escort.relationship,
                escort_phone=escort.phone,
                escort_verified=False,
                instructions_acknowledged=False,
                instructions_text="",
                ama_reason="",
                updated_by=nurse.username,
                updated_at=at,
            )
        )

    def _discharge_answers(self, escort: Escort) -> DischargeAnswers:
        """The checklist as a nurse completes it: escort verified, every answer good."""
        rng = self.rng
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
        next_visit: datetime | None = None,
    ) -> None:
        escort = answers.escort
        self.tx.add(
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
                next_appointment_at=next_visit,
                updated_by=nurse.username,
                updated_at=at,
            )
        )

    def add_set(self, session_id: int, taken: datetime, draft: VitalsDraft) -> None:
        add_set(self.tx, session_id, taken, draft)

    def _write_vitals(
        self, session_id: int, nurse: Actor, checked_in: datetime, steps: list[Step]
    ) -> None:
        write_vitals(self.tx, self.rng, self.now, session_id, nurse, checked_in, steps)
