"""Side effects of one session: a compact grid, one row per entry of the clinic's list.

Each row: a checkbox with the name (and "what" for Other), the onset time, the severity,
Resolved (with its time) and a note. Ticking records the onset now (or the time typed in
the onset field: HH:MM or -10 for ten minutes ago) with the severity chosen (mild unless
changed). A severity chosen from the list is saved at once; one stepped to by the arrow
keys (or a typed letter) is saved once settled: Enter, leaving the field, or closing the
dialog; the steps on the way are never recorded. Note changes are saved on leaving the
field. Changing a recorded onset or resolution time, and un-ticking (void), ask for a
reason. A severe side effect that nobody
has acknowledged says so in words (SEVERE, "not acknowledged") and offers Acknowledge.

A resolved side effect may recur: "Recurred" ticks it again as a new entry. Retired
entries are not offered, but a session that has one still shows it.

All 18 default rows fit on a 1920x1080 screen without scrolling. Errors show under the
row they belong to, naming the field; nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QShowEvent, QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.changes import Change, Kind
from ketamon.domain.clinical_time import parse_clinical_time
from ketamon.domain.errors import FieldError, StaleRecord, StorageError
from ketamon.domain.record import severity_text
from ketamon.domain.side_effects import SEVERITY_ORDER, Severity, SideEffect, SideEffectKind
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard, set_state
from ketamon.ui.dialogs.reason import ReasonDialog
from ketamon.ui.lifetime import alive

CORRECT_TIME_REASONS = (
    "Time entered wrongly",
    "Recorded late: this is when it happened",
    "Resolution recorded too early",
)
UNTICK_REASONS = (
    "Ticked by mistake",
    "Ticked on the wrong line",
    "Entered for the wrong patient",
)
LOWER_SEVERITY_REASONS = (
    "Graded too high: a mistake",
    "Eased: it is less now",
    "Chosen on the wrong line",
)
SEVERITY_WORDS = {severity: severity_text(severity) for severity in Severity}
COLUMNS = ("Side effect", "Onset", "Severity", "Resolved", "Note")


@dataclass(frozen=True)
class SideEffectHandlers:
    """What the dialog may do; each call is a service call for this session."""

    load: Callable[[], Sequence[SideEffect]]
    catalog: Callable[[], Sequence[SideEffectKind]]
    # (kind key, severity, onset or None for now, other text, note)
    tick: Callable[[str, Severity, datetime | None, str, str], SideEffect]
    # severity, note and times carry the SideEffect.version shown (StaleRecord when the
    # entry was changed since on another workstation)
    # (effect id, severity, version, reason: required to lower it)
    set_severity: Callable[[int, Severity, int, str], SideEffect]
    resolve: Callable[[int, datetime | None], SideEffect]
    set_note: Callable[[int, str, int], SideEffect]
    # (effect id, onset or None, resolved or None, reason, version)
    correct_times: Callable[[int, datetime | None, datetime | None, str, int], SideEffect]
    void: Callable[[int, str], SideEffect]
    acknowledge: Callable[[int], SideEffect]
    now: Callable[[], datetime]
    changed: Callable[[], object] = lambda: None  # e.g. the board reloads (tile alert)
    # Live: `follow(on_change)` hears of every committed change (another workstation's
    # included) while the dialog is open, and returns how to stop hearing of them.
    session_id: int | None = None
    initiator: object | None = None  # who the dialog's own saves are made by
    follow: Callable[[Callable[[Change], None]], Callable[[], None]] = lambda _fn: lambda: None


def service_handlers(
    service: Any,  # services.side_effects.SideEffectService
    actor: Any,
    session_id: int,
    now: Callable[[], datetime],
    changed: Callable[[], object] = lambda: None,
) -> SideEffectHandlers:
    """The handlers for one session over the side effects service, acting as `actor`."""
    return SideEffectHandlers(
        load=lambda: service.for_session(session_id),
        catalog=service.catalog,
        tick=lambda key, severity, onset, other, note: service.tick(
            actor, session_id, key, severity=severity, onset_at=onset, other_text=other, note=note
        ),
        set_severity=lambda effect_id, severity, version, reason: service.set_severity(
            actor, effect_id, severity, reason=reason, version=version
        ),
        resolve=lambda effect_id, at: service.resolve(actor, effect_id, at),
        set_note=lambda effect_id, note, version: service.set_note(
            actor, effect_id, note, version=version
        ),
        correct_times=lambda effect_id, onset, resolved, reason, version: service.correct_times(
            actor, effect_id, onset_at=onset, resolved_at=resolved, reason=reason, version=version
        ),
        void=lambda effect_id, reason: service.void(actor, effect_id, reason),
        acknowledge=lambda effect_id: service.acknowledge(actor, effect_id),
        now=now,
        changed=changed,
    )


def hhmm(value: datetime | None) -> str:
    return "" if value is None else value.astimezone().strftime("%H:%M")


class SeverityBox(QComboBox):
    """A severity choice that is recorded only once the nurse settles on it.

    Arrowing (or typing a letter) from mild to SEVERE passes moderate: each step is only
    `stepped` (shown, "Enter saves"), and the choice is `settled` by Enter, by leaving the
    field (Tab, a click elsewhere) or by choosing from the open list. The dialog settles
    every pending choice before it closes, so nothing chosen is lost. The mouse wheel does
    not change it (a scroll over the list must not change a record).
    """

    stepped = Signal()
    settled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending = False  # stepped to, not yet settled
        self._keyed = False
        self.activated.connect(self._activated)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.pending:
            event.accept()
            self.settle()
            return
        self._keyed = True
        try:
            super().keyPressEvent(event)
        finally:
            self._keyed = False

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if event.reason() is not Qt.FocusReason.PopupFocusReason:  # the list opening
            self.settle()

    def chosen(self) -> Severity:
        """The severity shown (Qt hands the item data back as a plain string)."""
        return Severity(self.currentData())

    def settle(self) -> None:
        if self.pending:
            self.pending = False
            self.settled.emit()

    def _activated(self, _index: int) -> None:
        if self._keyed:  # a step on the way
            self.pending = True
            self.stepped.emit()
        else:  # chosen from the list
            self.pending = True
            self.settle()


class EffectRow:
    """The widgets of one catalog entry, and the entry (if any) they show."""

    def __init__(self, dialog: SideEffectsDialog, kind: SideEffectKind) -> None:
        self.dialog, self.kind = dialog, kind
        self.effect: SideEffect | None = None  # the latest entry not voided
        self.earlier: list[SideEffect] = []  # earlier episodes, resolved (or voided)
        key = kind.key
        self.check = QCheckBox(kind.name + (" (retired)" if kind.retired else ""))
        self.check.setObjectName(f"se_check_{key}")
        self.check.setToolTip(
            "Tick: recorded now (or at the onset time typed). Un-tick: void, with a reason."
        )
        self.check.clicked.connect(self._check_clicked)
        self.other = QLineEdit()
        self.other.setObjectName(f"se_other_{key}")
        self.other.setPlaceholderText("say what (required)")
        self.other.setVisible(kind.free_text)
        self.other.textEdited.connect(lambda _t: self.clear_error())
        self.onset = QLineEdit()
        self.onset.setObjectName(f"se_onset_{key}")
        self.onset.setPlaceholderText("now")
        self.onset.setMaxLength(8)
        self.onset.setFixedWidth(80)
        self.onset.setToolTip(
            "Onset: empty is now; or HH:MM, or -10 for ten minutes ago. Not before check-in, "
            "never in the future. Changing a recorded time asks for a reason (Enter saves)."
        )
        self.onset.textEdited.connect(lambda _t: self.clear_error())
        self.onset.editingFinished.connect(lambda: self._time_edited("onset"))
        self.severity = SeverityBox()
        self.severity.setObjectName(f"se_severity_{key}")
        for severity in Severity:
            self.severity.addItem(SEVERITY_WORDS[severity], severity)
        self.severity.setToolTip(
            "Severity: mild, moderate or SEVERE (severe alerts the tile). Arrow keys choose, "
            "Enter or Tab saves; the steps on the way are not recorded."
        )
        self.severity.stepped.connect(self._severity_stepped)
        self.severity.settled.connect(self._severity_chosen)
        self.pending_label = QLabel("Enter saves")
        self.pending_label.setObjectName("sePending")
        self.pending_label.setToolTip("This severity is not saved yet: Enter or Tab saves it")
        self.pending_label.hide()
        self.ack = QPushButton("Acknowledge")
        self.ack.setObjectName(f"se_ack_{key}")
        self.ack.setToolTip("I have seen this severe side effect (records who and when)")
        self.ack.clicked.connect(self._acknowledge)
        self.ack_needed = False
        self.ack_label = QLabel("not acknowledged")
        self.ack_label.setObjectName("seAck")
        self.resolved = QLineEdit()
        self.resolved.setObjectName(f"se_resolved_at_{key}")
        self.resolved.setPlaceholderText("now")
        self.resolved.setMaxLength(8)
        self.resolved.setFixedWidth(80)
        self.resolved.setToolTip(
            "Resolution time: empty is now; or HH:MM. Not before the onset, never in the "
            "future. Changing a recorded time asks for a reason (Enter saves)."
        )
        self.resolved.textEdited.connect(lambda _t: self.clear_error())
        self.resolved.editingFinished.connect(lambda: self._time_edited("resolved"))
        self.resolve_button = QPushButton("Resolved")
        self.resolve_button.setObjectName(f"se_resolve_{key}")
        self.resolve_button.clicked.connect(self._resolve_clicked)
        self.note = QLineEdit()
        self.note.setObjectName(f"se_note_{key}")
        self.note.setPlaceholderText("note")
        self.note.textEdited.connect(lambda _t: self.clear_error())
        self.note.editingFinished.connect(self._note_edited)
        self.earlier_label = QLabel("")
        self.earlier_label.setObjectName("seEarlier")
        self.error = error_label()  # the row's one error line
        self.errors = FieldErrors(self.error, hide_empty_message=True)
        self.fields = {
            "other_text": self.other,
            "onset_at": self.onset,
            "resolved_at": self.resolved,
            "note": self.note,
            "severity": self.severity,
        }
        for field, widget in self.fields.items():
            if isinstance(widget, QLineEdit):
                self.errors.watch(field, widget)
        self._keep_room()

    def _keep_room(self) -> None:
        """Room for what a change can show (Resolved, Acknowledge, "Enter saves", "+2
        earlier"), kept while hidden: the dialog stays the same width as entries change."""
        for widget in (
            self.resolved,
            self.resolve_button,
            self.ack,
            self.ack_label,
            self.pending_label,
        ):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)
        metrics = self.resolve_button.fontMetrics()
        widest = max(metrics.horizontalAdvance(t) for t in ("Resolved", "Recurred"))
        self.resolve_button.setMinimumWidth(widest + 24)
        self.earlier_label.setMinimumWidth(
            self.earlier_label.fontMetrics().horizontalAdvance("+9 earlier")
        )

    def place(self, grid: QGridLayout, row: int) -> None:
        name = QHBoxLayout()
        name.setSpacing(6)
        name.addWidget(self.check)
        name.addWidget(self.other, 1)
        name.addStretch(0 if self.kind.free_text else 1)
        grid.addLayout(name, row, 0)
        grid.addWidget(self.onset, row, 1)
        severity = QHBoxLayout()
        severity.setSpacing(4)
        severity.addWidget(self.severity)
        notes = QGridLayout()  # one place for "Enter saves" or "not acknowledged"
        notes.setContentsMargins(0, 0, 0, 0)
        notes.addWidget(self.pending_label, 0, 0)
        notes.addWidget(self.ack_label, 0, 0)
        severity.addLayout(notes)
        severity.addWidget(self.ack)
        severity.addStretch(1)
        grid.addLayout(severity, row, 2)
        resolved = QHBoxLayout()
        resolved.setSpacing(4)
        resolved.addWidget(self.resolved)
        resolved.addWidget(self.resolve_button)
        resolved.addWidget(self.earlier_label)  # beside Recurred: the episodes before
        grid.addLayout(resolved, row, 3)
        grid.addWidget(self.note, row, 4)
        grid.addWidget(self.error, row + 1, 0, 1, len(COLUMNS))

    # -- showing ---------------------------------------------------------------------------
    def show_entries(self, entries: Sequence[SideEffect]) -> None:
        """Show the latest entry not voided (earlier episodes are counted beside the name)."""
        live = [e for e in entries if e.current]
        latest = live[-1] if live else None
        before, self.effect = self.effect, latest
        self.earlier = live[:-1]
        if self.earlier:
            times = ", ".join(
                f"{hhmm(e.onset_at)}–{hhmm(e.resolved_at)} {e.severity.value}" for e in self.earlier
            )
            self.earlier_label.setText(f"+{len(self.earlier)} earlier")
            self.earlier_label.setToolTip(f"Earlier episodes: {times}")
        else:
            self.earlier_label.setText("")
        voided = [e for e in entries if not e.current]
        if voided:
            self.check.setToolTip(
                "Voided: " + "; ".join(f"{e.display_name} ({e.status_reason})" for e in voided)
            )
        self.check.setChecked(latest is not None)
        if latest is None:
            if before is not None:  # it was un-ticked: the row is ready for a new tick
                for edit in (self.onset, self.resolved, self.note, self.other):
                    edit.clear()
                self.severity.setCurrentIndex(0)
            self.resolved.setEnabled(False)
            self.resolved.setVisible(False)  # nothing to resolve: less to read
            self.resolve_button.setText("Resolved")
            self.resolve_button.setEnabled(False)
            self.resolve_button.setVisible(False)
            self.other.setReadOnly(False)
            self._show_ack(needed=False)
            self._mark_severe(self.severity.chosen() is Severity.SEVERE)
            self.check.setEnabled(not self.kind.retired)
            return
        self.check.setEnabled(True)
        self.onset.setText(hhmm(latest.onset_at))
        if not (self.severity.pending and before is not None and before.id == latest.id):
            self.severity.setCurrentIndex(list(Severity).index(latest.severity))  # as saved
            self._show_pending(False)
        self._mark_severe(self.severity.chosen() is Severity.SEVERE)
        self.resolved.setEnabled(True)
        self.resolved.setVisible(True)
        self.resolve_button.setVisible(True)
        self.resolved.setText(hhmm(latest.resolved_at))
        if latest.resolved:
            self.resolve_button.setText("Recurred")
            self.resolve_button.setToolTip("It has come back: tick it again as a new episode")
            self.resolve_button.setEnabled(not self.kind.retired)
        else:
            self.resolve_button.setText("Resolved")
            self.resolve_button.setToolTip("Record that it has resolved (now, or the time typed)")
            self.resolve_button.setEnabled(True)
        self.note.setText(latest.note)
        if self.kind.free_text:
            self.other.setText(latest.other_text)
            self.other.setReadOnly(True)
        self._show_ack(needed=latest.needs_acknowledgement)

    def _show_ack(self, *, needed: bool) -> None:
        self.ack_needed = needed
        self.ack.setVisible(needed)
        self.ack_label.setVisible(needed and not self.severity.pending)

    def _mark_severe(self, severe: bool) -> None:
        set_state(self.severity, "severe", severe)

    def show_error(self, field: str, message: str) -> None:
        self.errors.say(f"{self.kind.name}: {message}")
        widget = self.fields.get(field)
        if isinstance(widget, QLineEdit):
            self.errors.mark(field, True)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            widget.selectAll()  # still there; typing replaces it

    def show_refusal(self, error: Exception) -> None:
        """A refused change of this row: at its field when it names one."""
        if isinstance(error, FieldError):
            self.show_error(error.field, error.message)
        else:
            self.show_error("", str(error))

    def clear_error(self) -> None:
        self.errors.clear()

    # -- what the nurse does ---------------------------------------------------------------
    def _check_clicked(self, checked: bool) -> None:
        if checked:
            self.tick()
        else:
            self.untick()

    def tick(self) -> SideEffect | None:
        h, now = self.dialog.handlers, self.dialog.handlers.now()
        try:
            onset = parse_clinical_time(self.onset.text(), now, "onset_at", "Onset time")
        except FieldError as error:
            self.check.setChecked(False)
            self.show_error(error.field, error.message)
            return None
        severity = self.severity.chosen()
        done = self.dialog.run(
            self,
            lambda: h.tick(self.kind.key, severity, onset, self.other.text(), self.note.text()),
        )
        if done is None:
            self.check.setChecked(self.effect is not None)
            return None
        self.severity.setFocus(Qt.FocusReason.OtherFocusReason)  # asks for the severity next
        return done

    def untick(self) -> SideEffect | None:
        effect = self.effect
        if effect is None:
            return None
        reason = ReasonDialog.ask(
            self.dialog,
            "Un-tick side effect",
            f"Why is {effect.display_name} (onset {hhmm(effect.onset_at)}) being un-ticked? "
            "It stays in the record, voided.",
            UNTICK_REASONS,
        )
        if not reason:
            self.check.setChecked(True)
            return None
        done = self.dialog.run(self, lambda: self.dialog.handlers.void(effect.id, reason))
        if done is None:
            self.check.setChecked(True)
        return done

    def _severity_stepped(self) -> None:
        """A step by keyboard: shown, not saved until settled."""
        severity = self.severity.chosen()
        self._mark_severe(severity is Severity.SEVERE)
        if self.effect is None:  # chosen before ticking: used by the tick
            self.severity.pending = False
            return
        self._show_pending(severity is not self.effect.severity)

    def _show_pending(self, pending: bool) -> None:
        self.severity.pending = pending
        self.pending_label.setVisible(pending)
        # the two share one place: "Enter saves" first, then "not acknowledged" again
        self.ack_label.setVisible(self.ack_needed and not pending)

    def _severity_chosen(self) -> None:
        """The severity settled on: saved if it differs from the record (one change)."""
        severity = self.severity.chosen()
        self._show_pending(False)
        self._mark_severe(severity is Severity.SEVERE)
        effect = self.effect
        if effect is None or severity is effect.severity:
            return
        reason = ""
        if SEVERITY_ORDER.index(severity) < SEVERITY_ORDER.index(effect.severity):
            reason = self._lowering_reason(effect, severity)
            if not reason:  # cancelled: the record's grade is shown again, nothing saved
                self._show_severity(effect.severity)
                return
        effect_id, version = effect.id, effect.version
        set_severity = self.dialog.handlers.set_severity
        if self.dialog.run(self, lambda: set_severity(effect_id, severity, version, reason)):
            return
        self._show_pending(True)  # not saved: still shown, still to be saved (nothing lost)

    def _lowering_reason(self, effect: SideEffect, severity: Severity) -> str:
        """Why the grade is lowered (a correction): "" if the nurse cancels."""
        dialog = self.dialog
        dialog.busy = True  # the reason popup takes the focus: no second settle
        try:
            return ReasonDialog.ask(
                dialog,
                "Lower the severity",
                f"Why is {effect.display_name} being lowered from "
                f"{SEVERITY_WORDS[effect.severity]} to {SEVERITY_WORDS[severity]}?",
                LOWER_SEVERITY_REASONS,
            )
        finally:
            dialog.busy = False

    def _show_severity(self, severity: Severity) -> None:
        self.severity.setCurrentIndex(list(Severity).index(severity))
        self._mark_severe(severity is Severity.SEVERE)

    def settle(self) -> bool:
        """Save a severity still pending (the dialog closing); False if that was refused."""
        if not self.severity.pending:
            return True
        self.severity.settle()
        return not self.severity.pending

    def _acknowledge(self) -> None:
        if self.effect is not None:
            effect_id = self.effect.id
            self.dialog.run(self, lambda: self.dialog.handlers.acknowledge(effect_id))

    def _resolve_clicked(self) -> None:
        effect = self.effect
        if effect is None:
            return
        if effect.resolved:  # "Recurred": a new episode, onset now
            self.onset.clear()
            self.resolved.clear()
            self.note.clear()
            self.severity.setCurrentIndex(0)
            self.effect = None
            if self.tick() is None:
                self.show_entries([*self.earlier, effect])
            return
        try:
            at = parse_clinical_time(
                self.resolved.text(), self.dialog.handlers.now(), "resolved_at", "Resolution time"
            )
        except FieldError as error:
            self.show_error(error.field, error.message)
            return
        self.dialog.run(self, lambda: self.dialog.handlers.resolve(effect.id, at))

    def _note_edited(self) -> None:
        effect = self.effect
        if effect is None or self.note.text().strip() == effect.note or self.dialog.busy:
            return
        note = self.note.text()
        self.dialog.run(
            self, lambda: self.dialog.handlers.set_note(effect.id, note, effect.version)
        )

    def _time_edited(self, which: str) -> None:
        """A recorded time changed: a correction, with a reason."""
        effect, dialog = self.effect, self.dialog
        if effect is None or dialog.busy:
            return
        edit = self.onset if which == "onset" else self.resolved
        shown = hhmm(effect.onset_at if which == "onset" else effect.resolved_at)
        if edit.text().strip() == shown or (which == "resolved" and effect.resolved_at is None):
            return
        field = "onset_at" if which == "onset" else "resolved_at"
        what = "Onset time" if which == "onset" else "Resolution time"
        try:
            at = parse_clinical_time(edit.text(), dialog.handlers.now(), field, what)
        except FieldError as error:
            self.show_error(error.field, error.message)
            return
        at = at or dialog.handlers.now()
        dialog.busy = True  # the reason popup takes the focus: no second editingFinished
        try:
            reason = ReasonDialog.ask(
                dialog,
                f"Correct {what.lower()}",
                f"Why is the {what.lower()} of {effect.display_name} being changed from "
                f"{shown} to {hhmm(at)}?",
                CORRECT_TIME_REASONS,
            )
        finally:
            dialog.busy = False
        if not reason:
            edit.setText(shown)
            return
        onset, resolved = (at, None) if which == "onset" else (None, at)
        dialog.run(
            self,
            lambda: dialog.handlers.correct_times(
                effect.id, onset, resolved, reason, effect.version
            ),
        )


