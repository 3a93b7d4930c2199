"""Discharge: the checklist saved as the nurse fills it, the discharge itself (refused until
every criterion is met), and the one way out without them: leaving against medical advice.

The check is evaluated again inside the discharge transaction from what is stored, so a
stale screen cannot let a patient go.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.discharge import (
    AgainstAdvice,
    ClinicalFacts,
    DischargeAnswers,
    DischargeCheck,
    DischargeDecision,
    Escort,
    InfusionStop,
    IvSite,
    Nausea,
    Outcome,
    RecordedPain,
    VitalsPoint,
    against_advice,
    evaluate,
    normalize_phone,
    refused_answers,
    release,
    same_escort,
)
from ketamon.domain.discharge_entry import clean_against_advice, clean_answers, escort_plan
from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.sessions import EventKind, Phase, replay
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.timers import derive_times
from ketamon.domain.users import Permission
from ketamon.domain.vitals import VitalPhase
from ketamon.services.base import Service, acting_user, retried
from ketamon.storage.models import (
    DischargeRow,
    SessionRow,
    UserRow,
    VitalsRow,
)
from ketamon.storage.reads.discharge import patient_name_of
from ketamon.storage.reads.dose import dose_of
from ketamon.storage.reads.sessions import events_of, load_session, require_unsigned
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.reads.side_effects import current_effects
from ketamon.storage.reads.users import to_user, user_names
from ketamon.storage.versions import require_version
from ketamon.storage.writes import append_events

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DischargeState:
    """What the checklist window shows: the answers so far, the facts, the verdict."""

    session_id: int
    answers: DischargeAnswers
    facts: ClinicalFacts
    check: DischargeCheck
    instructions: str
    next_appointment_at: datetime | None
    outcome: str | None  # None while open; 'discharged' | 'ama'
    completed_by: str | None
    completed_at: datetime | None
    ama: AgainstAdvice | None
    # The checklist row's version (0: none saved yet): passed back with a save, so a save
    # from a checklist loaded before another workstation's is refused (storage/versions.py).
    version: int = 0


def _answers(row: DischargeRow | None) -> DischargeAnswers:
    if row is None:
        return DischargeAnswers()
    return DischargeAnswers(
        oriented=row.oriented,
        steady_gait=row.steady_gait,
        nausea=Nausea(row.nausea) if row.nausea else None,
        pain=row.pain,
        iv_site=IvSite(row.iv_site) if row.iv_site else None,
        instructions_acknowledged=row.instructions_acknowledged,
        escort=Escort(
            row.escort_name,
            row.escort_relationship,
            row.escort_phone,
            row.escort_verified,
            row.escort_verified_by or "",
        ),
    )


def _point(row: VitalsRow) -> VitalsPoint:
    return VitalsPoint(row.systolic, row.diastolic, row.heart_rate, row.taken_at)  # type: ignore[arg-type]


def _full(row: VitalsRow) -> bool:
    """A vitals set, not a score recorded on its own."""
    return row.systolic is not None and row.heart_rate is not None


def clinical_facts(tx: Session, owner: SessionRow, now: datetime) -> ClinicalFacts:
    """What the record says: timings, vitals, MOAA/S, the stop, the side effects, the dose
    record and the last pain score, as the checklist weighs them."""
    events = events_of(owner)
    times = derive_times(events)
    rows = list(
        tx.scalars(
            select(VitalsRow)
            .where(VitalsRow.session_id == owner.id, VitalsRow.status == RecordStatus.CURRENT.value)
            .order_by(VitalsRow.taken_at, VitalsRow.id)
        )
    )
    full = [r for r in rows if _full(r)]
    baseline = [r for r in full if r.phase == VitalPhase.BASELINE]
    # Recovery is judged on what was seen after the infusion: a MOAA/S 5 or a pain score
    # charted before any ketamine (the baseline) says nothing about leaving the chair.
    since_end = [r for r in rows if times.ended_at is not None and r.taken_at >= times.ended_at]
    after = [r for r in since_end if _full(r)]
    moaas = [r.sedation for r in since_end if r.sedation is not None]
    pains = [RecordedPain(r.pain, r.taken_at) for r in since_end if r.pain is not None]
    stop_event = next((e for e in reversed(events) if e.kind is EventKind.STOP), None)
    stop = None
    if stop_event is not None and times.ended_at is not None:
        ran = times.infusion_elapsed(times.ended_at)
        stop = InfusionStop(stop_event.at, ran, owner.target_minutes, stop_event.reason)
    return ClinicalFacts(
        now=now,
        infusion_ended_at=times.ended_at,
        baseline=_point(baseline[-1]) if baseline else None,
        last=_point(after[-1]) if after else None,
        last_moaas=moaas[-1] if moaas else None,
        stop=stop,
        side_effects=current_effects(tx, owner.id),
        dose=dose_of(tx, owner.id),
        last_pain=pains[-1] if pains else None,
        names=tuple(sorted(user_names(tx).items())),
        patient_name=patient_name_of(tx, owner.id),
    )


def _escort_of(row: DischargeRow) -> tuple[str | None, str | None, str | None]:
    """The escort the stored checklist names (the one verified, when it is)."""
    return row.escort_name, row.escort_relationship, row.escort_phone


class DischargeService(Service):
    def state(self, session_id: int) -> DischargeState:
        with self.db.transaction(write=False) as tx:
            return self._state(tx, self._owner(tx, session_id))

    @retried
    def save_escort_plan(
        self, actor: Actor, session_id: int, escort: Escort, *, version: int | None = None
    ) -> DischargeState:
        """The escort plan (name, relationship, phone) as confirmed at check-in.

        `version`: the DischargeState.version the form loaded (None: no form to compare);
        a save over a newer checklist is refused (StaleRecord), as with every save here."""
        with self.db.transaction(audit=self.audit(actor, "escort plan")) as tx:
            acting_user(tx, actor, Permission.CHART)
            owner = self._owner(tx, session_id, open_only=True)
            require_version(tx, DischargeRow, owner.id, version)
            keep_escort_plan(tx, owner, actor, escort, self.now())
            return self._state(tx, owner)

    @retried
    def save_answers(
        self,
        actor: Actor,
        session_id: int,
        answers: DischargeAnswers,
        *,
        version: int | None = None,
    ) -> DischargeState:
        """Store the checklist as it is now (called as the nurse fills it: nothing is lost).

        A phone number that is not valid yet is stored as typed; the check shows it missing.
        Verifying the escort records the nurse who does it (the acting user).

        An answer the record contradicts (nausea "minimal" while nausea is recorded SEVERE
        and open, a pain score better than the last one recorded) is refused: the other
        answers are saved, the refused ones keep their stored value, and ValidationErrors
        names each refused field after the save.
        """
        answers = clean_answers(answers)
        refused: dict[str, str] = {}
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.CHART)
            owner = self._owner(tx, session_id, open_only=True)
            require_version(tx, DischargeRow, owner.id, version)
            region = load_settings(tx).phone_region
            stored = _answers(tx.get(DischargeRow, owner.id))
            refused = refused_answers(answers, stored, clinical_facts(tx, owner, self.now()))
            if "nausea" in refused:
                answers = replace(answers, nausea=stored.nausea)
            if "pain" in refused:
                answers = replace(answers, pain=stored.pain)
            row = self._row(tx, owner, actor)
            escort = answers.escort
            phone = escort.phone
            with contextlib.suppress(FieldError):  # kept as typed; the check shows it missing
                phone = normalize_phone(phone, region)
            # Another escort than the one verified: the verification lapses, and this save
            # cannot verify them (the tick was for the person verified): ticked again, it is.
            typed = replace(escort, phone=phone)  # compared as stored: normalized
            another = row.escort_verified and not same_escort(_escort_of(row), typed)
            row.escort_name = escort.name
            row.escort_relationship = escort.relationship
            row.escort_phone = phone
            if another:
                row.escort_verified, row.escort_verified_by = False, None
            else:
                if escort.present_verified and not row.escort_verified:
                    row.escort_verified_by = actor.username
                elif not escort.present_verified:
                    row.escort_verified_by = None
                row.escort_verified = escort.present_verified
            row.oriented, row.steady_gait = answers.oriented, answers.steady_gait
            row.nausea = answers.nausea.value if answers.nausea else None
            row.pain = answers.pain
            row.iv_site = answers.iv_site.value if answers.iv_site else None
            row.instructions_acknowledged = answers.instructions_acknowledged
            row.updated_by, row.updated_at = actor.username, self.now()
            tx.flush()
            state = self._state(tx, owner)
        if refused:  # the other answers were saved above
            raise ValidationErrors(refused)
        return state

    @retried
    def set_next_appointment(
        self, actor: Actor, session_id: int, when: datetime | None, *, version: int | None = None
    ) -> DischargeState:
        when = fields.optional_datetime("next_appointment", when, label="Next appointment")
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.CHART)
            owner = self._owner(tx, session_id)
            require_unsigned(tx, session_id)
            require_version(tx, DischargeRow, owner.id, version)
            if when is not None and when <= self.now():
                raise FieldError("next_appointment", "The next appointment must be in the future")
            row = self._row(tx, owner, actor)
            row.next_appointment_at = when
            tx.flush()
            return self._state(tx, owner)

    @retried
    def discharge(self, actor: Actor, session_id: int) -> DischargeState:
        """Discharge if, and only if, every criterion is met now (the domain's `release`);
        frees the chair and queues the session for review."""
        with self.db.transaction(audit=self.audit(actor, "discharged")) as tx:
            acting_user(tx, actor, Permission.CHART)
            owner = self._owner(tx, session_id, open_only=True)
            require_version(tx, DischargeRow, owner.id, None)  # locked while it is weighed
            state = self._state(tx, owner)
            decision = release(state.check)
            self._end(tx, owner, actor, state, decision, [])
            log.info("session %d: discharged by %s", owner.id, actor.username)
            return self._state(tx, self._owner(tx, session_id, fresh=True))

    @retried
    def leave_against_advice(
        self, actor: Actor, session_id: int, ama: AgainstAdvice
    ) -> DischargeState:
        """The patient leaves without meeting the criteria: reason, witness, escort or not.

        A running infusion is stopped first (with the same reason)."""
        clean = clean_against_advice(ama, actor.username)
        with self.db.transaction(audit=self.audit(actor, clean.reason)) as tx:
            acting_user(tx, actor, Permission.CHART)
            witness = tx.scalar(select(UserRow).where(UserRow.username == clean.witness))
            owner = self._owner(tx, session_id, open_only=True)
            require_version(tx, DischargeRow, owner.id, None)  # locked while it is weighed
            state = self._state(tx, owner)
            decision = against_advice(
                clean, actor.username, to_user(witness) if witness else None, state.check
            )
            phase = replay(events_of(owner)).phase
            if phase is Phase.CHECKED_IN:
                raise DomainError(
                    "The infusion was never started: cancel the session instead (with a reason)"
                )
            running = phase is Phase.INFUSING  # stopped first, with the same reason
            stop = [(EventKind.STOP, self.now(), decision.reason)] if running else []
            self._end(tx, owner, actor, state, decision, stop)
            log.info("session %d: left against medical advice (%s)", owner.id, actor.username)
            return self._state(tx, self._owner(tx, session_id, fresh=True))

    def _end(
        self,
        tx: Session,
        owner: SessionRow,
        actor: Actor,
        state: DischargeState,
        decision: DischargeDecision,
        before: list[tuple],
    ) -> None:
        """Append the discharge the decision allows (after `before`: a stop) and complete the
        checklist row with the outcome. The session's phase, chair and review queue follow
        the events (storage.writes.append_events)."""
        now = self.now()
        actions = [*before, (EventKind.DISCHARGE, now, decision.reason)]
        append_events(tx, owner, actor, actions, decision=decision)
        row = self._row(tx, owner, actor)
        row.outcome = decision.outcome
        if decision.ama is not None:
            row.ama_reason, row.ama_witness = decision.ama.reason, decision.ama.witness
            row.ama_escort_present = decision.ama.escort_present
        row.padss_total = decision.padss_total
        row.instructions_text = state.instructions
        row.completed_by, row.completed_at = actor.username, now
        row.updated_by, row.updated_at = actor.username, now
        tx.flush()

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _owner(
        tx: Session, session_id: int, *, open_only: bool = False, fresh: bool = False
    ) -> SessionRow:
        session_id = fields.record_id("session_id", session_id, label="Session")
        owner = load_session(tx, session_id, fresh=fresh)
        if open_only and not Phase(owner.phase).active:
            raise DomainError(f"This session is already {Phase(owner.phase).label.lower()}")
        return owner

    def _row(self, tx: Session, owner: SessionRow, actor: Actor) -> DischargeRow:
        return discharge_row(tx, owner, actor, self.now())

    def _state(self, tx: Session, owner: SessionRow) -> DischargeState:
        return discharge_state(tx, owner, self.now())


def discharge_row(tx: Session, owner: SessionRow, actor: Actor, now: datetime) -> DischargeRow:
    """The session's checklist row, added empty when it has none yet."""
    row = tx.get(DischargeRow, owner.id)
    if row is None:
        row = DischargeRow(
            session_id=owner.id,
            escort_name="",
            escort_relationship="",
            escort_phone="",
            escort_verified=False,
            instructions_acknowledged=False,
            instructions_text="",
            ama_reason="",
            updated_by=actor.username,
            updated_at=now,
        )
        tx.add(row)
    return row


def keep_escort_plan(
    tx: Session, owner: SessionRow, actor: Actor, escort: Escort, now: datetime
) -> None:
    """The escort plan (name, relationship, phone) written in the caller's transaction:
    the plan's own save, or the check-in that brings it. Refused in words when it is not a
    plan (domain.discharge.escort_plan: the patient is never their own escort)."""
    plan = escort_plan(escort, load_settings(tx).phone_region, patient_name_of(tx, owner.id))
    row = discharge_row(tx, owner, actor, now)
    if not same_escort(_escort_of(row), plan):
        row.escort_verified, row.escort_verified_by = False, None  # another person
    row.escort_name, row.escort_relationship = plan.name, plan.relationship
    row.escort_phone = plan.phone
    tx.flush()


def discharge_state(tx: Session, owner: SessionRow, now: datetime) -> DischargeState:
    """The checklist as stored, evaluated at `now` (or when the discharge was completed)."""
    settings = load_settings(tx)
    row = tx.get(DischargeRow, owner.id)
    answers = _answers(row)
    now = row.completed_at if row is not None and row.completed_at else now
    facts = clinical_facts(tx, owner, now)
    check = evaluate(answers, facts, settings.discharge_rules)
    ama = None
    if row is not None and row.outcome == Outcome.AMA:
        ama = AgainstAdvice(row.ama_reason, row.ama_witness or "", bool(row.ama_escort_present))
    instructions = (
        row.instructions_text if row is not None and row.instructions_text else None
    ) or settings.discharge_instructions
    return DischargeState(
        session_id=owner.id,
        answers=replace(answers),
        facts=facts,
        check=check,
        instructions=instructions,
        next_appointment_at=row.next_appointment_at if row is not None else None,
        outcome=row.outcome if row is not None else None,
        completed_by=row.completed_by if row is not None else None,
        completed_at=row.completed_at if row is not None else None,
        ama=ama,
        version=row.version if row is not None else 0,
    )
