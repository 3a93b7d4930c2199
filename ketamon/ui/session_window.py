"""The session window ("Open session" on a tile): header, vitals chart and table, timeline,
audit history. Modeless, one per session; the board keeps running behind it.

It refreshes itself after what it records (it starts those changes: it is their initiator),
and after every other change that touches its session or its patient (a vitals set saved
from the tile: the vitals and chart only). A lock closes and deletes it like any dialog.
"""

from __future__ import annotations

import weakref
from bisect import insort
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.actors import Actor
from ketamon.domain.board import SessionSnapshot, session_dose_line
from ketamon.domain.changes import Change, Kind
from ketamon.domain.dose import DoseRecord
from ketamon.domain.patients import Patient
from ketamon.domain.record import Marker
from ketamon.domain.review import Addendum, Signature
from ketamon.domain.side_effects import SideEffect
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.vitals import VitalsSet
from ketamon.services.clinic import Clinic
from ketamon.ui.actions import UseCases
from ketamon.ui.banner import ConnectionBanner
from ketamon.ui.buttons import add_buttons
from ketamon.ui.connection import ConnectionWatch
from ketamon.ui.dialogs.history import HistoryTree
from ketamon.ui.dialogs.infusion import InterventionsPage
from ketamon.ui.dialogs.kit import guard, guarded
from ketamon.ui.dialogs.patient_form import allergy_html, weight_text
from ketamon.ui.dialogs.physician_decision import (
    PhysicianDecisionDialog,
    awaiting_decision,
    effect_words,
)
from ketamon.ui.dialogs.reason import ReasonDialog
from ketamon.ui.dialogs.timeline import TimelineTable
from ketamon.ui.dialogs.vitals_correct import VOID_REASONS, CorrectVitalsDialog
from ketamon.ui.file_dialogs import SaveFileDialog
from ketamon.ui.help import install_help, window_page
from ketamon.ui.lifetime import alive
from ketamon.ui.review.actions import SignActions, ask_addendum, ask_sign, verdict_html
from ketamon.ui.steady_label import TickLabel
from ketamon.ui.timefmt import local_time
from ketamon.ui.vitals_chart import VitalsChart
from ketamon.ui.vitals_entry import VitalsEntryDialog
from ketamon.ui.vitals_table import VitalsTableModel, VitalsTableView

_open: weakref.WeakSet[SessionWindow] = weakref.WeakSet()


def open_windows() -> list[SessionWindow]:
    return [w for w in list(_open) if alive(w)]


