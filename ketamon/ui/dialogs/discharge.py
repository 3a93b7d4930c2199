"""The discharge checklist: what the software computed (with its evidence), what the nurse
confirms, the escort (a hard stop), the PADSS score, and a Discharge button that stays
disabled and says exactly what is missing.

Answers are saved as they are given (each change, or leaving a text field), so closing the
window loses nothing. The verdict is recomputed on every keystroke with the same domain
rules the service applies again when Discharge is pressed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.discharge import (
    AgainstAdvice,
    DischargeAnswers,
    DischargeCheck,
    DischargeRules,
    Escort,
    ItemState,
    IvSite,
    Nausea,
    Outcome,
    evaluate,
    normalize_phone,
)
from ketamon.domain.discharge_entry import KEPT_LABELS, kept_entries
from ketamon.domain.errors import FieldError, StaleRecord, ValidationErrors
from ketamon.domain.side_effects import SideEffect
from ketamon.services.discharge import DischargeState
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label, guard, set_state
from ketamon.ui.dialogs.physician_decision import PhysicianDecisionDialog, awaiting_decision

MARKS = {ItemState.OK: "✔ Met", ItemState.MISSING: "✖ Missing", ItemState.NOTE: "▲ Counted"}
# The mark's look (QLabel#checkMark[state=...] in the QSS).
MARK_STATES = {ItemState.OK: "ok", ItemState.MISSING: "missing", ItemState.NOTE: "note"}
COMPUTED = ("observation", "stop", "vitals", "moaas", "side_effects", "dose")
# Beside the evidence, the criteria say it short (the full wording is the tooltip, the list
# of what is missing and the summary).
SHORT_LABELS = {
    "stop": "Ran to target (or why not)",
    "moaas": "Last MOAA/S is 5",
    "side_effects": "No SEVERE side effect open",
    "dose": "Dose record completed",
}


@dataclass(frozen=True)
class DischargeHandlers:
    state: Callable[[], DischargeState]
    # (answers, the DischargeState.version they were edited from): refused with StaleRecord
    # when another workstation saved the checklist since
    save: Callable[[DischargeAnswers, int], DischargeState]
    discharge: Callable[[], DischargeState]
    leave_against_advice: Callable[[AgainstAdvice], DischargeState]
    now: Callable[[], datetime]
    rules: DischargeRules
    nurse: str  # display name of the acting nurse
    witnesses: tuple[tuple[str, str], ...] = ()  # (username, display) of other active users
    set_next_appointment: Callable[[datetime | None, int], DischargeState] | None = None
    # (effect id, decision, physician username, password) -> the side effect, decided
    physician_decision: Callable[[int, str, str, str], SideEffect] | None = None
    # The dose record dialog of the session (given, wasted, witness), when it can open here
    dose_record: Callable[[], object] | None = None


def _enum(kind, value):  # Qt hands enum data back as plain str
    return kind(value) if value else None


class DischargeDialog(KitDialog):
    def __init__(self, parent: QWidget | None, title: str, handlers: DischargeHandlers) -> None:
        super().__init__(parent)
        self.handlers, self.title = handlers, title
        self.state = handlers.state()
        self.outcome: str | None = None
        self.setWindowTitle(f"Discharge: {title}")
        self.setMinimumSize(1180, 780)  # the list of what is missing must fit unscrolled
        heading = QLabel(f"Discharge checklist: {title}")
        heading.setObjectName("dialogTitle")

        # Computed by the software, with the evidence
        computed = QGroupBox("Checked by KetaMon from the record")
        self.computed_grid = QGridLayout(computed)
        self.computed_rows: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        # On a SEVERE side effect still open: the physician documents the decision here
        # (under the criterion, so the evidence keeps its width).
        self.decision_button = QPushButton("Physician's &decision…")
        self.decision_button.setObjectName("btn_physician_decision")
        self.decision_button.setAutoDefault(False)
        self.decision_button.setToolTip(
            "The physician documents the decision to discharge with a SEVERE side effect "
            "still open (their own username and password)"
        )
        self.decision_button.clicked.connect(self._physician_decision)
        # The dose record still open: completed from here (the criterion names what is owed)
        self.dose_button = QPushButton("Dose &record…")
        self.dose_button.setObjectName("btn_dose_record")
        self.dose_button.setAutoDefault(False)
        self.dose_button.setToolTip("Record the amount given, the waste and its witness")
        self.dose_button.clicked.connect(self._dose_record)
        for row, key in enumerate(COMPUTED):
            mark, label, evidence = QLabel(), QLabel(), QLabel()
            mark.setObjectName("checkMark")
            evidence.setObjectName(f"evidence_{key}")
            evidence.setWordWrap(True)
            cell: QWidget = label
            button = {"side_effects": self.decision_button, "dose": self.dose_button}.get(key)
            if button is not None:
                cell = QWidget()
                stack = QVBoxLayout(cell)
                stack.setContentsMargins(0, 0, 0, 0)
                stack.addWidget(label)
                stack.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            for col, widget in enumerate((mark, cell, evidence)):
                self.computed_grid.addWidget(widget, row, col, Qt.AlignmentFlag.AlignTop)
            self.computed_rows[key] = (mark, label, evidence)
        self.computed_grid.setColumnStretch(2, 1)  # the evidence takes the room

        # Confirmed by the nurse
        confirm = QGroupBox("Confirmed by the nurse")
        form = QFormLayout(confirm)
        self.oriented = self._yes_no("oriented")
        self.gait = self._yes_no("gait")
        self.nausea = self._choice("nausea", [(n.label, n.value) for n in Nausea])
        self.pain = self._text("pain", "0–10")
        self.pain.setMaximumWidth(120)
        self.message = error_label()
        self.errors = FieldErrors(self.message, hide_empty_message=True)
        self.pain_error = self.errors.attach("pain", error_label(hidden=False), keep_shown=True)
        self.pain_error.setWordWrap(False)
        pain_row = QHBoxLayout()
        pain_row.addWidget(self.pain)
        pain_row.addWidget(self.pain_error, 1)
        self.iv_site = self._choice("iv_site", [(s.label, s.value) for s in IvSite])
        # An answer the record contradicts is refused: said here, under the field.
        self.refusals: dict[str, QLabel] = {}
        for key in ("nausea", "pain"):
            note = QLabel()
            note.setObjectName(f"refused_{key}")
            note.setProperty("refusal", True)  # QSS: QLabel[refusal="true"]
            note.setWordWrap(True)
            note.hide()
            self.refusals[key] = note
        form.addRow("Alert and oriented ×3:", self.oriented)
        form.addRow("Steady gait:", self.gait)
        form.addRow("Nausea / vomiting:", self.nausea)
        form.addRow("", self.refusals["nausea"])
        form.addRow("Pain score (0–10):", pain_row)
        form.addRow("", self.refusals["pain"])
        form.addRow("IV site:", self.iv_site)
        self.instructions = QLabel(self.state.instructions)
        self.instructions.setObjectName("instructionsText")
        self.instructions.setWordWrap(True)
        self.instructions_ack = QCheckBox(
            "Discharge instructions given and acknowledged by the patient"
        )
        self.instructions_ack.setObjectName("field_instructions")
        self.instructions_ack.toggled.connect(self._changed_now)
        form.addRow(self.instructions)
        form.addRow(self.instructions_ack)

        # The escort: a hard stop
        escort = QGroupBox("Escort (required: the patient may not drive or leave alone)")
        escort_form = QFormLayout(escort)
        self.escort_name = self._text("escort_name", "First and last name")
        self.escort_relationship = self._text("escort_relationship", "e.g. Sister, Partner")
        self.escort_phone = self._text("escort_phone", "e.g. (212) 555-0143")
        self.escort_phone_error = self.errors.attach(
            "escort_phone", error_label(hidden=False), keep_shown=True
        )
        self.escort_phone_error.setWordWrap(True)  # a long message wraps; the form holds
        self.escort_verified = QCheckBox(
            f"Escort present and verified in person by me ({handlers.nurse})"
        )
        self.escort_verified.setObjectName("field_escort_verified")
        self.escort_verified.toggled.connect(self._changed_now)
        # A verification is of one person: typing another name, relationship or phone clears
        # it, saying so.
        self.escort_changed_note = error_label("fieldError")
        for edit in (self.escort_name, self.escort_relationship, self.escort_phone):
            edit.textEdited.connect(lambda _text: self._escort_changed())
        self.escort_verified.toggled.connect(
            lambda on: self.escort_changed_note.hide() if on else None
        )
        escort_form.addRow("Name:", self.escort_name)
        escort_form.addRow("Relationship:", self.escort_relationship)
        escort_form.addRow("Phone:", self.escort_phone)
        escort_form.addRow("", self.escort_phone_error)
        escort_form.addRow(self.escort_verified)
        escort_form.addRow("", self.escort_changed_note)
        self.next_appointment = QLineEdit()
        self.next_appointment.setObjectName("field_next_appointment")
        self.next_appointment.setPlaceholderText("YYYY-MM-DD HH:MM (optional, local time)")
        when = self.state.next_appointment_at
        if when is not None:
            self.next_appointment.setText(when.astimezone().strftime("%Y-%m-%d %H:%M"))
        self.next_appointment.editingFinished.connect(self._save_appointment)
        self.next_error = self.errors.attach(
            "next_appointment", error_label(hidden=False), keep_shown=True
        )
        self.next_error.setWordWrap(False)
        escort_form.addRow("Next appointment:", self.next_appointment)
        escort_form.addRow("", self.next_error)

        # Verdict
        self.padss = QLabel()
        self.padss.setObjectName("padssScore")
        self.missing = QLabel()
        self.missing.setObjectName("missingList")
        self.missing.setWordWrap(True)
        self.missing.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.missing_frame = QFrame()
        self.missing_frame.setObjectName("missingFrame")  # QSS: red, green once ready
        QVBoxLayout(self.missing_frame).addWidget(self.missing)

        self.discharge_button = QPushButton("Discharge patient")
        self.discharge_button.setObjectName("btn_discharge_now")
        self.discharge_button.setMinimumHeight(44)
        self.discharge_button.clicked.connect(self._discharge)
        self.ama_button = QPushButton("Left against medical advice…")
        self.ama_button.setObjectName("btn_ama")
        self.ama_button.clicked.connect(self._against_advice)
        close = QPushButton("Close (answers are kept)")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.ama_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.discharge_button)

        columns = QHBoxLayout()
        left_page = QWidget()
        left = QVBoxLayout(left_page)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(computed)
        left.addWidget(confirm)
        left.addStretch(1)
        # On a low screen (1366x768) the criteria and answers scroll; the list of what is
        # missing (right) stays in view.
        scroller = QScrollArea()
        scroller.setObjectName("checklistScroll")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setWidget(left_page)
        right = QVBoxLayout()
        right.addWidget(escort)
        right.addWidget(self.padss)
        right.addWidget(self.missing_frame, 1)
        columns.addWidget(scroller, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(columns)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self._load(self.state.answers)
        self._verdict()
        self._fit_screen()
        self.ticker = QTimer(self)  # the observation time counts down on screen
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._verdict)
        self.ticker.start()
        self.oriented.setFocus()

    def _fit_screen(self) -> None:
        """Tall enough for the evidence of every criterion, as far as the screen allows."""
        screen = self.screen()
        room = screen.availableGeometry().height() - 40 if screen is not None else 900
        self.resize(self.width(), max(self.minimumHeight(), min(room, 940)))

    # -- widgets ---------------------------------------------------------------------------
    def _choice(self, key: str, items: list[tuple[str, object]]) -> QComboBox:
        box = QComboBox()
        box.setObjectName(f"field_{key}")
        box.addItem("— choose —", None)
        for text, value in items:
            box.addItem(text, value)
        box.currentIndexChanged.connect(self._changed_now)
        return box

    def _yes_no(self, key: str) -> QComboBox:
        return self._choice(key, [("Yes", True), ("No", False)])

    def _escort_changed(self) -> None:
        """The escort's name, relationship or phone typed anew: the in-person verification
        was of the person before, so it is cleared (and saved cleared) until they are
        verified."""
        if not self.escort_verified.isChecked():
            return
        self.escort_verified.setChecked(False)
        self.escort_changed_note.setText(
            "The escort's name, relationship or phone changed: verify the escort in person again"
        )
        self.escort_changed_note.show()

    def _text(self, key: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(f"field_{key}")
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(lambda _t: self._verdict())
        edit.editingFinished.connect(self._save)
        return edit

    @staticmethod
    def _select(box: QComboBox, value: object) -> None:
        index = box.findData(value) if value is not None else 0
        box.setCurrentIndex(max(0, index))

    def _load(self, answers: DischargeAnswers) -> None:
        widgets = (self.oriented, self.gait, self.nausea, self.iv_site)
        for w in widgets:
            w.blockSignals(True)
        self._select(self.oriented, answers.oriented)
        self._select(self.gait, answers.steady_gait)
        self._select(self.nausea, answers.nausea.value if answers.nausea else None)
        self.pain.setText("" if answers.pain is None else str(answers.pain))
        self._select(self.iv_site, answers.iv_site.value if answers.iv_site else None)
        for w in widgets:
            w.blockSignals(False)
        self.instructions_ack.blockSignals(True)
        self.instructions_ack.setChecked(answers.instructions_acknowledged)
        self.instructions_ack.blockSignals(False)
        escort = answers.escort
        self.escort_name.setText(escort.name)
        self.escort_relationship.setText(escort.relationship)
        self.escort_phone.setText(escort.phone)
        self.escort_verified.blockSignals(True)
        self.escort_verified.setChecked(escort.present_verified)
        self.escort_verified.blockSignals(False)

    def answers(self) -> DischargeAnswers:
        return DischargeAnswers(
            oriented=self.oriented.currentData(),
            steady_gait=self.gait.currentData(),
            nausea=_enum(Nausea, self.nausea.currentData()),
            pain=self._pain(),
            iv_site=_enum(IvSite, self.iv_site.currentData()),
            instructions_acknowledged=self.instructions_ack.isChecked(),
            escort=Escort(
                self.escort_name.text(),
                self.escort_relationship.text(),
                self.escort_phone.text(),
                self.escort_verified.isChecked(),
                self.handlers.nurse if self.escort_verified.isChecked() else "",
            ),
        )

    # -- behaviour -------------------------------------------------------------------------
    def check(self) -> DischargeCheck:
        facts = replace(self.state.facts, now=self.handlers.now())
        return evaluate(self.answers(), facts, self.handlers.rules)

    def _verdict(self) -> None:
        check = self.check()
        items = {i.key: i for i in check.items}
        for key, (mark, label, evidence) in self.computed_rows.items():
            item = items[key]
            mark.setText(MARKS[item.state])
            set_state(mark, "state", MARK_STATES[item.state])
            label.setText(SHORT_LABELS.get(key, item.label))
            label.setToolTip(item.label)
            evidence.setText(item.evidence)
        self.decision_button.setVisible(
            self.handlers.physician_decision is not None
            and items["side_effects"].state is ItemState.MISSING
        )
        self.dose_button.setVisible(
            self.handlers.dose_record is not None and items["dose"].state is ItemState.MISSING
        )
        self.escort_phone_error.setText(self._phone_problem())
        total = check.padss.total
        needed = self.handlers.rules.padss_minimum
        self.padss.setText(
            f"PADSS {total}/10 (discharge needs ≥ {needed})"
            if check.padss.complete
            else f"PADSS incomplete: {total} so far (needs ≥ {needed})"
        )
        if check.ready:
            self.missing.setText("✔ All discharge criteria are met.")
            set_state(self.missing_frame, "ready", True)
            set_state(self.missing, "ready", True)
        else:
            self.missing.setText(
                "Not yet — missing:\n" + "\n".join(f"✖ {m}" for m in check.missing)
            )
            set_state(self.missing_frame, "ready", False)
            set_state(self.missing, "ready", False)
        self.discharge_button.setEnabled(check.ready)
        self.discharge_button.setToolTip(
            "" if check.ready else "Missing: " + "; ".join(check.missing)
        )

    def _pain(self) -> int | None:
        """The pain score typed, or None (not answered, or not 0–10: said beside the field)."""
        text = self.pain.text().strip()
        self.pain_error.setText("")
        if not text:
            return None
        if text.isdecimal() and 0 <= int(text) <= 10:
            return int(text)
        self.pain_error.setText("Pain score must be a whole number 0–10")
        return None

    def _phone_problem(self) -> str:
        typed = self.escort_phone.text().strip()
        if not typed:
            return ""
        try:
            normalize_phone(typed, self.handlers.rules.phone_region)
        except FieldError as error:
            return error.message
        return ""

    def _changed_now(self, *_args: object) -> None:
        self._verdict()
        self._save()

    def _save(self) -> bool:
        with guard(self._save_refused) as refused:
            self.state = self.handlers.save(self.answers(), self.state.version)
        if refused:
            return False
        self._show_refusals({})
        self._mark_kept(())
        self.errors.say("")
        return True

    def _save_refused(self, error: Exception) -> None:
        if isinstance(error, StaleRecord):
            self._reload_keeping_entries(error)
            return
        refused = {}
        if isinstance(error, ValidationErrors):
            refused = {k: v for k, v in error.errors.items() if k in self.refusals}
        if not refused:
            self._not_saved(error)
            return
        # The record contradicts these answers: they were not saved, the others were.
        self.state = self.handlers.state()
        self._show_refusals(refused)
        self.errors.say("")

    def _reload_keeping_entries(self, error: StaleRecord) -> None:
        """Another workstation saved the checklist since this one was loaded: load what is
        stored now and put back on top what this nurse changed here since (only those
        fields, marked), so nothing typed is lost and nothing of theirs is wiped."""
        mine, loaded = self.answers(), self.state.answers
        with guard(self._not_saved) as failed:
            self.state = self.handlers.state()
        if failed:
            return
        merged, kept = kept_entries(mine, loaded, self.state.answers)
        self._load(merged)
        self._mark_kept(kept)
        self._verdict()
        labels = ", ".join(KEPT_LABELS[k] for k in kept)
        self.errors.say(
            f"Not saved: {error}" + (f" Kept from your entries: {labels}." if kept else "")
        )

    def _mark_kept(self, kept: tuple[str, ...]) -> None:
        """The fields re-applied after a reload look different until saved (QSS: kept)."""
        for key, widget in self._fields().items():
            set_state(widget, "kept", key in kept)

    def _fields(self) -> dict[str, QWidget]:
        return {
            "oriented": self.oriented,
            "steady_gait": self.gait,
            "nausea": self.nausea,
            "pain": self.pain,
            "iv_site": self.iv_site,
            "instructions_acknowledged": self.instructions_ack,
            "escort.name": self.escort_name,
            "escort.relationship": self.escort_relationship,
            "escort.phone": self.escort_phone,
            "escort.present_verified": self.escort_verified,
        }

    def _not_saved(self, error: Exception) -> bool:
        self.errors.say(f"Not saved: {error}")
        return False

    def _show_refusals(self, refused: dict[str, str]) -> None:
        for key, note in self.refusals.items():
            text = refused.get(key, "")
            note.setText(f"Not saved. {text}" if text else "")
            note.setVisible(bool(text))

    def _physician_decision(self) -> None:
        record = self.handlers.physician_decision
        if record is None:
            return
        waiting = awaiting_decision(self.state.facts.side_effects)
        if not waiting:
            return
        decided = PhysicianDecisionDialog.ask(self, self.title, waiting, record)
        if decided is None:
            return
        with guard(self._not_saved) as refused:
            self.state = self.handlers.state()  # the decision is now in the record
        if refused:
            return
        self._verdict()

    def _dose_record(self) -> None:
        """The session's dose record dialog; then the checklist reads the record again."""
        if self.handlers.dose_record is None:
            return
        self.handlers.dose_record()
        with guard(self._not_saved) as refused:
            self.state = self.handlers.state()
        if refused:
            return
        self._verdict()

    def _save_appointment(self) -> None:
        """The next appointment, printed on the summary (optional; local date and time)."""
        if self.handlers.set_next_appointment is None:
            return
        text = self.next_appointment.text().strip()
        try:
            when = datetime.strptime(text, "%Y-%m-%d %H:%M").astimezone() if text else None
        except ValueError:
            self.next_error.setText(
                "Next appointment: type YYYY-MM-DD HH:MM, e.g. 2026-12-01 09:30"
            )
            return
        set_when = self.handlers.set_next_appointment
        with guard(self._appointment_refused) as refused:
            self.state = set_when(when, self.state.version)
        if refused:
            return
        self.next_error.setText("")

    def _appointment_refused(self, error: Exception) -> None:
        """Said beside the field; the text typed stays. A stale checklist is reloaded (the
        answers kept as on any save), so pressing Enter again saves the appointment."""
        if isinstance(error, StaleRecord):
            self._reload_keeping_entries(error)
        self.next_error.setText(getattr(error, "message", str(error)))

    def _discharge(self) -> None:
        if not self._save():
            return
        with guard(self._say) as refused:
            self.state = self.handlers.discharge()
        if refused:
            return
        self.outcome = Outcome.DISCHARGED
        self.accept()

    def _against_advice(self) -> None:
        self._save()
        ama = AgainstAdviceDialog.ask(self, self.handlers.witnesses)
        if ama is None:
            return
        with guard(self._say) as refused:
            self.state = self.handlers.leave_against_advice(ama)
        if refused:
            return
        self.outcome = Outcome.AMA
        self.accept()

    def done(self, result: int) -> None:  # the ticker stops with the dialog
        self.ticker.stop()
        super().done(result)

    def _say(self, error: Exception) -> None:
        self.errors.say(str(error))

    def answer(self) -> str | None:
        """'discharged', 'ama', or None when closed (answers saved)."""
        return self.outcome


