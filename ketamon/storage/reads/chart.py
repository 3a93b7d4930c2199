"""A patient's chart (ketamon.domain.chart) in a fixed number of statements, whatever the
number of sessions: the patient, courses, sessions with chairs, dose records, vitals
peaks, side effects, questionnaires and escorts."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.chart import CourseLine, Escort, PatientChart, SessionLine, course_response
from ketamon.domain.courses import INITIAL, CourseEnd
from ketamon.domain.errors import NotFound
from ketamon.domain.instruments import Instrument
from ketamon.domain.outcomes import OutcomeRecord, latest_current
from ketamon.domain.statuses import RecordStatus
from ketamon.storage.models import (
    ChairRow,
    CourseRow,
    DischargeRow,
    DoseRecordRow,
    OutcomeRow,
    PatientRow,
    SessionRow,
    SideEffectRow,
    VitalsRow,
)
from ketamon.storage.reads.courses import plan_of
from ketamon.storage.reads.outcomes import outcomes_where
from ketamon.storage.reads.patients import to_patient

CURRENT = RecordStatus.CURRENT.value


def patient_chart(tx: Session, patient_id: int) -> PatientChart:
    patient = tx.get(PatientRow, patient_id)
    if patient is None:
        raise NotFound(f"Patient {patient_id} not found")
    courses = list(
        tx.scalars(
            select(CourseRow).where(CourseRow.patient_id == patient_id).order_by(CourseRow.id)
        )
    )
    rows = list(
        tx.execute(
            select(SessionRow, ChairRow.name)
            .join(ChairRow, ChairRow.id == SessionRow.chair_id)
            .where(SessionRow.patient_id == patient_id)
            .order_by(SessionRow.checked_in_at, SessionRow.id)
        ).all()
    )
    ids = [s.id for s, _chair in rows]
    doses = {
        d.session_id: d
        for d in tx.scalars(select(DoseRecordRow).where(DoseRecordRow.session_id.in_(ids)))
    }
    peaks: dict[int, tuple[int, int]] = {}
    for session_id, systolic, diastolic in tx.execute(
        select(VitalsRow.session_id, VitalsRow.systolic, VitalsRow.diastolic).where(
            VitalsRow.session_id.in_(ids),
            VitalsRow.status == CURRENT,
            VitalsRow.systolic.is_not(None),
            VitalsRow.diastolic.is_not(None),
        )
    ):
        if systolic is None or diastolic is None:
            continue  # (filtered above; for the type checker)
        if session_id not in peaks or systolic > peaks[session_id][0]:
            peaks[session_id] = (systolic, diastolic)
    effects: dict[int, list[str]] = defaultdict(list)
    for effect in tx.scalars(
        select(SideEffectRow)
        .where(SideEffectRow.session_id.in_(ids), SideEffectRow.status == CURRENT)
        .order_by(SideEffectRow.onset_at, SideEffectRow.id)
    ):
        effects[effect.session_id].append(f"{effect.label} ({effect.severity})")
    outcomes = outcomes_where(tx, OutcomeRow.patient_id == patient_id)
    by_session: dict[int, list[OutcomeRecord]] = defaultdict(list)
    for record in outcomes:
        if record.session_id is not None:
            by_session[record.session_id].append(record)

    def total(session_id: int, instrument: Instrument) -> int | None:
        newest = latest_current(by_session[session_id], instrument)
        return None if newest is None else newest.score.total

    lines = [
        SessionLine(
            session_id=s.id,
            course_id=s.course_id,
            number_in_course=s.number_in_course,
            checked_in_at=s.checked_in_at,
            chair=chair,
            phase=s.phase,
            review_status=s.review_status,
            mg_per_kg=doses[s.id].mg_per_kg if s.id in doses else None,
            given_mg=doses[s.id].actual_mg if s.id in doses else None,
            peak_bp=peaks.get(s.id),
            side_effects=tuple(effects[s.id]),
            phq9=total(s.id, Instrument.PHQ9),
            gad7=total(s.id, Instrument.GAD7),
        )
        for s, chair in rows
    ]
    series_of: dict[int, int] = {}  # course id -> the initial series that began its treatment
    series = None
    for c in courses:
        series = c.id if c.kind == INITIAL or series is None else series
        series_of[c.id] = series
    course_lines = tuple(
        CourseLine(
            id=c.id,
            kind=c.kind,
            started_at=c.started_at,
            planned=c.planned_sessions,
            sessions=tuple(line for line in lines if line.course_id == c.id),
            response=course_response(outcomes, c.id, series_of[c.id]),
            ended_at=c.ended_at,
            end=CourseEnd(c.end_kind) if c.end_kind else None,
            end_reason=c.end_reason,
        )
        for c in courses
    )
    return PatientChart(
        to_patient(patient), course_lines, tuple(outcomes), _escorts(tx, ids), plan_of(patient)
    )


def _escorts(tx: Session, session_ids: list[int]) -> tuple[Escort, ...]:
    seen: dict[tuple[str, str], Escort] = {}
    for row in tx.scalars(
        select(DischargeRow)
        .where(DischargeRow.session_id.in_(session_ids), DischargeRow.escort_name != "")
        .order_by(DischargeRow.updated_at.desc())
    ):
        key = (row.escort_name.casefold(), row.escort_phone)
        if key not in seen:
            seen[key] = Escort(
                row.escort_name, row.escort_relationship, row.escort_phone, row.updated_at
            )
    return tuple(seen.values())
