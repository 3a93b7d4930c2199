"""What a chair tile shows, computed from a session snapshot, the settings and the time.

Pure functions: the board repaints from these once a second without touching the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypedDict

from ketamon.domain import fields
from ketamon.domain.dose import DoseRecord, fmt, has_plan, plan_text
from ketamon.domain.news2 import News2, Response
from ketamon.domain.outcomes import (
    OutcomeRecord,
    awaiting_item9_review,
    item9_alert,
    item9_holding,
    questionnaires_missing,
)
from ketamon.domain.sessions import EventKind, Phase, SessionEvent, replay
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.side_effects import SideEffect, severe_alert_text
from ketamon.domain.start import NO_PLAN_NOTE
from ketamon.domain.timers import InfusionTimes, derive_times, format_duration
from ketamon.domain.vitals import Grade, VitalsSet
from ketamon.domain.vitals_due import vitals_due


@dataclass(frozen=True)
class Chair:
    id: int
    name: str
    position: int
    retired: bool = False
    version: int = 0  # the stored row's (storage/versions.py): passed back with a rename


MAX_CHAIR_NAME = fields.CHAIR_NAME_LENGTH


def clean_chair_name(name: object) -> str:
    return fields.one_line_text(
        "name", name, MAX_CHAIR_NAME, label="Chair name", required=True, collapse=True
    )


@dataclass(frozen=True)
class SessionSnapshot:
    """One session as the board and the timeline see it (immutable)."""

    id: int
    chair_id: int
    chair_name: str
    patient_id: int
    patient_name: str
    mrn: str
    course_kind: str  # "initial" or "maintenance"
    number_in_course: int
    course_length: int
    target_minutes: int
    phase: Phase
    events: tuple[SessionEvent, ...]

    @property
    def times(self) -> InfusionTimes:
        return derive_times(self.events)

    @property
    def paused(self) -> bool:
        return replay(self.events).paused

    @property
    def course_label(self) -> str:
        if self.course_kind == "maintenance":
            return f"Maintenance {self.number_in_course}"
        return f"Infusion {self.number_in_course} of {self.course_length}"


class DoseLine(StrEnum):
    """How a dose line is drawn (the tile's and the session window's; its QSS property)."""

    PLANNED = "planned"
    UNPLANNED = "unplanned"  # not planned yet, before the start
    MISSING = "missing"  # started without a plan: framed, bold, in words


class TileLevel(StrEnum):
    EMPTY = "empty"
    WAITING = "waiting"
    RUNNING = "running"
    PAUSED = "paused"
    TARGET_REACHED = "target"
    OVERRUN = "overrun"
    RECOVERY = "recovery"


@dataclass(frozen=True)
class TileView:
    chair_name: str
    level: TileLevel
    phase_text: str
    patient_text: str = ""
    course_text: str = ""
    timer_caption: str = ""
    timer_text: str = ""
    detail_text: str = ""
    status_text: str = ""
    progress_permille: int = 0  # 0..1000 of the target; capped
    # Vitals: when the next set is due (graded: normal, amber once overdue, red later) and
    # the unacknowledged red values, named in words ("RED VITALS: BP 185/100 ...").
    vitals_text: str = ""
    vitals_grade: Grade = Grade.NORMAL
    # The latest vitals set, always (acknowledged or not), each value graded in words:
    # "4 min ago: BP 184/106 RED · HR 118 AMBER · SpO2 97%"; its worst grade.
    latest_text: str = ""
    latest_grade: Grade = Grade.NORMAL
    alert_text: str = ""
    red_set_ids: tuple[int, ...] = ()  # the sets an acknowledgement on this tile covers
    severe_effect_ids: tuple[int, ...] = ()  # severe side effects not yet acknowledged
    # The dose plan: "Dose 0.5 mg/kg · 36.25 mg", or in words that there is none
    # ("Dose not planned" before the start, "NO DOSE PLAN" once the infusion has started).
    dose_text: str = ""
    dose_missing: bool = False
    # A positive PHQ-9 item 9 waiting for a clinician's decision (its questionnaire's id):
    # the alert names it, and the infusion cannot start until it is decided (Q reviews it).
    item9_outcome_id: int | None = None


class VitalsLike(Protocol):
    """What the board knows of a session's vitals (services.vitals.VitalsSummary)."""

    @property
    def taken(self) -> Sequence[datetime]: ...

    @property
    def unacknowledged_red(self) -> Sequence[VitalsSet]: ...

    @property
    def latest_news2(self) -> News2 | None: ...

    @property
    def latest(self) -> VitalsSet | None: ...  # the latest current vitals set, graded


