"""The patient's course and the exports, as the board's controller opens them: the
Patients window (its page's plan, close, follow-up and correction), Today and Due, and
Export…. A mixin of BoardController (ketamon/ui/controller.py), kept apart so each reads
in one sitting; the windows and dialogs are imported when first opened (pyqtgraph)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtWidgets import QWidget

from ketamon.domain.actors import Actor
from ketamon.domain.chart import PatientChart
from ketamon.domain.users import Role
from ketamon.services.clinic import Clinic
from ketamon.ui.actions import UseCases
from ketamon.ui.timefmt import local_time

T = TypeVar("T")


class CourseScreens:
    """What BoardController provides to these screens (declared for the type checker)."""

    clinic: Clinic
    actor: Actor
    use_cases: UseCases
    parent_widget: QWidget | None
    patients_window: Any

    @property
    def roles(self) -> frozenset[Role]:
        raise NotImplementedError

    def _guard(self, call: Callable[[], T], *, quiet: bool = False) -> T | None:
        raise NotImplementedError

    def open_session(self, session_id: int, *, review: bool = False) -> object | None:
        raise NotImplementedError

    def _say(self, title: str, text: str, *, critical: bool = False, info: bool = False) -> None:
        raise NotImplementedError

    def show_patients(self, patient_id: int | None = None) -> None:
        """The Patients window (one per main window, raised when already open); with
        `patient_id`, that patient's page. Sessions open read-only from it."""
        from ketamon.ui.patients_window import PatientsHandlers, PatientsWindow  # pyqtgraph

        window = getattr(self, "patients_window", None)
        if window is None:
            courses = self.use_cases.courses
            physician = Role.PHYSICIAN in self.roles
            handlers = PatientsHandlers(
                search=self.clinic.patients.search,
                chart=self.clinic.courses.chart,
                open_session=lambda session_id: self.open_session(session_id, review=True),
                plan=(
                    (lambda chart: courses.ask_plan(self.patients_window, chart, initiator=self))
                    if physician
                    else None
                ),
                close_course=lambda chart, course: courses.ask_close(
                    self.patients_window, chart, course, initiator=self
                ),
                follow_up=self._follow_up,
                edit_patient=lambda chart: self.use_cases.correct_patient.ask(
                    self.patients_window, chart.patient, initiator=self
                ),
                course_report=self._save_course_report,
            )
            window = self.patients_window = PatientsWindow(self.parent_widget, handlers)
            screen = window.screen()
            area = screen.availableGeometry() if screen is not None else None
            # 1280 x 820, or the screen when smaller (1366 x 768: the escorts line in sight)
            window.resize(
                min(1280, area.width()) if area else 1280,
                min(820, area.height()) if area else 820,
            )
            # Locking closes and deletes it (no patient's name stays in the widget tree).
            window.destroyed.connect(lambda: setattr(self, "patients_window", None))
        window.show()
        window.raise_()
        window.activateWindow()
        if patient_id is not None:
            window.show_patient(patient_id)

    def _save_course_report(self, chart: PatientChart) -> object | None:
        """The course report for the referring clinician, as a PDF where the user chooses
        (what `ketamon course-report MRN --pdf FILE` writes)."""
        from ketamon.reports.course_pdf import write_course_pdf
        from ketamon.reports.pdf import ReportError
        from ketamon.ui.file_dialogs import SaveFileDialog
        from ketamon.ui.printing import default_paper

        parent = getattr(self, "patients_window", None) or self.parent_widget
        report = self._guard(lambda: self.clinic.courses.report(chart.patient.mrn))
        if report is None:
            return None
        suggested = Path.home() / f"course-report-{chart.patient.mrn}.pdf"
        path = SaveFileDialog.ask(
            parent, "Save the course report as PDF", suggested, "PDF (*.pdf)", ".pdf"
        )
        if path is None:
            return None
        try:
            pages = write_course_pdf(report, path, default_paper())
        except ReportError as error:
            self._say("Course report not saved", str(error), critical=True)
            return None
        self._say(
            "Course report saved",
            f"Saved {path} ({pages} page{'s' if pages != 1 else ''})",
            info=True,
        )
        return path

    def _follow_up(self, chart: PatientChart) -> bool:
        """The clinic's questionnaires at a visit without an infusion, one after the other
        (Esc stops); a positive PHQ-9 item 9 goes to the clinician's review at once."""
        parent = getattr(self, "patients_window", None) or self.parent_widget
        saved = False
        for instrument in self.use_cases.outcomes.instruments():
            stored = self.use_cases.courses.ask_visit(parent, chart, instrument, initiator=self)
            if stored is None:
                break
            saved = True
            if stored.needs_review:
                name = chart.patient.full_name
                self.use_cases.outcomes.ask_review(parent, stored, name, initiator=self)
                break
        return saved

    def show_due(self) -> None:
        """Who is due for an infusion; Enter on a row opens the patient's page."""
        from ketamon.ui.dialogs.due import DueDialog, DueHandlers

        handlers = DueHandlers(due=self.clinic.courses.due, today=self.clinic.courses.today)
        chosen = self._guard(lambda: DueDialog.ask(self.parent_widget, handlers))
        if chosen is not None:
            self.show_patients(chosen)

    def show_export(self) -> str | None:
        """Export… (physicians and administrators; the service checks): CSV files, the
        controlled-substance log or a FHIR bundle, in a worker thread, audited."""
        from ketamon.ui.dialogs.export import ExportDialog, ExportHandlers
        from ketamon.ui.exporting import run_export

        clinic, actor = self.clinic, self.actor
        handlers = ExportHandlers(
            run=lambda request, progress: run_export(clinic, actor, request, progress),
            today=lambda: clinic.clock().astimezone().date(),
            earlier=lambda: self._earlier_exports(),
        )
        return self._guard(lambda: ExportDialog.ask(self.parent_widget, handlers))

    def _earlier_exports(self) -> list[str]:
        names = {u.username: u.display_name for u in self.clinic.users.all()}
        return [
            f"{local_time(e.at, with_date=True)} · {names.get(e.actor, e.actor)} · {e.new_value}"
            for e in self.clinic.audit.exports(5)
        ]
