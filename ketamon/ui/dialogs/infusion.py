"""Infusion actions from the session window: pause, resume, rate change, stop (a reason when
early), medications given and the dose record.

The pause here is the same pause the chair tile shows (the same session events); after
each action the session window and the board refresh.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.board import SessionSnapshot
from ketamon.domain.dose import fmt
from ketamon.domain.errors import DomainError, StorageError
from ketamon.domain.interventions import VOID_REASONS, parse_dose
from ketamon.domain.sessions import EventKind, Phase, is_early_stop, validate_rate
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.timers import format_duration
from ketamon.ui.buttons import add_buttons
from ketamon.ui.dialogs.dose_record import ask_for_session
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard, guarded
from ketamon.ui.dialogs.messages import Confirm
from ketamon.ui.dialogs.reason import PAUSE_REASONS, ReasonDialog

RATE_REASONS = (
    "Nausea: rate reduced",
    "Elevated blood pressure: rate reduced",
    "Dissociation too strong: rate reduced",
    "Physician order",
    "Pump restarted after a line problem",
)
EARLY_STOP_REASONS = (
    "Patient request",
    "Elevated blood pressure",
    "Nausea / vomiting",
    "Anxiety / dysphoria",
    "IV line problem",
    "Physician order",
)


def current_rate(session: SessionSnapshot) -> float | None:
    """The last rate set by a rate change, if any."""
    rates = [e.rate_ml_h for e in session.events if e.kind is EventKind.RATE_CHANGE]
    return rates[-1] if rates else None


def ask_stop(parent: QWidget | None, session: SessionSnapshot, now: datetime) -> str | None:
    """Before the target: a required reason (None if cancelled). At or after it: a plain
    confirmation, "" to stop, None to go back."""
    elapsed = session.times.infusion_elapsed(now)
    at = f"{format_duration(elapsed)} of {session.target_minutes:02d}:00"
    if is_early_stop(elapsed, session.target_minutes):
        return ReasonDialog.ask(
            parent,
            "Stop infusion early",
            f"The infusion for {session.patient_name} is at {at}, before its target. "
            "Why is it being stopped early?",
            EARLY_STOP_REASONS,
        )
    text = f"Stop the infusion for {session.patient_name} now, at {at}?"
    return "" if Confirm.ask(parent, "Stop infusion", text, "Stop infusion") else None


class RateChangeDialog(KitDialog):
    """A new pump rate in mL/h with its reason (both required)."""

    def __init__(
        self, parent: QWidget | None, title: str, info: str, submit: Callable[[float, str], object]
    ) -> None:
        super().__init__(parent)
        self.setProperty("large", True)  # QSS: 16px text (set before any child is polished)
        self.submit = submit
        self.saved: object | None = None
        self.setWindowTitle(f"Rate change · {title}")
        self.setMinimumWidth(560)
        self.errors = FieldErrors()
        self.rate = QLineEdit()
        self.rate.setPlaceholderText("e.g. 4.5")
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(RATE_REASONS)
        self.reason.setCurrentIndex(-1)
        self.reason.lineEdit().setPlaceholderText("Type or choose a reason")
        form = QFormLayout()
        form.addRow("New rate (mL/h)", self.rate)
        form.addRow("", self.errors.label("rate_ml_h", self.rate))
        form.addRow("Reason (required)", self.reason)
        form.addRow("", self.errors.label("reason", self.reason))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        about = QLabel(info)
        about.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.errors.message)
        layout.addWidget(self.buttons)

    def save(self) -> bool:
        self.errors.clear()
        reason = self.reason.currentText().strip()
        rate = parse_dose(self.rate.text())
        with guard(self.errors) as refused:
            rate = validate_rate(rate)  # the field's message with its range
            if not reason:
                self.errors.show("reason", "A reason is required to change the infusion rate")
                return False
            self.saved = self.submit(rate, reason)  # type: ignore[arg-type]
        if refused:
            return False
        self.accept()
        return True

    def answer(self) -> object | None:
        """The saved rate change, or None if cancelled."""
        return self.saved


class InterventionsPage(QWidget):
    """The session window's "Interventions" tab. `host` is the SessionWindow: its clinic,
    actor, session and refresh; `changed()` refreshes the window and the board."""

    def __init__(self, host) -> None:  # noqa: ANN001
        super().__init__()
        self.setObjectName("interventionsPage")  # QSS: 16px labels, buttons and the list
        self.host = host
        self.buttons: dict[str, QPushButton] = {}
        self.medications: list = []
        self.effects: dict[int, str] = {}
        self.current_effects: list[tuple[int, str]] = []  # what a medication may treat
        row = QHBoxLayout()
        specs = (
            ("Give medication…", "Record a medication given", self.give_medication),
            ("Pause…", "Pause the infusion (a reason is required)", self.pause),
            ("Resume", "Resume the paused infusion", self.resume),
            ("Rate change…", "Record a new pump rate in mL/h, with a reason", self.rate_change),
            ("Stop infusion…", "Stop the infusion (a reason when early)", self.stop),
            ("Dose record…", "The ketamine plan, given, wasted and its witness", self.dose),
        )
        add_buttons(row, specs, self.buttons, min_height=44)
        row.addStretch(1)
        self.state = QLabel()
        self.state.setTextFormat(Qt.TextFormat.RichText)
        self.state.setWordWrap(True)
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._update_void)
        void_row = QHBoxLayout()
        void = QPushButton("Void medication…")
        void.setToolTip("Void the selected entry (a reason is required); it stays in the record")
        void.clicked.connect(self.void_medication)
        self.buttons["Void medication…"] = void
        void_row.addWidget(void)
        void_row.addStretch(1)
        self.message = error_label(hidden=False)
        self.errors = FieldErrors(self.message)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.state)
        layout.addWidget(QLabel("<b>Medications given</b>"))
        layout.addWidget(self.list, 1)
        layout.addLayout(void_row)
        layout.addWidget(self.message)

    # -- reading -----------------------------------------------------------------------------
    @property
    def clinic(self):  # noqa: ANN201
        return self.host.clinic

    @property
    def session(self) -> SessionSnapshot:
        return self.host.session

    def refresh(self) -> None:
        clinic, sid = self.clinic, self.host.session_id
        with guard(self.errors, "Could not refresh: ") as refused:
            self.medications = clinic.interventions.list(sid)
            dose = clinic.dose.get(sid)
            service = getattr(clinic, "side_effects", None)
            effects = service.list(sid) if service is not None else []
        if refused:
            return
        self.effects = {e.id: e.display_name for e in effects}
        self.current_effects = [
            (e.id, e.display_name)
            for e in effects
            if getattr(e, "status", "") == RecordStatus.CURRENT
        ]
        from ketamon.ui.dialogs.medication import describe

        self.list.clear()
        for med in self.medications:
            item = QListWidgetItem(describe(med, self.effects, self.host.names))
            item.setData(Qt.ItemDataRole.UserRole, med.id)
            if med.status != RecordStatus.CURRENT:
                font = item.font()
                font.setStrikeOut(True)
                item.setFont(font)
            self.list.addItem(item)
        self._show_state(dose)
        self._update_buttons()

    def _show_state(self, dose) -> None:  # noqa: ANN001
        s = self.session
        rate = current_rate(s)
        parts = [f"Infusion: <b>{'PAUSED' if s.paused else s.phase.label}</b>"]
        if rate is not None:
            parts.append(f"rate {fmt(rate, 'mL/h')} (changed)")
        if dose is None:
            parts.append("dose record: <b>not planned yet</b>")
        else:
            parts.append(
                f"planned {fmt(dose.planned_mg, 'mg')} at {fmt(dose.planned_rate_ml_h, 'mL/h')}"
                f" (lot {dose.lot_number})"
            )
            if dose.completed:
                parts.append(
                    f"given {fmt(dose.actual_mg, 'mg')}, wasted {fmt(dose.wasted_mg, 'mg')}, "
                    f"witness {self.host.names.get(dose.witness or '', dose.witness)}"
                )
        self.state.setText(" · ".join(parts))

    def _update_buttons(self) -> None:
        s = self.session
        infusing = s.phase is Phase.INFUSING
        locked = getattr(self.host, "locked", False)  # signed, or opened for review
        self.buttons["Pause…"].setEnabled(infusing and not s.paused and not locked)
        self.buttons["Resume"].setEnabled(infusing and s.paused and not locked)
        self.buttons["Rate change…"].setEnabled(infusing and not locked)
        self.buttons["Stop infusion…"].setEnabled(infusing and not locked)
        self.buttons["Give medication…"].setEnabled(s.phase.active and not locked)
        self.buttons["Dose record…"].setEnabled(not locked)
        self._update_void()

    def _update_void(self, *_args) -> None:  # noqa: ANN002
        med = self.selected()
        locked = getattr(self.host, "locked", False)  # signed, or opened for review
        self.buttons["Void medication…"].setEnabled(
            med is not None and med.status == RecordStatus.CURRENT and not locked
        )

    def selected(self):  # noqa: ANN201
        item = self.list.currentItem()
        if item is None:
            return None
        med_id = item.data(Qt.ItemDataRole.UserRole)
        return next((m for m in self.medications if m.id == med_id), None)

    # -- actions -----------------------------------------------------------------------------
    def _title(self) -> str:
        return f"{self.session.chair_name} · {self.session.patient_name}"

    def _act(self, call: Callable[[], object]) -> object | None:
        with self.host.acting(), guard(self.errors) as refused:
            done = call()
        if refused:
            return None
        self.message.setText("")
        self.host.changed()
        return done

    def give_medication(self) -> object | None:
        from ketamon.ui.dialogs.medication import MedicationDialog, MedicationHandlers

        clinic, actor, sid = self.clinic, self.host.actor, self.host.session_id
        with guard(self.errors) as refused:
            users = [u for u in clinic.users.list() if u.active]
            choices = clinic.settings.get().medication_choices
            patient = clinic.patients.get(self.session.patient_id)
        if refused:
            return None
        handlers = MedicationHandlers(
            give=lambda draft: clinic.interventions.give(actor, sid, draft),
            now=clinic.clock,
            choices=choices,
            users=[(u.username, u.display_name) for u in users],
            actor=actor.username,
            side_effects=self.current_effects,
            patient=patient,
        )
        with self.host.acting():
            saved = MedicationDialog.ask(self, self._title(), handlers)
        if saved is not None:
            self.message.setText("")
            self.host.changed()
        return saved

    def void_medication(self) -> object | None:
        med = self.selected()
        if med is None or med.status != RecordStatus.CURRENT:
            return None
        reason = ReasonDialog.ask(
            self,
            "Void medication entry",
            f"Why is “{med.summary}” being voided? It stays in the record, struck through.",
            VOID_REASONS,
        )
        if not reason:
            return None
        actor = self.host.actor
        return self._act(lambda: self.clinic.interventions.void(actor, med.id, reason))

    def pause(self) -> object | None:
        reason = ReasonDialog.ask(
            self,
            "Pause infusion",
            f"Why is the infusion for {self.session.patient_name} being paused?",
            PAUSE_REASONS,
        )
        if not reason:
            return None
        actor, sid = self.host.actor, self.host.session_id
        return self._act(lambda: self.clinic.sessions.pause(actor, sid, reason))

    def resume(self) -> object | None:
        actor, sid = self.host.actor, self.host.session_id
        return self._act(lambda: self.clinic.sessions.resume(actor, sid))

    def rate_change(self) -> object | None:
        actor, sid = self.host.actor, self.host.session_id
        dose = None
        with contextlib.suppress(DomainError, StorageError):  # only for the hint
            dose = self.clinic.dose.get(sid)
        rate = current_rate(self.session)
        info = "Type the rate now set on the pump."
        if rate is not None:
            info += f" Last change: {fmt(rate, 'mL/h')}."
        elif dose is not None:
            info += f" Planned rate: {fmt(dose.planned_rate_ml_h, 'mL/h')}."
        with self.host.acting():
            saved = RateChangeDialog.ask(
                self,
                self._title(),
                info,
                lambda new_rate, reason: self.clinic.sessions.rate_change(
                    actor, sid, new_rate, reason
                ),
            )
        if saved is not None:
            self.message.setText("")
            self.host.changed()
        return saved

    def stop(self) -> object | None:
        reason = ask_stop(self, self.session, self.clinic.clock())
        if reason is None:
            return None
        actor, sid = self.host.actor, self.host.session_id
        return self._act(lambda: self.clinic.sessions.stop(actor, sid, reason))

    def dose(self) -> object | None:
        clinic, actor, sid = self.clinic, self.host.actor, self.host.session_id
        title = self._title()
        with self.host.acting():
            saved = guarded(self.errors, lambda: ask_for_session(self, clinic, actor, sid, title))
        if saved is not None:
            self.host.changed()
        return saved