class SideEffectsLike(Protocol):
    """What the board knows of a session's side effects (services.side_effects summary)."""

    @property
    def unacknowledged_severe(self) -> Sequence[SideEffect]: ...

    @property
    def open_count(self) -> int: ...  # ticked and not yet resolved, any severity


ACKNOWLEDGE_HINT = " — acknowledge (A)"


def tile_view(
    chair: Chair,
    session: SessionSnapshot | None,
    settings: ClinicSettings,
    now: datetime,
    vitals: VitalsLike | None = None,
    side_effects: SideEffectsLike | None = None,
) -> TileView:
    """The tile; with `vitals` (the session's summary) it also shows the vitals lines, and
    with `side_effects` how many are open and an alert naming each severe side effect not
    yet acknowledged."""
    view = _tile_view(chair, session, settings, now)
    if session is None or view.level is TileLevel.EMPTY:
        return view
    if vitals is not None:
        latest_set = vitals.latest
        red_at = (
            latest_set.taken_at
            if latest_set is not None and latest_set.worst is Grade.RED
            else None
        )
        text, grade = vitals_line(session, vitals.taken, settings, now, red_at)
        text, grade = with_news2(text, grade, vitals.latest_news2)
        red = tuple(vitals.unacknowledged_red)
        latest, latest_grade = latest_vitals_text(vitals.latest, now)
        view = replace(
            view,
            vitals_text=text,
            vitals_grade=grade,
            latest_text=latest,
            latest_grade=latest_grade,
            alert_text=red_alert_text(red),
            red_set_ids=tuple(s.id for s in red),
        )
    severe = tuple(side_effects.unacknowledged_severe) if side_effects is not None else ()
    opened = side_effects.open_count if side_effects is not None else 0
    if opened:  # a mild nausea is still what the nurse watches: said after the detail
        effects = f"{opened} side effect{'s' if opened > 1 else ''} open (E)"
        detail = f"{view.detail_text} · {effects}" if view.detail_text else effects
        view = replace(view, detail_text=detail)
    if severe:
        parts = [view.alert_text.removesuffix(ACKNOWLEDGE_HINT), severe_alert_text(severe)]
        view = replace(
            view,
            alert_text="; ".join(p for p in parts if p) + ACKNOWLEDGE_HINT,
            severe_effect_ids=tuple(e.id for e in severe),
        )
    return view


DOSE_NOT_PLANNED = "Dose not planned"
NO_DOSE_PLAN = "⚠ NO DOSE PLAN"


def with_dose(view: TileView, session: SessionSnapshot | None, plan: DoseRecord | None) -> TileView:
    """The tile with its dose line: the planned dose, or that there is none, in words."""
    if session is None or view.level is TileLevel.EMPTY:
        return view
    if has_plan(plan):
        assert plan is not None
        return replace(view, dose_text=f"Dose {plan_text(plan)}", dose_missing=False)
    started = session.phase is not Phase.CHECKED_IN
    return replace(view, dose_text=NO_DOSE_PLAN if started else DOSE_NOT_PLANNED, dose_missing=True)


NO_ESCORT_PLAN = "No escort plan yet"


def with_escort(view: TileView, session: SessionSnapshot | None, planned: bool) -> TileView:
    """The tile says when no escort home is named yet (the start asks for one, the
    checklist will not discharge without one): after the tile's detail line."""
    if session is None or view.level is TileLevel.EMPTY or planned:
        return view
    detail = f"{view.detail_text} · {NO_ESCORT_PLAN}" if view.detail_text else NO_ESCORT_PLAN
    return replace(view, detail_text=detail)


