"""The patient's course across visits: the chart (ketamon.domain.chart) and who is due
for an infusion (ketamon.domain.due)."""

from __future__ import annotations

from datetime import tzinfo

from ketamon.domain import fields
from ketamon.domain.chart import PatientChart
from ketamon.domain.due import CoursePlan, DueItem, due_list
from ketamon.services.base import Service
from ketamon.services.summary import local_zone
from ketamon.storage.reads.chart import patient_chart
from ketamon.storage.reads.courses import course_states
from ketamon.storage.reads.settings import load_settings


class CourseService(Service):
    def due(self, tz: tzinfo | None = None) -> list[DueItem]:
        """Everyone overdue, with an interrupted series, or due this week, most urgent
        first, each with why; dates in the clinic's zone (`tz`; None: this computer's)."""
        zone = tz or local_zone()
        with self.db.transaction(write=False) as tx:
            settings = load_settings(tx)
            plan = CoursePlan(settings.series_max_gap_days, settings.maintenance_interval_days)
            return due_list(course_states(tx, zone), plan, self.now().astimezone(zone).date())

    def chart(self, patient_id: int) -> PatientChart:
        """The patient's whole record across courses, in one snapshot."""
        patient_id = fields.record_id("patient_id", patient_id, label="Patient")
        with self.db.transaction(write=False) as tx:
            return patient_chart(tx, patient_id)