class SideEffectsDialog(KitDialog):
    def __init__(self, parent: QWidget | None, title: str, handlers: SideEffectHandlers) -> None:
        super().__init__(parent)
        self.setObjectName("sideEffects")  # its look: QDialog#sideEffects in the QSS
        self.handlers = handlers
        self.busy = False
        self.changes = 0
        self.setWindowTitle(f"Side effects: {title}")
        heading = QLabel(f"Side effects · {title}")
        heading.setObjectName("dialogTitle")
        hint = QLabel(
            "Tick what the patient has: onset is now unless you type a time first (HH:MM or "
            "-10). Choose the severity; press Resolved when it is over."
        )
        hint.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(3)
        for column, text in enumerate(COLUMNS):
            label = QLabel(text)
            label.setObjectName("seHeader")
            self.grid.addWidget(label, 0, column)
        self.grid.setColumnStretch(0, 3)
        self.grid.setColumnStretch(4, 2)
        self.grid.setColumnMinimumWidth(4, 140)
        self.rows: dict[str, EffectRow] = {}
        self.message = error_label()
        self.errors = FieldErrors(self.message, hide_empty_message=True)
        self.buttons = QDialogButtonBox()
        self.close_button = self.buttons.addButton(
            "Close (Esc)", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.close_button.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addLayout(self.grid)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.refresh()
        self._unfollow = handlers.follow(self.on_change)

    def on_change(self, change: Change) -> None:
        """Another workstation (or the board) changed this session's side effects while
        the list is open: the rows show them, keeping what is typed here."""
        if not alive(self) or self.handlers.session_id is None:
            return
        if change.started_by(self.handlers.initiator):
            return  # a save made here: run() shows it already
        if change.touches(self.handlers.session_id, Kind.SIDE_EFFECTS, Kind.SETTINGS):
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        """Focus starts on the first row (Space ticks it), never on Close."""
        super().showEvent(event)
        first = next((r.check for r in self.rows.values() if r.check.isEnabled()), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def refresh(self) -> bool:
        """Re-read the catalog and the session's entries; rows keep what is typed."""
        with guard(self.errors, "Could not read the side effects: ") as refused:
            catalog = list(self.handlers.catalog())
            effects = list(self.handlers.load())
        if refused:
            return False
        by_kind: dict[str, list[SideEffect]] = {}
        for effect in effects:
            by_kind.setdefault(effect.kind_key, []).append(effect)
        known = {k.key for k in catalog}
        for key in by_kind:  # a kind gone from the catalog entirely: still shown
            if key not in known:
                label = by_kind[key][-1].label
                catalog.append(SideEffectKind(key, label, retired=True))
        for kind in catalog:
            if kind.retired and not by_kind.get(kind.key):
                continue  # retired: not offered for new ticks
            row = self.rows.get(kind.key)
            if row is None:
                row = EffectRow(self, kind)
                row.place(self.grid, 1 + 2 * len(self.rows))
                self.rows[kind.key] = row
            row.show_entries(by_kind.get(kind.key, []))
        return True

    def done(self, result: int) -> None:
        """Closing (Esc, Close, the window's X) saves each severity still pending first;
        if one is refused the dialog stays open with the message at its row."""
        if not all(row.settle() for row in list(self.rows.values())):
            return
        self._unfollow()
        self._unfollow = lambda: None
        super().done(result)

    def run(self, row: EffectRow, call: Callable[[], SideEffect]) -> SideEffect | None:
        """One change: shown in the rows after it is saved, or its refusal at the field."""
        row.clear_error()
        self.errors.say("")
        with guard(lambda error: self._refused(row, error)) as refused:
            done = call()
        if isinstance(refused.error, StaleRecord):  # the entries as stored now; the rows
            self.refresh()  # keep what is typed, to be saved again over them
            row.show_refusal(refused.error)
        if refused:
            return None
        self.changes += 1
        self.refresh()
        self.handlers.changed()
        return done

    def row(self, key: str) -> EffectRow:
        return self.rows[key]

    def _refused(self, row: EffectRow, error: Exception) -> None:
        """A rule's refusal at the row (and its field); a database fault below the list."""
        if isinstance(error, StorageError):
            self._say(f"Not saved. Nothing typed was lost. {error}")
        else:
            row.show_refusal(error)

    def _say(self, text: str) -> None:
        self.errors.say(text)

    def answer(self) -> int:
        """Open the list until the nurse closes it; returns how many changes were saved."""
        return self.changes