class AgainstAdviceDialog(KitDialog):
    """Reason, witness, escort present: recorded prominently on the summary."""

    def __init__(self, parent: QWidget | None, witnesses: tuple[tuple[str, str], ...]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Left against medical advice")
        self.setMinimumWidth(640)
        title = QLabel("The patient is leaving against medical advice")
        title.setObjectName("dialogTitle")
        self.reason = QLineEdit()
        self.reason.setObjectName("field_ama_reason")
        self.reason.setPlaceholderText("What happened, in a sentence")
        self.witness = QComboBox()
        self.witness.setObjectName("field_ama_witness")
        self.witness.addItem("— choose the staff member who witnessed it —", "")
        for username, display in witnesses:
            self.witness.addItem(display, username)
        self.escort_present = QCheckBox("An escort was present when the patient left")
        self.error = error_label()
        self.errors = FieldErrors(self.error, hide_empty_message=True)
        record = QPushButton("Record: left against medical advice")
        record.setObjectName("btn_record_ama")
        record.clicked.connect(self._submit)
        back = QPushButton("Go back")
        back.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow("Reason:", self.reason)
        form.addRow("Witness:", self.witness)
        form.addRow(self.escort_present)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(back)
        row.addWidget(record)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(row)
        self.result_value: AgainstAdvice | None = None

    def _submit(self) -> None:
        ama = AgainstAdvice(
            self.reason.text(), self.witness.currentData() or "", self.escort_present.isChecked()
        )
        problems = {}
        if not ama.reason.strip():
            problems["ama_reason"] = "Reason: say why the patient is leaving"
        if not ama.witness:
            problems["ama_witness"] = "Witness: choose who witnessed it"
        if problems:
            self.errors.say("\n".join(problems.values()))
            return
        self.result_value = ama
        self.accept()

    def answer(self) -> AgainstAdvice | None:
        """What was recorded, or None (gone back)."""
        return self.result_value
