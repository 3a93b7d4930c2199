"""Each patient's latest course, as the Due list needs it (ketamon.domain.due), and a
patient's own course plan."""

from __future__ import annotations

from datetime import tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketamon.domain.courses import PatientPlan
from ketamon.domain.due import CoursePlan, CourseState
from ketamon.domain.sessions import Phase
from ketamon.storage.models import CourseRow, PatientRow, SessionRow


def plan_of(patient: PatientRow) -> PatientPlan:
    low, high = patient.plan_interval_min_days, patient.plan_interval_max_days
    interval = (low, high) if low is not None and high is not None else None
    return PatientPlan(patient.plan_series_length, interval)


def course_states(tx: Session, tz: tzinfo, clinic: CoursePlan) -> list[CourseState]:
    """Patients who have a course and no session in a chair now: their latest course, how
    many of its sessions were not cancelled, and the local date of their last infusion
    (a discharged session). Four statements whatever the number of patients."""
    latest = (
        select(CourseRow.patient_id, func.max(CourseRow.id).label("course_id"))
        .group_by(CourseRow.patient_id)
        .subquery()
    )
    courses = {
        row.patient_id: row
        for row in tx.scalars(select(CourseRow).join(latest, CourseRow.id == latest.c.course_id))
    }
    done = dict(
        tx.execute(
            select(SessionRow.course_id, func.count(SessionRow.id))
            .where(
                SessionRow.course_id.in_([c.id for c in courses.values()]),
                SessionRow.phase != Phase.CANCELLED.value,
            )
            .group_by(SessionRow.course_id)
        ).all()
    )
    last = dict(
        tx.execute(
            select(SessionRow.patient_id, func.max(SessionRow.checked_in_at))
            .where(SessionRow.phase == Phase.DISCHARGED.value)
            .group_by(SessionRow.patient_id)
        ).all()
    )
    here = select(SessionRow.active_patient_id).where(SessionRow.active_patient_id.is_not(None))
    patients = tx.scalars(
        select(PatientRow).where(PatientRow.id.in_(list(courses)), PatientRow.id.not_in(here))
    )
    return [
        CourseState(
            patient_id=p.id,
            patient_name=p.full_name,
            mrn=p.mrn,
            kind=courses[p.id].kind,
            planned=courses[p.id].planned_sessions,
            done=done.get(courses[p.id].id, 0),
            last_infusion=last[p.id].astimezone(tz).date() if p.id in last else None,
            closed=courses[p.id].ended_at is not None,
            plan=CoursePlan(
                clinic.series_max_gap_days,
                plan_of(p).interval_or(clinic.maintenance_interval_days),
            ),
        )
        for p in patients
    ]
