"""Infusion actions from the session window: pause, resume, rate change, stop (a reason when
early), medications given and the dose record.

The pause here is the same pause the chair tile shows (the same session events); after
each action the session window and the board refresh.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, TypeVar

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
from ketamon.domain.dose import DoseRecord, fmt
from ketamon.domain.errors import DomainError, StorageError
from ketamon.domain.interventions import VOID_REASONS, Medication, parse_dose
from ketamon.domain.sessions import EventKind, Phase, is_early_stop, validate_rate
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.timers import format_duration
from ketamon.services.clinic import Clinic
from ketamon.ui.actions import UseCases
from ketamon.ui.buttons import add_buttons
from ketamon.ui.dialogs.dose_record import DoseRecordDialog
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard, guarded
from ketamon.ui.dialogs.messages import Confirm
from ketamon.ui.dialogs.reason import PAUSE_REASONS, ReasonDialog

T = TypeVar("T")

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
        self,
        parent: QWidget | None,
        title: str,
        info: str,
        submit: Callable[[float, str], SessionSnapshot],
    ) -> None:
        super().__init__(parent)
        self.setProperty("large", True)  # QSS: 16px text (set before any child is polished)
        self.submit = submit
        self.saved: SessionSnapshot | None = None
        self.setWindowTitle(f"Rate change · {title}")
        self.setMinimumWidth(560)
        self.errors = FieldErrors()
        self.rate = QLineEdit()
        self.rate.setPlaceholderText("e.g. 4.5")
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(RATE_REASONS)
        self.reason.setCurrentIndex(-1)
        line = self.reason.lineEdit()
        if line is not None:  # editable: it has one
            line.setPlaceholderText("Type or choose a reason")
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
            self.saved = self.submit(rate, reason)
        if refused:
            return False
        self.accept()
        return True

    def answer(self) -> SessionSnapshot | None:
        """The saved rate change, or None if cancelled."""
        return self.saved


class InterventionsHost(Protocol):
    """What the tab needs of its session window."""

    clinic: Clinic  # reads only: the medications, the dose record, the side effects
    use_cases: UseCases  # every write: the same objects the tile uses
    session: SessionSnapshot
    session_id: int
    names: dict[str, str]

    @property
    def locked(self) -> bool: ...

    def acting(self) -> AbstractContextManager[None]: ...

    def changed(self) -> None: ...


class InterventionsPage(QWidget):
    """The session window's "Interventions" tab. `host` is the SessionWindow: its reads,
    its use cases, session and refresh; `changed()` refreshes the window (the board follows
    the change)."""

    def __init__(self, host: InterventionsHost) -> None:
        super().__init__()
        self.setObjectName("interventionsPage")  # QSS: 16px labels, buttons and the list
        self.host = host
        self.buttons: dict[str, QPushButton] = {}
        self.medications: list[Medication] = []
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
    def clinic(self) -> Clinic:
        return self.host.clinic

    @property
    def use_cases(self) -> UseCases:
        return self.host.use_cases

    @property
    def session(self) -> SessionSnapshot:
        return self.host.session

    def refresh(self) -> None:
        clinic, sid = self.clinic, self.host.session_id
        with guard(self.errors, "Could not refresh: ") as refused:
            self.medications = clinic.interventions.for_session(sid)
            dose = clinic.dose.get(sid)
            service = getattr(clinic, "side_effects", None)
            effects = service.for_session(sid) if service is not None else []
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

    def _show_state(self, dose: DoseRecord | None) -> None:
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
        locked = self.host.locked  # signed, or opened for review
        self.buttons["Pause…"].setEnabled(infusing and not s.paused and not locked)
        self.buttons["Resume"].setEnabled(infusing and s.paused and not locked)
        self.buttons["Rate change…"].setEnabled(infusing and not locked)
        self.buttons["Stop infusion…"].setEnabled(infusing and not locked)
        self.buttons["Give medication…"].setEnabled(s.phase.active and not locked)
        self.buttons["Dose record…"].setEnabled(not locked)
        self._update_void()

    def _update_void(self, *_args) -> None:
        med = self.selected()
        locked = self.host.locked  # signed, or opened for review
        self.buttons["Void medication…"].setEnabled(
            med is not None and med.status == RecordStatus.CURRENT and not locked
        )

    def selected(self) -> Medication | None:
        item = self.list.currentItem()
        if item is None:
            return None
        med_id = item.data(Qt.ItemDataRole.UserRole)
        return next((m for m in self.medications if m.id == med_id), None)

    # -- actions -----------------------------------------------------------------------------
    def _title(self) -> str:
        return f"{self.session.chair_name} · {self.session.patient_name}"

    def _act(self, call: Callable[[], T]) -> T | None:
        with self.host.acting(), guard(self.errors) as refused:
            done = call()
        if refused:
            return None
        self.message.setText("")
        self.host.changed()
        return done

    def give_medication(self) -> Medication | None:
        from ketamon.ui.dialogs.medication import MedicationDialog

        sid = self.host.session_id
        handlers = guarded(
            self.errors,
            lambda: self.use_cases.medications.handlers(
                sid, self.current_effects, initiator=self.host
            ),
        )
        if handlers is None:
            return None
        with self.host.acting():
            saved: Medication | None = MedicationDialog.ask(self, self._title(), handlers)
        if saved is not None:
            self.message.setText("")
            self.host.changed()
        return saved

    def void_medication(self) -> Medication | None:
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
        med_id, host = med.id, self.host
        return self._act(lambda: self.use_cases.medications.void(med_id, reason, initiator=host))

    def pause(self) -> SessionSnapshot | None:
        reason = ReasonDialog.ask(
            self,
            "Pause infusion",
            f"Why is the infusion for {self.session.patient_name} being paused?",
            PAUSE_REASONS,
        )
        if not reason:
            return None
        infusion, sid, host = self.use_cases.infusion, self.host.session_id, self.host
        return self._act(lambda: infusion.pause(sid, reason, initiator=host))

    def resume(self) -> SessionSnapshot | None:
        infusion, sid, host = self.use_cases.infusion, self.host.session_id, self.host
        return self._act(lambda: infusion.resume(sid, initiator=host))

    def rate_change(self) -> SessionSnapshot | None:
        infusion, sid, host = self.use_cases.infusion, self.host.session_id, self.host
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
            saved: SessionSnapshot | None = RateChangeDialog.ask(
                self,
                self._title(),
                info,
                lambda new_rate, reason: infusion.rate_change(
                    sid, new_rate, reason, initiator=host
                ),
            )
        if saved is not None:
            self.message.setText("")
            self.host.changed()
        return saved

    def stop(self) -> SessionSnapshot | None:
        reason = ask_stop(self, self.session, self.clinic.clock())
        if reason is None:
            return None
        infusion, sid, host = self.use_cases.infusion, self.host.session_id, self.host
        return self._act(lambda: infusion.stop(sid, reason, initiator=host))

    def dose(self) -> DoseRecord | None:
        dose, sid, host = self.use_cases.dose, self.host.session_id, self.host

        def ask() -> DoseRecord | None:
            handlers = dose.handlers(sid, initiator=host)
            answer: DoseRecord | None = DoseRecordDialog.ask(
                self, self._title(), handlers, dose.record(sid)
            )
            return answer

        with self.host.acting():
            saved = guarded(self.errors, ask)
        if saved is not None:
            self.host.changed()
        return saved
