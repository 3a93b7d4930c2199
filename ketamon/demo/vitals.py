"""The demo's vitals sets: plausible values on the default schedule, with the blood
pressure rise ketamine brings and, now and then, a surge to RED."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.demo.data import NURSES, SURGE_PEAK, SURGE_RATE, Step
from ketamon.domain.actors import Actor
from ketamon.domain.sessions import EventKind, SessionEvent
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.timers import derive_times
from ketamon.domain.vitals import MEASURES, VitalsDraft, validate_draft, vital_phase
from ketamon.storage.models import SessionEventRow, SessionRow, VitalsRow


def add_set(tx: Session, session_id: int, taken: datetime, draft: VitalsDraft) -> None:
    """One vitals set at `taken` (its phase from the session's events)."""
    row = tx.get_one(SessionRow, session_id)
    times = derive_times(
        [
            SessionEvent(EventKind(e.kind), e.at, e.actor, e.reason)
            for e in tx.scalars(
                select(SessionEventRow)
                .where(SessionEventRow.session_id == session_id)
                .order_by(SessionEventRow.seq)
            )
        ]
    )
    clean = validate_draft(draft)
    tx.add(
        VitalsRow(
            session_id=row.id,
            taken_at=taken,
            phase=vital_phase(times.started_at, times.ended_at, taken).value,
            **{k: getattr(clean, k) for k in MEASURES},
            note="",
            entered_by=NURSES[0].username,
            entered_at=taken,
            status=RecordStatus.CURRENT.value,
            corrects_id=None,
            status_reason="",
        )
    )


def write_vitals(
    tx: Session,
    rng: random.Random,
    now: datetime,
    session_id: int,
    nurse: Actor,
    checked_in: datetime,
    steps: list[Step],
) -> None:
    """Plausible sets on the default schedule; BP rises by about 16/11 mmHg towards
    30–40 minutes (Yale series), and now and then a surge to RED (>= 180 systolic
    about the peak), so flags appear and the review list's alerts filter finds them."""
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
        extra = (max(48, (SURGE_PEAK + 6 - base[0]) / 0.85) if surge else 16) * rise
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
                status=RecordStatus.CURRENT.value,
                corrects_id=None,
                status_reason="",
            )
        )
    tx.add_all(rows)
