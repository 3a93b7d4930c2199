"""One chair on the board: readable from two metres, the next action one key away."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.board import DoseLine, TileLevel, TileView
from ketamon.domain.vitals import Grade
from ketamon.ui.key_hints import unavailable_hint
from ketamon.ui.steady_label import Backed, TickLabel


@dataclass(frozen=True)
class TileAction:
    key: str
    text: str
    shortcut: str
    tooltip: str


ACTIONS = (
    TileAction("check_in", "Check in patient", "C", "Check a patient in to this chair"),
    TileAction("start", "Start infusion", "S", "Start the infusion timer now"),
    TileAction("pause", "Pause", "P", "Pause the infusion (a reason is required)"),
    TileAction("resume", "Resume", "R", "Resume the paused infusion"),
    TileAction("stop", "Stop infusion", "T", "Stop the infusion and begin recovery"),
    TileAction("discharge", "Discharge", "D", "Discharge the patient and free the chair"),
    TileAction("open", "Open session", "O", "Show the session's timeline: events, times, who"),
    TileAction("cancel", "Cancel session", "X", "Cancel the session (a reason is required)"),
    TileAction(
        "vitals",
        "Vitals",
        "V",
        "Enter a vitals set: BP as 128/84, Tab between fields, Enter saves",
    ),
    TileAction(
        "side_effects",
        "Side effects",
        "E",
        "Tick side effects as they happen: onset, severity, resolution, note",
    ),
    TileAction(
        "questionnaire",
        "Questionnaires",
        "Q",
        "Ask the clinic's questionnaires (PHQ-9, GAD-7) before the infusion; a positive "
        "PHQ-9 item 9 opens the clinician's review",
    ),
    TileAction(
        "acknowledge",
        "Acknowledge",
        "A",
        "Acknowledge the red vitals shown: records that you have seen them, and when",
    ),
)
# Drawn beside the vitals lines rather than in the action row.
VITALS_ACTIONS = ("vitals", "questionnaire", "side_effects", "acknowledge")

# Only a session not yet started is cancelled (domain.sessions.transition); X where the
# tile does not offer it (the infusion has started) says how the patient leaves instead.
CANCEL_AFTER_START = (
    "the infusion has started, so the session is not cancelled — stop it (T), then "
    "discharge (D) through the checklist or as leaving against advice"
)
# Which actions a tile offers at each level. The next step, where there is an obvious one,
# is drawn as the primary button.
AVAILABLE: dict[TileLevel, tuple[str, ...]] = {
    TileLevel.EMPTY: ("check_in",),
    TileLevel.WAITING: ("start", "open", "cancel", "vitals", "questionnaire"),
    TileLevel.RUNNING: ("stop", "pause", "open", "vitals", "side_effects"),
    TileLevel.TARGET_REACHED: ("stop", "pause", "open", "vitals", "side_effects"),
    TileLevel.OVERRUN: ("stop", "pause", "open", "vitals", "side_effects"),
    TileLevel.PAUSED: ("resume", "stop", "open", "vitals", "side_effects"),
    TileLevel.RECOVERY: ("discharge", "open", "vitals", "side_effects"),
}
ACK_SUFFIX = " — acknowledge (A)"
GRADE_NAMES = {Grade.NORMAL: "normal", Grade.AMBER: "amber", Grade.RED: "red"}


def offered(view: TileView | None, masked: bool) -> tuple[str, ...]:
    """The actions a tile offers: its level's, plus Acknowledge while an alert waits
    (red vitals or a severe side effect)."""
    if view is None or masked:
        return ()
    extra: tuple[str, ...] = ("acknowledge",) if view.red_set_ids or view.severe_effect_ids else ()
    level = AVAILABLE[view.level]
    if view.item9_outcome_id is not None and "questionnaire" not in level:
        extra += ("questionnaire",)  # a positive item 9 is reviewed from the tile (Q)
    return level + extra


PRIMARY: dict[TileLevel, str] = {
    TileLevel.EMPTY: "check_in",
    TileLevel.WAITING: "start",
    TileLevel.TARGET_REACHED: "stop",
    TileLevel.OVERRUN: "stop",
    TileLevel.PAUSED: "resume",
    TileLevel.RECOVERY: "discharge",
}


class ChairTile(QFrame):
    """Shows a TileView; emits `requested(action_key, chair_id)`."""

    requested = Signal(str, int)
    hint = Signal(str)  # a key that does nothing here: why, and what to press

    def __init__(self, chair_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chair_id = chair_id
        self.view: TileView | None = None  # what the services say
        self.shown: TileView | None = None  # what the labels show (masked when locked)
        self.masked = False
        self.setObjectName("tile")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.name_label = self._label("tileName")
        self.phase_label = self._label("tilePhase")
        self.phase_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.patient_label = self._label("tilePatient")
        # A long name wraps (the MRN stays whole) rather than widening the tile past its
        # column: the board keeps as many columns as the screen has room for.
        self.patient_label.setWordWrap(True)
        self.course_label = self._label("tileCourse")
        self.dose_label = self._label("tileDose")  # the dose plan, or "NO DOSE PLAN"
        self.caption_label = self._label("tileCaption")
        # These change every second: see TickLabel.
        self.timer_label = TickLabel("tileTimer")
        self.status_label = TickLabel("tileStatus")
        self.detail_label = TickLabel("tileDetail")
        self.vitals_label = TickLabel("tileVitals")
        self.vitals_label.setWordWrap(True)
        # The latest set, graded in words; "4 min ago" changes once a minute.
        self.latest_label = TickLabel("tileLatest")
        self.latest_label.setWordWrap(True)
        self.alert_label = self._label("tileAlertText")
        self.alert_label.setWordWrap(True)
        self.alert_banner = QFrame()
        self.alert_banner.setObjectName("tileAlert")
        self.alert_banner.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress_box = Backed(self.progress)  # it repaints as it grows, see Backed
        self.progress_box.setFixedHeight(14)

        header = QHBoxLayout()
        header.addWidget(self.name_label, 1)
        header.addWidget(self.phase_label)

        self.buttons: dict[str, QPushButton] = {}
        self.actions_by_key: dict[str, QAction] = {}
        self._offered: tuple[str, ...] | None = None
        button_row = QHBoxLayout()
        button_row.setSpacing(4)
        vitals_row = QHBoxLayout()
        vitals_row.setSpacing(8)
        vitals_row.addWidget(self.vitals_label, 1)
        alert_row = QHBoxLayout(self.alert_banner)
        alert_row.setContentsMargins(10, 3, 4, 3)
        alert_row.addWidget(self.alert_label, 1)
        for spec in ACTIONS:
            button = QPushButton(f"{spec.text} ({spec.shortcut})")
            button.setObjectName(f"btn_{spec.key}")
            button.setToolTip(f"{spec.tooltip}. Shortcut: {spec.shortcut} on the selected chair")
            # The vitals buttons share a line with their text: a little lower, so the
            # tile still fits a 1080-line screen with the lock panel above the board.
            button.setMinimumHeight(32 if spec.key in VITALS_ACTIONS else 40)
            button.clicked.connect(lambda _=False, k=spec.key: self._request(k))
            button.hide()
            if spec.key in ("vitals", "questionnaire", "side_effects"):
                vitals_row.addWidget(button)
            elif spec.key == "acknowledge":
                alert_row.addWidget(button)
            else:
                button_row.addWidget(button)
            self.buttons[spec.key] = button
            action = QAction(spec.text, self)
            action.setShortcut(QKeySequence(spec.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, k=spec.key: self._request(k))
            self.addAction(action)
            self.actions_by_key[spec.key] = action
        button_row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.patient_label)
        course_row = QHBoxLayout()
        course_row.addWidget(self.course_label)
        course_row.addStretch(1)
        course_row.addWidget(self.dose_label)
        layout.addLayout(course_row)
        layout.addStretch(1)
        layout.addWidget(self.caption_label)
        layout.addWidget(self.timer_label)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.status_label)
        layout.addWidget(self.detail_label)
        layout.addStretch(1)
        layout.addWidget(self.latest_label)
        layout.addLayout(vitals_row)
        layout.addWidget(self.alert_banner)
        layout.addLayout(button_row)

    def _label(self, name: str) -> QLabel:
        return _plain_label(QLabel(), name)

    def _request(self, key: str) -> None:
        if self.view is not None and key in self.available():
            self.requested.emit(key, self.chair_id)
        elif self.view is not None and not self.masked:  # say why nothing happens
            empty = self.view.level is TileLevel.EMPTY
            hint = unavailable_hint(self.view.chair_name, empty, key, self.available(), ACTIONS)
            if key == "cancel" and not empty:
                hint = f"{self.view.chair_name}: {CANCEL_AFTER_START}"
            self.hint.emit(hint)

    def available(self) -> tuple[str, ...]:
        return offered(self.view, self.masked)

    def apply(self, view: TileView, *, masked: bool = False) -> None:
        """Update only what changed since the last view (this runs every tick).

        Masked (the window is locked): the patient's name, MRN, course, any pause
        reason and the red vitals values are emptied from the labels, not just hidden; no
        action is offered. The vitals due line and the fact of a red alert stay.
        """
        shown = masked_view(view) if masked else view
        old, was_masked = self.shown, self.masked
        self.view, self.shown, self.masked = view, shown, masked
        if old is not None and old == shown and was_masked == masked:
            return
        for label, attr in (
            (self.name_label, "chair_name"),
            (self.patient_label, "patient_text"),
            (self.course_label, "course_text"),
            (self.caption_label, "timer_caption"),
            (self.timer_label, "timer_text"),
            (self.status_label, "status_text"),
            (self.detail_label, "detail_text"),
            (self.vitals_label, "vitals_text"),
            (self.dose_label, "dose_text"),
        ):
            text = getattr(shown, attr)
            if old is None or getattr(old, attr) != text:
                label.setText(text)
                label.setVisible(bool(text))
        if old is None or old.latest_text != shown.latest_text:
            self.latest_label.setText(_keep_each_value_whole(shown.latest_text))
            self.latest_label.setVisible(bool(shown.latest_text))
            self.latest_label.setToolTip(
                f"Latest vitals set, {shown.latest_text}" if shown.latest_text else ""
            )
        if old is None or old.latest_grade != shown.latest_grade:
            self.latest_label.setProperty("grade", GRADE_NAMES[shown.latest_grade])
            _repolish(self.latest_label)
        dose = dose_state(shown)
        if old is None or dose_state(old) != dose:
            self.dose_label.setProperty("dose", dose.value)
            _repolish(self.dose_label)
        if old is None or old.phase_text != shown.phase_text:
            self.phase_label.setText(shown.phase_text.upper())
        if old is None or old.progress_permille != shown.progress_permille:
            self.progress.setValue(shown.progress_permille)
        self.progress_box.setVisible(shown.level not in (TileLevel.EMPTY,))
        if old is None or old.alert_text != shown.alert_text:
            # The Acknowledge (A) button sits in the banner: the words are not repeated.
            alert = shown.alert_text.removesuffix(ACK_SUFFIX)
            self.alert_label.setText(alert if masked else _keep_values_whole(alert))
            self.alert_banner.setToolTip(shown.alert_text)
        self.alert_banner.setVisible(bool(shown.alert_text))
        if old is None or old.vitals_grade != shown.vitals_grade:
            self.vitals_label.setProperty("grade", GRADE_NAMES[shown.vitals_grade])
            _repolish(self.vitals_label)
        restyle = old is None or old.level != shown.level or was_masked != masked
        if restyle:
            self._restyle(shown.level)
        if restyle or self.available() != self._offered:
            self._offer(shown.level)

    def _restyle(self, level: TileLevel) -> None:
        self.setProperty("level", level.value)
        for widget in (self, self.phase_label, self.status_label, self.timer_label, self.progress):
            widget.setProperty("level", level.value)
            _repolish(widget)
        background = self.palette().window()  # the stylesheet's colour for this level
        for backed in (
            self.timer_label,
            self.status_label,
            self.detail_label,
            self.vitals_label,
            self.latest_label,
            self.progress_box,
        ):
            backed.set_background(background)

    def _offer(self, level: TileLevel) -> None:
        """Show the buttons and enable the keys of what this tile offers now."""
        available = self._offered = self.available()
        for key, button in self.buttons.items():
            button.setVisible(key in available)
            button.setProperty("primary", key == PRIMARY.get(level))
            _repolish(button)
        for action in self.actions_by_key.values():
            # every key answers (the unavailable ones with a hint, _request), unless locked
            action.setEnabled(not self.masked)
        self.setToolTip(
            "Locked: unlock to act on this chair"
            if self.masked
            else "Keys on this chair: "
            + ", ".join(f"{s.shortcut} {s.text.lower()}" for s in ACTIONS if s.key in available)
        )


def dose_state(view: TileView) -> DoseLine:
    """How the dose line is drawn: planned, unplanned (not yet started) or missing (the
    infusion started without a plan: framed, bold, in words, not by colour alone)."""
    if not view.dose_missing:
        return DoseLine.PLANNED
    return DoseLine.UNPLANNED if view.level is TileLevel.WAITING else DoseLine.MISSING


def masked_view(view: TileView) -> TileView:
    """What a locked board may show: chair, phase, timers, progress; nothing about the patient.

    A pause's status names its reason ("PAUSED 03:00: BP 168/102"); only the time stays.
    A red vitals or severe side-effect alert stays, without its details: it must be seen
    from across the room. So does a missing dose plan; a planned dose's figures go.
    """
    status = view.status_text
    if view.level is TileLevel.PAUSED:
        status = status.partition(": ")[0]
    if view.item9_outcome_id is not None and view.level is TileLevel.WAITING:
        status = "Not to start yet: unlock to see why"  # a suicide-risk answer stays private
    alert = ""
    if view.alert_text:
        what = []
        if view.red_set_ids:
            what.append("RED VITALS")
        if view.severe_effect_ids:
            what.append("SEVERE SIDE EFFECT")
        alert = f"{' + '.join(what) or 'ALERT'}: unlock to see and acknowledge"
    dose = view.dose_text if view.dose_missing else ""  # that there is no plan stays
    return replace(
        view,
        patient_text="",
        course_text="",
        status_text=status,
        alert_text=alert,
        latest_text="",
        latest_grade=Grade.NORMAL,
        dose_text=dose,
    )


def _keep_values_whole(text: str) -> str:
    """Wrap a long alert between values, never inside one ("SpO2 / 89%"). Side effect
    names wrap as words: a long one kept whole would widen the tile past the screen."""
    head, sep, values = text.partition(": ")
    if not sep or not head.startswith("RED VITALS"):
        return text
    red, marker, effects = values.partition("; SEVERE SIDE EFFECT")
    return f"{head}: " + re.sub(r"(?<=[^,;]) ", "\u00a0", red) + marker + effects


def _keep_each_value_whole(text: str) -> str:
    """The latest-vitals line wraps between values (at " · "), never inside one."""
    ago, sep, values = text.partition(": ")
    if not sep:
        return text
    whole = [v.replace(" ", "\u00a0") for v in values.split(" · ")]
    return f"{ago}: " + " · ".join(whole)


def _plain_label(label: QLabel, name: str) -> QLabel:
    label.setObjectName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


def _repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property changed."""
    if isinstance(widget, TickLabel):
        widget.repolish()
        return
    widget.style().unpolish(widget)
    widget.style().polish(widget)
