"""Outcome questionnaires: record before an infusion or at a follow-up visit, correct, void,
and the clinician's review of a positive PHQ-9 item 9 (ketamon.domain.outcomes).

Every answer is scored again here whatever the form parsed; each call is one transaction
and its rows are audited field by field. START asks `before_start` (services/sessions.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError, NotFound
from ketamon.domain.instruments import Instrument
from ketamon.domain.outcomes import (
    CssrsScreen,
    Decision,
    Item9Review,
    OutcomeRecord,
    Score,
    check_item9_review,
    decode_answers,
    encode_answers,
    item9_holding,
    item9_stop_among,
    questionnaires_missing,
    score,
)
from ketamon.domain.sessions import Phase
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.users import Permission, Role
from ketamon.services.base import Service, acting_user, retried
from ketamon.storage.models import CourseRow, OutcomeRow, PatientRow
from ketamon.storage.reads.outcomes import encode_screen, outcomes_where
from ketamon.storage.reads.sessions import load_session, require_unsigned
from ketamon.storage.reads.users import user_names

log = logging.getLogger(__name__)


class OutcomeService(Service):
    def for_session(self, session_id: int) -> list[OutcomeRecord]:
        """Every questionnaire of a session, current, corrected and voided, oldest first."""
        session_id = fields.record_id("session_id", session_id, label="Session")
        with self.db.transaction(write=False) as tx:
            return outcomes_where(tx, OutcomeRow.session_id == session_id)

    def for_patient(self, patient_id: int) -> list[OutcomeRecord]:
        """Every questionnaire of a patient across courses and visits, oldest first."""
        patient_id = fields.record_id("patient_id", patient_id, label="Patient")
        with self.db.transaction(write=False) as tx:
            return outcomes_where(tx, OutcomeRow.patient_id == patient_id)

    @retried
    def record(
        self,
        actor: Actor,
        session_id: int,
        instrument: Instrument | str,
        answers: Sequence[object],
        *,
        self_completed: bool = False,
    ) -> OutcomeRecord:
        """A questionnaire answered today for this session (before its infusion, usually)."""
        session_id = fields.record_id("session_id", session_id, label="Session")
        scored = score(instrument, answers)
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.CHART)
            owner = load_session(tx, session_id)
            require_unsigned(tx, session_id, owner=owner)
            if not Phase(owner.phase).active:
                raise DomainError(
                    f"This session is {Phase(owner.phase).label.lower()}: a questionnaire is "
                    "recorded while the patient is checked in (or at a follow-up visit)"
                )
            row = self._add(
                tx, actor, scored, owner.patient_id, owner.course_id, session_id, self_completed
            )
            log.info("session %d: %s recorded by %s", session_id, scored.line, actor.username)
            return self._one(tx, row)

    @retried
    def record_visit(
        self,
        actor: Actor,
        patient_id: int,
        instrument: Instrument | str,
        answers: Sequence[object],
        *,
        self_completed: bool = False,
    ) -> OutcomeRecord:
        """A questionnaire at a follow-up visit without an infusion (the patient's course)."""
        patient_id = fields.record_id("patient_id", patient_id, label="Patient")
        scored = score(instrument, answers)
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.CHART)
            if tx.get(PatientRow, patient_id) is None:
                raise NotFound(f"Patient {patient_id} not found")
            course = tx.scalar(
                select(CourseRow.id)
                .where(CourseRow.patient_id == patient_id)
                .order_by(CourseRow.started_at.desc(), CourseRow.id.desc())
                .limit(1)
            )
            row = self._add(tx, actor, scored, patient_id, course, None, self_completed)
            return self._one(tx, row)

    @retried
    def correct(
        self, actor: Actor, outcome_id: int, answers: Sequence[object], reason: str
    ) -> OutcomeRecord:
        """A new row with the corrected answers; the old one is kept, marked corrected."""
        clean = fields.reason(reason, missing="A reason is required to correct a questionnaire")
        with self.db.transaction(audit=self.audit(actor, clean)) as tx:
            acting_user(tx, actor, Permission.CHART)
            old = self._current_row(tx, outcome_id, "corrected again")
            scored = score(old.instrument, answers)
            old.status, old.status_reason = RecordStatus.CORRECTED.value, clean
            row = self._add(
                tx,
                actor,
                scored,
                old.patient_id,
                old.course_id,
                old.session_id,
                old.self_completed,
                taken_at=old.taken_at,
                corrects=old.id,
            )
            return self._one(tx, row)

    @retried
    def void(self, actor: Actor, outcome_id: int, reason: str) -> OutcomeRecord:
        clean = fields.reason(reason, missing="A reason is required to void a questionnaire")
        with self.db.transaction(audit=self.audit(actor, clean)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = self._current_row(tx, outcome_id, "voided again")
            row.status, row.status_reason = RecordStatus.VOIDED.value, clean
            tx.flush()
            return self._one(tx, row)

    @retried
    def review_item9(
        self,
        actor: Actor,
        outcome_id: int,
        decision: Decision | str,
        note: str,
        *,
        screen: CssrsScreen | None = None,
    ) -> OutcomeRecord:
        """A clinician's decision on a positive PHQ-9 item 9: proceed, delay or escalate,
        with a note and optionally the C-SSRS screener. Made once per questionnaire."""
        try:
            chosen = Decision(decision)
        except ValueError:
            raise FieldError("decision", "The decision is proceed, delay or escalate") from None
        clean = fields.reason(note, missing="Decision note is required", field="note")
        with self.db.transaction(audit=self.audit(actor, clean)) as tx:
            user = acting_user(tx, actor, Permission.CHART)
            row = self._current_row(tx, outcome_id, "reviewed")
            if not score(row.instrument, decode_answers(row.answers)).flags_suicide_risk:
                raise DomainError("Only a PHQ-9 with item 9 above 0 is reviewed this way")
            if row.review_decision is not None:
                names = user_names(tx)
                who = names.get(row.reviewed_by or "", row.reviewed_by or "")
                raise DomainError(f"This PHQ-9 was already reviewed by {who}")
            check_item9_review(
                Item9Review(chosen, clean, user.display_name, Role.PHYSICIAN in user.roles, screen)
            )
            row.review_decision, row.review_note = chosen.value, clean
            row.review_cssrs = encode_screen(screen)
            row.reviewed_by, row.reviewed_at = actor.username, self.now()
            tx.flush()
            return self._one(tx, row)

    def _add(
        self,
        tx: Session,
        actor: Actor,
        scored: Score,
        patient_id: int,
        course_id: int | None,
        session_id: int | None,
        self_completed: bool,
        *,
        taken_at: datetime | None = None,
        corrects: int | None = None,
    ) -> OutcomeRow:
        now = self.now()
        row = OutcomeRow(
            patient_id=patient_id,
            course_id=course_id,
            session_id=session_id,
            instrument=scored.instrument.value,
            answers=encode_answers(scored.answers),
            total=scored.total,
            self_completed=bool(self_completed),
            taken_at=taken_at or now,
            entered_by=actor.username,
            entered_at=now,
            status=RecordStatus.CURRENT.value,
            corrects_id=corrects,
            status_reason="",
            review_note="",
        )
        tx.add(row)
        tx.flush()
        return row

    @staticmethod
    def _current_row(tx: Session, outcome_id: int, what: str) -> OutcomeRow:
        row = tx.get(
            OutcomeRow,
            fields.record_id("outcome_id", outcome_id, label="Questionnaire"),
            with_for_update=True,  # the same entry changed on two workstations: once
        )
        if row is None:
            raise NotFound(f"Questionnaire {outcome_id} not found")
        if row.session_id is not None:
            require_unsigned(tx, row.session_id)
        if row.status != RecordStatus.CURRENT.value:
            raise DomainError(
                f"This questionnaire was already {RecordStatus(row.status).label}: it cannot "
                f"be {what}"
            )
        return row

    @staticmethod
    def _one(tx: Session, row: OutcomeRow) -> OutcomeRecord:
        return outcomes_where(tx, OutcomeRow.id == row.id)[0]


def before_start(
    tx: Session, session_id: int, asked: Sequence[str]
) -> tuple[str, bool, tuple[str, ...]]:
    """What the session's questionnaires decide for START: why a positive PHQ-9 item 9
    refuses it ('' if not), whether that item 9 still waits for a clinician's review (not
    yet decided), and which of the clinic's questionnaires (`asked`) were not asked yet
    (starting without them needs a reason)."""
    records = outcomes_where(tx, OutcomeRow.session_id == session_id)
    held = item9_holding(records)
    awaiting = held is not None and held.review is None
    return item9_stop_among(records), awaiting, questionnaires_missing(records, asked)
