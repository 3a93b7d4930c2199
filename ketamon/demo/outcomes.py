"""Demo questionnaires: a PHQ-9 and a GAD-7 before each infusion, following a trajectory per
patient (responders, a partial responder, a non-responder, remitters), and one patient with
a positive PHQ-9 item 9 on the first visit, reviewed by the physician before the start.

Scored by the domain (ketamon.domain.outcomes.score), as every path that records one."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ketamon.domain.actors import Actor
from ketamon.domain.instruments import GAD7, PHQ9, Instrument
from ketamon.domain.outcomes import Decision, Score, encode_answers, score
from ketamon.domain.statuses import RecordStatus
from ketamon.storage.models import OutcomeRow, SessionRow

# (fraction of the baseline left after each infusion, the floor it settles at)
TRAJECTORIES = (
    ("responder", 0.86, 7),
    ("partial responder", 0.93, 11),
    ("non-responder", 1.0, 0),
    ("remitter", 0.78, 2),
)
ITEM9_PATIENT = 3  # the third patient registered: item 9 = 1 on the first visit
REVIEWER = "dr.patel"


def _spread(
    rng: random.Random, total: int, items: int, top: int, keep_last_zero: bool
) -> list[int]:
    """Item answers adding up to `total` (each 0..top), in a plausible random order."""
    slots = items - 1 if keep_last_zero else items
    total = min(total, slots * top)
    answers = [0] * items
    for _ in range(total):
        free = [i for i in range(slots) if answers[i] < top]
        answers[rng.choice(free)] += 1
    return answers


def answers_for(
    rng: random.Random, patient_id: int, visit: int, instrument: Instrument
) -> list[int]:
    """The patient's answers at their `visit`-th infusion (1 = the first)."""
    _name, left, floor = TRAJECTORIES[patient_id % len(TRAJECTORIES)]
    q = PHQ9 if instrument is Instrument.PHQ9 else GAD7
    baseline = (18 + patient_id % 5) if q is PHQ9 else (13 + patient_id % 4)
    expected = max(floor * q.max_total // PHQ9.max_total, round(baseline * left ** (visit - 1)))
    total = max(0, min(q.max_total, expected + rng.randint(-1, 1)))
    item9 = q is PHQ9 and patient_id == ITEM9_PATIENT and visit == 1
    answers = _spread(rng, total - (1 if item9 else 0), len(q.items), q.max_item, q is PHQ9)
    if item9:
        answers[-1] = 1
    return answers


def write_outcomes(
    tx: Session, rng: random.Random, row: SessionRow, nurse: Actor, checked_in: datetime, visit: int
) -> None:
    """A PHQ-9 and a GAD-7 a few minutes after check-in (before the start)."""
    taken = checked_in + timedelta(minutes=rng.randint(2, 4))
    for instrument in (Instrument.PHQ9, Instrument.GAD7):
        scored: Score = score(instrument, answers_for(rng, row.patient_id, visit, instrument))
        outcome = OutcomeRow(
            patient_id=row.patient_id,
            course_id=row.course_id,
            session_id=row.id,
            instrument=instrument.value,
            answers=encode_answers(scored.answers),
            total=scored.total,
            self_completed=rng.random() < 0.5,
            taken_at=taken,
            entered_by=nurse.username,
            entered_at=taken,
            status=RecordStatus.CURRENT.value,
            status_reason="",
            review_note="",
        )
        if scored.flags_suicide_risk:
            outcome.review_decision = Decision.PROCEED.value
            outcome.review_note = "Passive thoughts, no plan or intent; safety plan reviewed"
            outcome.reviewed_by, outcome.reviewed_at = REVIEWER, taken + timedelta(minutes=3)
        tx.add(outcome)