def session_dose_line(session: SessionSnapshot, plan: DoseRecord | None) -> tuple[str, DoseLine]:
    """The session window's dose line and how it is drawn (planned; unplanned before the
    start; missing once started without a plan, with the start's recorded reason)."""
    if has_plan(plan):
        assert plan is not None
        return (
            f"Dose plan: {plan_text(plan)} · {fmt(plan.concentration_mg_ml, 'mg/mL')} at "
            f"{fmt(plan.planned_rate_ml_h, 'mL/h')} · lot {plan.lot_number}",
            DoseLine.PLANNED,
        )
    start = next((e for e in session.events if e.kind is EventKind.START), None)
    if start is None:
        hint = ": plan it before the infusion (Interventions tab)" if session.phase.active else ""
        return DOSE_NOT_PLANNED + hint, DoseLine.UNPLANNED
    prefix = f"{NO_PLAN_NOTE}: "
    # A start from before the rule has no such note.
    why = start.reason.removeprefix(prefix) if start.reason.startswith(prefix) else ""
    why = why or "no reason recorded"
    return f"{NO_DOSE_PLAN} — the infusion started without one: {why}", DoseLine.MISSING


def with_news2(text: str, grade: Grade, news: News2 | None) -> tuple[str, Grade]:
    """The latest set's NEWS2 on the tile when the RCP response is medium or high."""
    if news is None or news.response is None or news.response < Response.MEDIUM:
        return text, grade
    shown = Grade.RED if news.response is Response.HIGH else Grade.AMBER
    return " · ".join(p for p in (news.words, text) if p), max(grade, shown)


def vitals_line(
    session: SessionSnapshot,
    taken: Sequence[datetime],
    settings: ClinicSettings,
    now: datetime,
    red_at: datetime | None = None,
) -> tuple[str, Grade]:
    """ "Vitals due in 04:12 · every 15 min", then "late" (amber), then "VITALS OVERDUE"
    (red), from stored times; after a set with red values (taken at `red_at`), its
    recheck ("Vitals due in 03:00 · recheck after red values")."""
    schedule = settings.vitals_schedule
    due = vitals_due(session.times, session.phase, list(taken), schedule, now, red_at)
    if due is not None:
        return due.text, due.grade
    if session.phase is Phase.CHECKED_IN:
        return "Baseline vitals recorded", Grade.NORMAL
    return "", Grade.NORMAL


# Short names for the alert banner, read from across the room.
_SHORT = {
    "heart_rate": "HR",
    "spo2": "SpO2",
    "resp_rate": "RR",
    "temperature": "Temp",
    "pain": "Pain",
    "sedation": "MOAA/S",
}
_SUFFIX = {"spo2": "%", "temperature": " °C", "pain": "/10"}
MAX_SETS_NAMED = 3


