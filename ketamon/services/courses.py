"""The patient's course across visits: the chart (ketamon.domain.chart) and who is due
for an infusion (ketamon.domain.due)."""

from __future__ import annotations

from datetime import tzinfo

from sqlalchemy import func, select

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.chart import CourseReport, PatientChart
from ketamon.domain.courses import CourseEnd, PatientPlan
from ketamon.domain.due import CoursePlan, DueItem, due_list
from ketamon.domain.errors import DomainError, FieldError, NotFound
from ketamon.domain.sessions import Phase
from ketamon.domain.today import PlannedVisit, TodayLine, TodaySession, day_bounds, today_lines
from ketamon.domain.users import Permission
from ketamon.services.base import Service, acting_user, retried
from ketamon.services.summary import local_zone
from ketamon.storage.models import ChairRow, CourseRow, DischargeRow, PatientRow, SessionRow
from ketamon.storage.reads.chart import patient_chart
from ketamon.storage.reads.courses import course_states, plan_of
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.reads.users import user_names
from ketamon.storage.versions import require_version


class CourseService(Service):
    def due(self, tz: tzinfo | None = None) -> list[DueItem]:
        """Everyone overdue, with an interrupted series, or due this week, most urgent
        first, each with why; dates in the clinic's zone (`tz`; None: this computer's)."""
        zone = tz or local_zone()
        with self.db.transaction(write=False) as tx:
            settings = load_settings(tx)
            plan = CoursePlan(settings.series_max_gap_days, settings.maintenance_interval_days)
            today = self.now().astimezone(zone).date()
            return due_list(course_states(tx, zone, plan), plan, today)

    def today(self, tz: tzinfo | None = None) -> list[TodayLine]:
        """Today's sessions (every phase) and the patients whose next planned visit is
        today and who have not checked in yet, by time; the day in the clinic's zone."""
        zone = tz or local_zone()
        start, end = day_bounds(self.now().astimezone(zone).date(), zone)
        with self.db.transaction(write=False) as tx:
            sessions = [
                TodaySession(sid, pid, name, mrn, chair, at, Phase(phase))
                for sid, pid, name, mrn, chair, at, phase in tx.execute(
                    select(
                        SessionRow.id,
                        SessionRow.patient_id,
                        PatientRow.full_name,
                        PatientRow.mrn,
                        ChairRow.name,
                        SessionRow.checked_in_at,
                        SessionRow.phase,
                    )
                    .join(PatientRow, PatientRow.id == SessionRow.patient_id)
                    .join(ChairRow, ChairRow.id == SessionRow.chair_id)
                    .where(SessionRow.checked_in_at >= start, SessionRow.checked_in_at < end)
                )
            ]
            planned = [
                PlannedVisit(pid, name, mrn, at)
                for pid, name, mrn, at in tx.execute(
                    select(
                        SessionRow.patient_id,
                        PatientRow.full_name,
                        PatientRow.mrn,
                        DischargeRow.next_appointment_at,
                    )
                    .join(SessionRow, SessionRow.id == DischargeRow.session_id)
                    .join(PatientRow, PatientRow.id == SessionRow.patient_id)
                    .where(
                        DischargeRow.next_appointment_at >= start,
                        DischargeRow.next_appointment_at < end,
                    )
                )
                if at is not None
            ]
            return today_lines(sessions, planned)

    def chart(self, patient_id: int) -> PatientChart:
        """The patient's whole record across courses, in one snapshot."""
        patient_id = fields.record_id("patient_id", patient_id, label="Patient")
        with self.db.transaction(write=False) as tx:
            return patient_chart(tx, patient_id)

    def report(self, mrn: str, tz: tzinfo | None = None) -> CourseReport:
        """The course report of the patient with this MRN (any case), in one snapshot."""
        with self.db.transaction(write=False) as tx:
            patient_id = tx.scalar(
                select(PatientRow.id).where(func.lower(PatientRow.mrn) == func.lower(mrn.strip()))
            )
            if patient_id is None:
                raise NotFound(f"No patient with MRN {mrn.strip()!r}")
            settings = load_settings(tx)
            return CourseReport(
                patient_chart(tx, patient_id),
                settings.clinic_name,
                settings.clinic_address,
                settings.clinic_phone,
                self.now(),
                tz or local_zone(),
            )

    @retried
    def set_plan(
        self,
        actor: Actor,
        patient_id: int,
        plan: PatientPlan,
        reason: str,
        *,
        version: int | None = None,
    ) -> PatientPlan:
        """A physician sets the patient's own series length and maintenance interval (None
        in a field: the clinic's setting), with a reason kept on the trail. `version`: the
        Patient.version the form loaded (StaleRecord when saved since elsewhere)."""
        clean_plan = plan.validated()
        clean = fields.reason(reason, missing="A reason is required to change the plan")
        patient_id = fields.record_id("patient_id", patient_id, label="Patient")
        with self.db.transaction(audit=self.audit(actor, clean)) as tx:
            acting_user(tx, actor, Permission.SIGN)  # the physician's decision
            row = require_version(tx, PatientRow, patient_id, version)
            if row is None:
                raise NotFound(f"Patient {patient_id} not found")
            row.plan_series_length = clean_plan.series_length
            low_high = clean_plan.interval_days
            row.plan_interval_min_days = low_high[0] if low_high else None
            row.plan_interval_max_days = low_high[1] if low_high else None
            tx.flush()
            return plan_of(row)

    @retried
    def close(self, actor: Actor, course_id: int, end: CourseEnd | str, reason: str) -> None:
        """Close a course (completed, stopped for non-response, stopped by the patient,
        other) with a reason; it leaves the Due list and the next check-in opens a new
        initial series."""
        try:
            kind = CourseEnd(end)
        except ValueError:
            known = ", ".join(e.value for e in CourseEnd)
            raise FieldError("end", f"A course ends as one of: {known}") from None
        clean = fields.reason(reason, missing="A reason is required to close a course")
        course_id = fields.record_id("course_id", course_id, label="Course")
        with self.db.transaction(audit=self.audit(actor, clean)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = tx.get(CourseRow, course_id, with_for_update=True)
            if row is None:
                raise NotFound(f"Course {course_id} not found")
            if row.ended_at is not None:
                who = user_names(tx).get(row.ended_by or "", row.ended_by or "")
                raise DomainError(f"This course was already closed by {who}")
            here = select(SessionRow.id).where(
                SessionRow.course_id == course_id, SessionRow.active_chair_id.is_not(None)
            )
            if tx.scalar(here) is not None:
                raise DomainError("A session of this course is in a chair now: discharge it first")
            row.ended_at, row.end_kind, row.end_reason = self.now(), kind.value, clean
            row.ended_by = actor.username
            tx.flush()
