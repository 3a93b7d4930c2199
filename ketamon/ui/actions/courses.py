"""A patient's course from their page: the physician's plan, closing a course, and a
follow-up questionnaire at a visit without an infusion."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ketamon.domain.chart import CourseLine, PatientChart
from ketamon.domain.courses import CourseEnd, PatientPlan
from ketamon.domain.instruments import Instrument
from ketamon.domain.outcomes import OutcomeRecord
from ketamon.ui.actions.base import UseCase
from ketamon.ui.dialogs.course_plan import CloseCourseDialog, PlanDialog
from ketamon.ui.dialogs.questionnaire import QuestionnaireDialog


class Courses(UseCase):
    def ask_plan(
        self, parent: QWidget | None, chart: PatientChart, *, initiator: object | None = None
    ) -> PatientPlan | None:
        """The plan dialog for this patient (the physician's decision: the service checks
        the role); the stored plan, or None."""
        settings = self.clinic.settings.get()
        patient = chart.patient

        def save(plan: PatientPlan, reason: str) -> PatientPlan:
            return self.act(
                initiator,
                lambda: self.clinic.courses.set_plan(
                    self.actor, patient.id, plan, reason, version=patient.version
                ),
            )

        result: PatientPlan | None = PlanDialog.ask(
            parent,
            patient.full_name,
            chart.plan,
            settings.initial_course_length,
            settings.maintenance_interval_days,
            save,
        )
        return result

    def ask_close(
        self,
        parent: QWidget | None,
        chart: PatientChart,
        course: CourseLine,
        *,
        initiator: object | None = None,
    ) -> bool:
        """Close `course` with why it ended and a reason; whether it was closed."""

        def close(end: CourseEnd, reason: str) -> bool:
            self.act(
                initiator, lambda: self.clinic.courses.close(self.actor, course.id, end, reason)
            )
            return True

        done = CloseCourseDialog.ask(parent, chart.patient.full_name, course.label, close)
        return bool(done)

    def ask_visit(
        self,
        parent: QWidget | None,
        chart: PatientChart,
        instrument: Instrument,
        *,
        initiator: object | None = None,
    ) -> OutcomeRecord | None:
        """A questionnaire at a follow-up visit (no infusion today); the stored record."""
        patient_id = chart.patient.id

        def submit(answers: list[int], self_completed: bool) -> OutcomeRecord:
            return self.act(
                initiator,
                lambda: self.clinic.outcomes.record_visit(
                    self.actor, patient_id, instrument, answers, self_completed=self_completed
                ),
            )

        result: OutcomeRecord | None = QuestionnaireDialog.ask(
            parent, instrument, chart.patient.full_name, submit
        )
        return result