class SessionWindow(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        clinic: Clinic,
        actor: Actor,
        session: SessionSnapshot,
    ) -> None:
        super().__init__(parent)
        self.clinic, self.actor, self.session = clinic, actor, session
        self.session_id = session.id
        self.changes: SignalInstance | None = None  # every committed change (show_for)
        # Signing and addenda (set by show_for); read_only: opened from the review list.
        self.signing: SignActions | None = None
        self.reviewed = ""  # the digest of the record as last read here (signing gives it)
        self.read_only = False
        self.signature: Signature | None = None  # read by refresh
        self.addenda: list[Addendum] = []
        self.names: dict[str, str] = {}  # username -> display name, read by refresh(full)
        self.sets: list[VitalsSet] = []
        self.effects: list[SideEffect] = []  # read by refresh: the decision action needs them
        self.patient: Patient | None = None  # read by refresh(full): allergies, weight
        self.dose: DoseRecord | None = None  # read by refresh: the plan, the weight of the day
        # The use cases of the signed-in actor (set by show_for; the controller's).
        self.use_cases = UseCases(clinic, actor)
        self.setWindowTitle(f"Session: {session.patient_name} ({session.chair_name})")
        self.setMinimumSize(1100, 720)
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        # 1480 x 960, or the screen when smaller (1366 x 768: the bottom buttons in sight)
        self.resize(
            min(1480, screen.width()) if screen else 1480,
            min(960, screen.height()) if screen else 960,
        )
        # Rewritten after every vitals save (the count of sets): a TickLabel, so that the
        # window is laid out again only when the header's height changes (issue 19).
        self.header = TickLabel("sessionHeader")
        self.header.setAutoFillBackground(False)  # the window's own background shows
        self.header.label.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)  # a long allergy list wraps, the window stays on screen
        self.dose_line = QLabel()  # the plan, or in words that there is none
        self.dose_line.setObjectName("sessionDose")
        self.dose_line.setWordWrap(True)
        self.chart = VitalsChart()
        self.model = VitalsTableModel(self)
        self.table = VitalsTableView(self.model)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.timeline = TimelineTable()  # filled by refresh: events, side effects, medications
        self.markers: list[Marker] = []
        self.history = HistoryTree(())
        self.message = QLabel("")
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        self.tabs = QTabWidget()
        self.tabs.addTab(self._vitals_page(), "Vitals")
        self.tabs.addTab(self.timeline, "Timeline")
        self.tabs.addTab(self.history, "History")
        self.tabs.setTabToolTip(
            2, "The audit trail: every change to this session, who made it, old and new values"
        )
        self.interventions = InterventionsPage(self)  # medications, pause/rate/stop, dose
        self.tabs.addTab(self.interventions, "Interventions")
        # The whole record as the summary prints it (checklist, escort, dose, signature),
        # read-only; built when the tab is shown.
        self.record_view = QTextBrowser()
        self.record_view.setObjectName("sessionRecord")
        self.tabs.addTab(self.record_view, "Record")
        self.tabs.setTabToolTip(
            self.tabs.count() - 1,
            "Everything recorded, read-only: dose, vitals, side effects, medications, "
            "discharge checklist, escort, signature",
        )
        self.tabs.currentChanged.connect(lambda _i: self._show_record())
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        # Set by the controller (show_for): the discharge checklist and the summary.
        self.discharge_handler: Callable[[int, str], str | None] | None = None
        self.print_handler: Callable[[int], None] | None = None
        self.pdf_handler: Callable[[int], None] | None = None
        self.review_banner = QLabel(review_band(signed=False, may_sign=True))
        self.review_banner.setObjectName("reviewBanner")
        self.review_banner.hide()
        self.connection_banner: ConnectionBanner | None = None  # set by show_for
        bottom = QHBoxLayout()
        specs = (
            ("Sign…", "Sign this session (your password is asked again)", self.sign),
            ("Add addendum…", "Add to the signed record (text and reason)", self.add_addendum),
            (
                "Edit patient details…",
                "Correct the name, date of birth, weight, allergies or SpO2 scale 2 "
                "(a reason is required; the old values stay in History)",
                self.edit_patient,
            ),
            ("Discharge…", "The discharge checklist (escort, criteria, PADSS)", self.discharge),
            ("Print summary…", "Print the discharge summary (print preview)", self.print_summary),
            ("Save summary as PDF…", "Save the discharge summary as a PDF file", self.save_pdf),
        )
        add_buttons(bottom, specs, self.buttons)
        self.buttons["Sign…"].setObjectName("signButton")
        bottom.addStretch(1)
        bottom.addWidget(close)
        self.signature_label = QLabel("")
        self.signature_label.setObjectName("signatureLine")
        self.signature_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.dose_line)
        layout.addWidget(self.review_banner)
        layout.addWidget(self.signature_label)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.finished.connect(self.deleteLater)  # closed: no patient data left in the tree
        _open.add(self)
        self.help_action = install_help(
            self, lambda: window_page(f"Session: {self.windowTitle()}", self)
        )
        self.refresh(full=True)

    def _vitals_page(self) -> QWidget:
        row = QHBoxLayout()
        specs = (
            ("Record vitals…", "Enter a new vitals set for this session", self.record_vitals),
            ("Side effects…", "Tick, grade and resolve side effects (E)", self.side_effects),
            (
                "Physician's decision…",
                "A physician documents the decision on a SEVERE side effect still open "
                "(their username and password)",
                self.physician_decision,
            ),
            ("Correct…", "Correct the selected set (a reason is required)", self.correct),
            ("Void…", "Void the selected set (a reason is required)", self.void),
            ("Save chart as PNG…", "Save the chart as an image", self.save_chart),
        )
        add_buttons(row, specs, self.buttons)
        row.addWidget(self.message, 1)
        below = QWidget()
        column = QVBoxLayout(below)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table, 1)
        column.addLayout(row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(below)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        return splitter

    # -- entry points ----------------------------------------------------------------------
    @classmethod
    def show_for(
        cls,
        parent: QWidget | None,
        clinic: Clinic,
        actor: Actor,
        session_id: int,
        changed: SignalInstance | None = None,
        *,
        use_cases: UseCases | None = None,
        discharge: Callable[[int, str], str | None] | None = None,
        print_summary: Callable[[int], None] | None = None,
        save_pdf: Callable[[int], None] | None = None,
        signing: SignActions | None = None,
        read_only: bool = False,
        connection: ConnectionWatch | None = None,
    ) -> SessionWindow:
        """Open (or bring forward) the window for a session. Raises DomainError/StorageError.

        `signing`: Sign… (read_only windows, physicians) and Add addendum… (signed sessions).
        `read_only`: the physician's review: nothing can be recorded or changed.
        `changed`: the signal of every committed change (the controller's).
        `connection`: the banner across the top follows it (the database cannot be reached)."""
        cases = use_cases if use_cases is not None else UseCases(clinic, actor)
        for window in open_windows():
            if window.session_id == session_id and window.clinic is clinic:
                window.actor, window.use_cases = actor, cases
                window.signing, window.read_only = signing, read_only
                window.refresh(full=True)
                window.show()
                window.raise_()
                window.activateWindow()
                return window
        window = cls(parent, clinic, actor, clinic.sessions.get(session_id))
        window.use_cases = cases
        window.discharge_handler = discharge
        window.print_handler = print_summary
        window.pdf_handler = save_pdf
        window.signing, window.read_only = signing, read_only
        window._read_digest()  # the constructor's read came before the signing actions
        window.interventions.refresh()
        window._update_buttons()
        window.changes = changed
        if changed is not None:
            changed.connect(window.on_change)
        if connection is not None:
            window.connection_banner = ConnectionBanner(connection, on_server=clinic.on_server)
            connection.restored.connect(window._reconnected)
            layout = window.layout()
            if isinstance(layout, QVBoxLayout):
                layout.insertWidget(0, window.connection_banner)
        window.show()
        return window

    # -- refreshing ------------------------------------------------------------------------
    def refresh(self, *, full: bool = False) -> None:
        """Re-read the session's vitals, timeline and chart markers (and with full=True its
        events, history and the clinic's bands)."""
        with guard(shown_in(self.message, "Could not refresh: ")) as refused:
            if full:
                self.session = self.clinic.sessions.get(self.session_id)
                self.patient = self.clinic.patients.get(self.session.patient_id)
                self.history.set_entries(self.clinic.audit.session_history(self.session_id))
                # The thresholds an admin set, SpO2 on scale 2 for a patient on it.
                self.bands = self.clinic.vitals.bands(self.session_id)
                self.names = self.clinic.users.names()  # who did what, by name
                self.timeline.names = self.names
            self.sets = self.clinic.vitals.for_session(self.session_id)
            self.effects = self.clinic.side_effects.for_session(self.session_id)
            timeline = self.clinic.record.timeline(self.session_id)
            self.markers = self.clinic.record.markers(self.session_id)
            self.signature = self.clinic.review.signature(self.session_id)
            self.addenda = self.clinic.review.addenda(self.session_id)
            self.dose = self.clinic.dose.get(self.session_id)
            self._read_digest()
        if refused:
            return
        self._show_header()
        self._show_dose()
        self._show_signature()
        self._show_record()
        self.interventions.refresh()  # after the signature is known: a signed record is locked
        self.timeline.set_entries(timeline)
        self.chart.show_data(
            self.sets,
            self.session.events,
            self.bands,
            target_minutes=self.session.target_minutes,
            markers=self.markers,
        )
        rows = self.model.rowCount()
        self.model.set_sets(self.sets)
        if full:
            self.table.resizeColumnsToContents()
        if self.model.rowCount() > rows:
            self.table.scrollToBottom()  # the newest set in view
        self._update_buttons()

    def refresh_vitals(self, saved: VitalsSet | None = None) -> None:
        """After a vitals set is saved: the chart and table are updated (the timeline,
        markers, interventions and signature cannot have changed). The set this window just
        saved is put in its place among the sets it holds; otherwise the sets are re-read."""
        if saved is not None and saved.corrects_id is None and saved.session_id == self.session_id:
            self.sets = list(self.sets)
            insort(self.sets, saved, key=lambda v: (v.taken_at, v.id))  # as list() orders
        else:
            sets = guarded(
                shown_in(self.message, "Could not refresh: "),
                lambda: self.clinic.vitals.for_session(self.session_id),
            )
            if sets is None:
                return
            self.sets = sets
        # A physician's window that shows a set from elsewhere signs what it now shows (a
        # failed read keeps the old digest: signing is then refused, never wrongly made).
        with guard(shown_in(self.message, "Could not refresh: ")):
            self._read_digest()
        self._show_header()
        self.chart.show_data(
            self.sets,
            self.session.events,
            self.bands,
            target_minutes=self.session.target_minutes,
            markers=self.markers,
        )
        rows = self.model.rowCount()
        self.model.set_sets(self.sets)
        if self.model.rowCount() > rows:
            self.table.scrollToBottom()
        self._update_buttons()

    def _reconnected(self) -> None:
        """The database answers again: what was stored meanwhile is read."""
        if alive(self):
            self.refresh(full=True)

    def on_change(self, change: Change) -> None:
        """A committed change: refreshed only if it touches this session or its patient,
        only what it touches, and never when this window started it (it shows it)."""
        if not alive(self) or change.started_by(self):
            return
        patient = self.patient.id if self.patient is not None else self.session.patient_id
        if not change.touches(self.session_id) and patient not in change.patients:
            return
        if change.kinds == {Kind.VITALS} and change.sessions == {self.session_id}:
            self.refresh_vitals()  # a set saved from the tile: one read
        else:
            self.refresh(full=True)

    @contextmanager
    def acting(self) -> Iterator[None]:
        """What is recorded inside is one action started by this window: published once
        when it ends, and not refreshed again here (the window refreshes itself)."""
        with self.use_cases.initiated_by(self):
            yield

    def _show_header(self) -> None:
        s = self.session
        state = "Paused" if s.paused else s.phase.label
        times = s.times
        started = f"started {local_time(times.started_at)}" if times.started_at else "not started"
        current = sum(
            1 for v in self.sets if v.status == RecordStatus.CURRENT and not v.scores_only
        )
        scores = sum(1 for v in self.sets if v.status == RecordStatus.CURRENT and v.scores_only)
        extra = f" + {scores} score entr{'ies' if scores != 1 else 'y'}" if scores else ""
        self.header.setText(
            f"<span style='font-size:22px'><b>{escape(s.patient_name)}</b></span> &nbsp; "
            f"<span style='font-size:17px'>MRN {escape(s.mrn)} · {s.chair_name} · "
            f"{s.course_label} · <b>{state}</b> · target {s.target_minutes} min · infusion "
            f"{started} · {current} vitals set{'s' if current != 1 else ''}{extra}</span>"
            + self._patient_line()
        )

    def _patient_line(self) -> str:
        """Second header line: allergy status, the weight of the day, SpO2 scale 2."""
        p = self.patient
        if p is None:
            return ""
        parts = [allergy_html(p), weight_text(self.dose, p)]
        if p.spo2_scale2:
            parts.append("<b>SpO2 scale 2</b> (NEWS2 target 88–92 %)")
        return "<br><span style='font-size:17px'>" + " · ".join(parts) + "</span>"

    def _show_dose(self) -> None:
        """The dose plan under the header (a label of its own), or that there is none."""
        text, state = session_dose_line(self.session, self.dose)
        self.dose_line.setText(text)
        self.dose_line.setProperty("dose", state.value)
        self.dose_line.style().unpolish(self.dose_line)
        self.dose_line.style().polish(self.dose_line)

    def _show_signature(self) -> None:
        """The signature manifestation (21 CFR 11.50) and the addenda, or nothing yet."""
        signature = self.signature
        if signature is None:
            self.signature_label.setText("")
            self.signature_label.hide()
            return
        lines = [f"<b>{escape(signature.manifestation())}</b>", verdict_html(signature)]
        corrected = getattr(signature, "corrected_after", ())
        if corrected:
            lines.append(
                "<b>Patient details corrected after signing</b> (the signature covers them "
                "as they were when signed): " + "; ".join(escape(c.text()) for c in corrected)
            )
        for a in self.addenda:
            lines.append(
                f"Addendum after signing — {escape(local_time(a.at, with_date=True))}, "
                f"{escape(a.author_name)} ({escape(a.reason)}): {escape(a.text)}"
            )
            if a.verdict:
                lines.append(verdict_html(a))
        self.signature_label.setText("<br>".join(lines))
        self.signature_label.show()

    def _show_record(self) -> None:
        if self.tabs.currentWidget() is not self.record_view:
            return  # built only when looked at: refreshing the vitals stays quick
        from ketamon.reports.summary_html import build_html

        snapshot = guarded(
            lambda error: self.record_view.setPlainText(f"Could not read the record: {error}"),
            lambda: self.clinic.summary.snapshot(self.session_id),
        )
        if snapshot is None:
            return
        self.record_view.setHtml(build_html(snapshot, chart=False, patient_page=False))

    @property
    def signed(self) -> bool:
        return self.signature is not None

    @property
    def locked(self) -> bool:
        """Nothing can be recorded or changed: signed, or opened for the physician's review."""
        return self.signed or self.read_only

    # -- signing and addenda ---------------------------------------------------------------
    def _read_digest(self) -> None:
        """For a physician who may sign: the digest of the record as just read (signing
        gives it back, and a record changed since is refused)."""
        signing = self.signing
        if signing is not None and signing.may_sign and self.signature is None:
            self.reviewed = signing.digest(self.session_id)
            signing.remember_read(self.session_id, self.reviewed)

    def sign(self) -> object | None:
        if self.signing is None or self.signed:
            return None
        title = f"{self.session.patient_name} · MRN {self.session.mrn}"
        with self.acting():
            signature = ask_sign(
                self,
                self.signing,
                self.session_id,
                title,
                self.reviewed,
                lambda: self.refresh(full=True),
            )
        if signature is not None:
            self.refresh(full=True)
        return signature

    def add_addendum(self) -> object | None:
        if self.signing is None or not self.signed:
            return None
        title = f"{self.session.patient_name} · MRN {self.session.mrn}"
        with self.acting():
            addendum = ask_addendum(self, self.signing, self.session_id, title)
        if addendum is not None:
            self.refresh(full=True)
        return addendum

    # -- discharge and the summary ---------------------------------------------------------
    def discharge(self) -> object:
        if self.discharge_handler is None:
            return None
        title = f"{self.session.patient_name} ({self.session.chair_name})"
        with self.acting():
            outcome = self.discharge_handler(self.session_id, title)
        self.refresh(full=True)
        return outcome

    def edit_patient(self) -> Patient | None:
        """Correct the patient's details (a reason is required); the header, History and
        the board follow."""
        if self.patient is None or self.read_only:
            return None
        with self.acting():
            corrected = self.use_cases.correct_patient.ask(self, self.patient, initiator=self)
        if corrected is not None:
            self.refresh(full=True)
        return corrected

    def print_summary(self) -> object:
        return self.print_handler(self.session_id) if self.print_handler else None

    def save_pdf(self) -> object:
        return self.pdf_handler(self.session_id) if self.pdf_handler else None

    # -- entry -----------------------------------------------------------------------------
    def record_vitals(self) -> int:
        """The board's entry popup (the same use case as on the tile); the chart and table
        update as each set is saved."""
        case = self.use_cases.record_vitals
        handlers = guarded(
            shown_in(self.message),
            lambda: case.handlers(self.session_id, self, self.refresh_vitals),
        )
        if handlers is None:
            return 0
        title = f"{self.session.chair_name} · {self.session.patient_name}"
        return VitalsEntryDialog.ask(self, title, handlers)

    def side_effects(self) -> int:
        """The side effects list (as on the tile); the board follows each change."""
        from ketamon.ui.dialogs.side_effects import SideEffectsDialog

        handlers = self.use_cases.side_effects.handlers(self.session_id, self, self.changes)
        title = f"{self.session.chair_name} · {self.session.patient_name}"
        changes = SideEffectsDialog.ask(self, title, handlers)
        if changes:
            self.refresh(full=True)
        return changes

    def physician_decision(self) -> SideEffect | None:
        """A physician's decision on a SEVERE side effect still open (it lets the patient be
        discharged with it); the physician types their own username and password."""
        waiting = awaiting_decision(self.effects)
        if not waiting or self.locked or not self.session.phase.active:
            return None
        title = f"{self.session.patient_name} · MRN {self.session.mrn}"
        with self.acting():
            recorded = PhysicianDecisionDialog.ask(
                self,
                title,
                waiting,
                lambda effect_id, text, username, password: (
                    self.use_cases.physician_decision.record(
                        effect_id, text, username, password, initiator=self
                    )
                ),
            )
        if recorded is not None:
            self.message.setText(
                f"Physician's decision recorded on {recorded.display_name} "
                f"by {self.names.get(recorded.physician_decision_by or '', '')}"
            )
            self.changed()
        return recorded

    def changed(self) -> None:
        """An intervention was recorded here: this window shows it (the board follows the
        change when the action ends)."""
        self.refresh(full=True)

    # -- corrections -----------------------------------------------------------------------
    def _update_buttons(self, *_args) -> None:
        # A signed session is locked: nothing can be recorded or changed (addenda only);
        # so is any session opened for the physician's review.
        live = self.session.phase.active
        read_only, signing = self.read_only, self.signing
        self.review_banner.setVisible(read_only)
        may_sign = signing is not None and signing.may_sign
        self.review_banner.setText(
            review_band(signed=self.signed, may_sign=may_sign, can_add=signing is not None)
        )
        for text in ("Record vitals…", "Side effects…"):
            self.buttons[text].setEnabled(not self.locked)
        waiting = awaiting_decision(self.effects)
        decision = self.buttons["Physician's decision…"]
        decision.setVisible(bool(waiting) and live and not self.locked)
        decision.setToolTip(
            "A physician documents the decision on: " + "; ".join(effect_words(e) for e in waiting)
            if waiting
            else ""
        )
        self.buttons["Sign…"].setVisible(
            read_only and signing is not None and signing.may_sign and not self.signed
        )
        self.buttons["Sign…"].setEnabled(not self.signed and not live)
        self.buttons["Add addendum…"].setVisible(self.signed and signing is not None)
        self.buttons["Discharge…"].setEnabled(
            live
            and not read_only
            and self.session.times.ended_at is not None
            and self.discharge_handler is not None
        )
        self.buttons["Edit patient details…"].setEnabled(not read_only)
        self.buttons["Print summary…"].setEnabled(self.print_handler is not None)
        self.buttons["Save summary as PDF…"].setEnabled(self.pdf_handler is not None)
        selected = self.table.selected_set()
        editable = (
            selected is not None and selected.status == RecordStatus.CURRENT and not self.locked
        )
        self.buttons["Correct…"].setEnabled(editable)
        self.buttons["Void…"].setEnabled(editable)

    def correct(self) -> VitalsSet | None:
        original = self.table.selected_set()
        if original is None or original.status != RecordStatus.CURRENT:
            return None
        with self.acting():
            saved = CorrectVitalsDialog.ask(
                self,
                original,
                lambda draft, reason: self.use_cases.correct_vitals.correct(
                    original.id, draft, reason, initiator=self
                ),
            )
        if saved is None:
            return None
        self.message.setText("")
        self._after_change(saved.id)
        return saved

    def void(self) -> VitalsSet | None:
        target = self.table.selected_set()
        if target is None or target.status != RecordStatus.CURRENT:
            return None
        reason = ReasonDialog.ask(
            self,
            "Void vitals set",
            f"Why is the set taken at {local_time(target.taken_at)} being voided? "
            "It stays in the record, struck through.",
            VOID_REASONS,
        )
        if not reason:
            return None
        case = self.use_cases.correct_vitals
        voided = guarded(
            shown_in(self.message), lambda: case.void(target.id, reason, initiator=self)
        )
        if voided is None:
            return None
        self.message.setText("")
        self._after_change(voided.id)
        return voided

    def _after_change(self, select_id: int) -> None:
        self.refresh(full=True)
        row = next((i for i, s in enumerate(self.model.sets) if s.id == select_id), None)
        if row is not None:
            self.table.selectRow(row)

    # -- export ----------------------------------------------------------------------------
    def save_chart(self) -> Path | None:
        path = ask_png_path(self, f"vitals-{self.session.mrn}-{self.session_id}.png")
        if not path:
            return None
        return self.export_png(path)

    def export_png(self, path: str | Path, width: int = 1600, height: int = 900) -> Path | None:
        try:
            return self.chart.render_png(path, width, height)
        except OSError as error:
            self.message.setText(str(error))
            return None


def shown_in(label: QLabel, prefix: str = "") -> Callable[[Exception], None]:
    """A refusal shown as the text of `label` (after `prefix`)."""
    return lambda error: label.setText(f"{prefix}{error}")


def review_band(*, signed: bool, may_sign: bool, can_add: bool = False) -> str:
    """The band over a session opened for review: the next step, or that it is done."""
    if signed:
        more = " Add addendum… (bottom left) adds to it." if can_add else ""
        return f"SIGNED · READ-ONLY: the signature is below; nothing in it can be changed.{more}"
    step = " Read it, then Sign… (bottom left)." if may_sign else ""
    return f"PHYSICIAN REVIEW · READ-ONLY: nothing in this record can be changed here.{step}"


def ask_png_path(parent: QWidget | None, suggested: str) -> str:
    """Where to save the chart ("" when cancelled); tests replace this."""
    path = SaveFileDialog.ask(
        parent, "Save chart as PNG", Path.home() / suggested, "PNG (*.png)", ".png"
    )
    return "" if path is None else str(path)