def ago_text(elapsed: timedelta) -> str:
    """ "just now", "4 min ago", "1 h 05 min ago" (whole minutes: it changes once a minute)."""
    minutes = max(0, int(elapsed.total_seconds() // 60))
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    return f"{minutes // 60} h {minutes % 60:02d} min ago"


def _graded(text: str, grade: Grade) -> str:
    return text if grade is Grade.NORMAL else f"{text} {grade.label}"


def spo2_text(vitals_set: VitalsSet) -> str:
    """ "SpO2 89% (scale 2) on O2": the scale is named where it is not the usual one."""
    v = vitals_set.values
    scale = " (scale 2)" if vitals_set.scale2 else ""
    return f"SpO2 {v.spo2:g}%{scale}{' on O2' if v.oxygen else ''}"


def latest_vitals_text(vitals_set: VitalsSet | None, now: datetime) -> tuple[str, Grade]:
    """The latest set on the tile: BP, HR, SpO2 always, any other value that is not
    normal, each graded in words, and how long ago it was taken (from its stored time)."""
    if vitals_set is None:
        return "", Grade.NORMAL
    v, grades = vitals_set.values, vitals_set.grades
    parts = []
    if v.systolic is not None:
        bp = max(grades.get("systolic", Grade.NORMAL), grades.get("diastolic", Grade.NORMAL))
        parts.append(_graded(f"BP {v.systolic}/{v.diastolic}", bp))
    if v.heart_rate is not None:
        parts.append(_graded(f"HR {v.heart_rate:g}", grades.get("heart_rate", Grade.NORMAL)))
    if v.spo2 is not None:
        parts.append(_graded(spo2_text(vitals_set), grades.get("spo2", Grade.NORMAL)))
    for key in ("resp_rate", "temperature", "sedation", "pain"):
        grade = grades.get(key, Grade.NORMAL)
        if grade is not Grade.NORMAL:
            value = f"{getattr(v, key):g}{_SUFFIX.get(key, '')}"
            parts.append(_graded(f"{_SHORT[key]} {value}", grade))
    ago = ago_text(now - vitals_set.taken_at)
    return f"{ago}: " + " · ".join(parts), vitals_set.worst


def red_values_text(vitals_set: VitalsSet) -> str:
    """The red values of one set in words: "BP 185/100, SpO2 89%"."""
    values, parts = vitals_set.values, []
    red = {k for k, g in vitals_set.grades.items() if g is Grade.RED}
    if red & {"systolic", "diastolic"}:
        parts.append(f"BP {values.systolic}/{values.diastolic}")
    for key, short in _SHORT.items():
        if key == "spo2" and key in red:
            parts.append(spo2_text(vitals_set))
        elif key in red:
            parts.append(f"{short} {getattr(values, key):g}{_SUFFIX.get(key, '')}")
    return ", ".join(parts)


def red_alert_text(red_sets: Sequence[VitalsSet]) -> str:
    """One line naming every unacknowledged red value (newest sets first), or ""."""
    if not red_sets:
        return ""
    newest = sorted(red_sets, key=lambda s: s.taken_at, reverse=True)
    named = "; ".join(red_values_text(s) for s in newest[:MAX_SETS_NAMED])
    more = len(newest) - MAX_SETS_NAMED
    if more > 0:
        named += f"; +{more} earlier set{'s' if more > 1 else ''}"
    return f"RED VITALS: {named}{ACKNOWLEDGE_HINT}"


class _TileCommon(TypedDict):
    chair_name: str
    patient_text: str
    course_text: str


def _tile_view(
    chair: Chair,
    session: SessionSnapshot | None,
    settings: ClinicSettings,
    now: datetime,
) -> TileView:
    if session is None or not session.phase.active:
        return TileView(
            chair.name,
            TileLevel.EMPTY,
            "Empty",
            status_text="Chair free: ready for the next patient",
        )
    times = session.times
    target = timedelta(minutes=session.target_minutes)
    target_text = format_duration(target)
    common: _TileCommon = {
        "chair_name": chair.name,
        "patient_text": f"{session.patient_name}  ·  MRN\N{NO-BREAK SPACE}{session.mrn}",
        "course_text": session.course_label,
    }
    if session.phase is Phase.CHECKED_IN:
        return TileView(
            level=TileLevel.WAITING,
            phase_text="Checked in",
            timer_caption="Infusion",
            timer_text=f"00:00 / {target_text}",
            detail_text=f"Checked in {format_duration(times.since_check_in(now))} ago",
            status_text="Ready to start",
            **common,
        )
    if session.phase is Phase.RECOVERY:
        return _recovery_view(times, target, settings, common, now)
    elapsed = times.infusion_elapsed(now)
    overrun_after = target + timedelta(minutes=settings.overrun_alert_minutes)
    progress = _permille(elapsed, target)
    if times.paused:
        reason = times.pauses[-1].reason
        level, phase_text = TileLevel.PAUSED, "Paused"
        status = f"PAUSED {format_duration(times.current_pause(now))}: {reason}"
    elif elapsed > overrun_after:
        level, phase_text = TileLevel.OVERRUN, "Infusing"
        status = f"OVER TARGET by {format_duration(elapsed - target)}"
    elif elapsed >= target:
        level, phase_text = TileLevel.TARGET_REACHED, "Infusing"
        status = "TARGET REACHED: stop the infusion"
    else:
        level, phase_text = TileLevel.RUNNING, "Infusing"
        status = f"{format_duration(target - elapsed)} to target"
    return TileView(
        level=level,
        phase_text=phase_text,
        timer_caption="Infusion",
        timer_text=f"{format_duration(elapsed)} / {target_text}",
        detail_text=_pauses_text(times, now),
        status_text=status,
        progress_permille=progress,
        **common,
    )


def _recovery_view(
    times: InfusionTimes,
    target: timedelta,
    settings: ClinicSettings,
    common: _TileCommon,
    now: datetime,
) -> TileView:
    """Recovery: the bar fills toward the minimum observation time after the infusion (the
    discharge checklist's own rule), not toward the infusion's target."""
    since = times.since_end(now)
    minimum = timedelta(minutes=settings.discharge_min_observation_minutes)
    left = minimum - since
    if left > timedelta(0):
        timer = f"{format_duration(since)} / {format_duration(minimum)}"
        status = f"{format_duration(left)} to minimum observation"
    else:
        timer = format_duration(since)
        status = "Minimum observation met"
    return TileView(
        level=TileLevel.RECOVERY,
        phase_text="Recovery",
        timer_caption="Observed since infusion end",
        timer_text=timer,
        detail_text=(
            f"Infusion ran {format_duration(times.infusion_elapsed(now))}"
            f" of {format_duration(target)}"
        ),
        status_text=status,
        progress_permille=_permille(since, minimum),
        **common,
    )


def _pauses_text(times: InfusionTimes, now: datetime) -> str:
    """Pauses so far. Unlike a "started mm:ss ago" line it does not change every second
    while the infusion runs, so the tick repaints fewer labels (idle CPU)."""
    done = [p for p in times.pauses if p.end is not None]
    if not done:
        return "No pauses" if not times.paused else ""
    total = sum((p.end - p.start for p in done if p.end is not None), timedelta(0))
    count = f"{len(done)} pause" + ("s" if len(done) > 1 else "")
    return f"{count} so far ({format_duration(total)} in all)"


def _permille(elapsed: timedelta, target: timedelta) -> int:
    if target <= timedelta(0):
        return 1000
    return min(1000, int(1000 * elapsed / target))


ITEM9_HINT = " — review it (Q)"
QUESTIONNAIRES_DUE = "To ask first: "


def with_outcomes(
    view: TileView,
    session: SessionSnapshot | None,
    records: Sequence[OutcomeRecord],
    asked: Sequence[str],
) -> TileView:
    """The tile with the item-9 alert while a positive PHQ-9 item 9 waits for a clinician
    (ketamon.domain.outcomes), and, before the start, which of the clinic's questionnaires
    (`asked`, in order) are still to be asked."""
    if session is None or view.level is TileLevel.EMPTY:
        return view
    phq9 = awaiting_item9_review(records)
    if phq9 is not None:
        alert = item9_alert(phq9.score) + ITEM9_HINT
        parts = [alert, view.alert_text]
        view = replace(
            view,
            alert_text="; ".join(p for p in parts if p),
            item9_outcome_id=phq9.id,
            status_text="Not to start: PHQ-9 item 9 (Q)"
            if view.level is TileLevel.WAITING
            else view.status_text,
        )
    elif view.level is TileLevel.WAITING and (held := item9_holding(records)) is not None:
        # Decided, but not to proceed (delay, escalate): START is refused, and says so
        review = held.review
        decided = f": {review.decided_by} decided to {review.decision.value}" if review else ""
        view = replace(view, status_text=f"Not to start today: PHQ-9 item 9{decided}")
    elif view.level is TileLevel.WAITING:
        missing = questionnaires_missing(records, asked)
        if missing:
            view = replace(view, status_text=f"{QUESTIONNAIRES_DUE}{', '.join(missing)} (Q)")
    return view
