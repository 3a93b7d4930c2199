"""A session's clinical record in time order: the timeline and the chart's markers.

Built from plain inputs (what the services read from storage), so the wording and the
order are tested without a database. Every entry says when, what and who; voided items
stay in the timeline (marked VOIDED, with the reason) but are not marked on the chart.

Event kinds this module does not know (a newer version wrote them) are shown by their
stored name made readable, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ketamon.domain.side_effects import Severity
from ketamon.domain.statuses import RecordStatus


class EntryKind(StrEnum):
    SESSION = "session"  # check-in, discharge, cancel
    INFUSION = "infusion"  # start, pause, resume, rate change, stop
    DOSE = "dose"  # dose planned / given
    SIDE_EFFECT = "side_effect"
    MEDICATION = "medication"
    VITALS = "vitals"  # a set taken, corrected or voided; red values acknowledged

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    EntryKind.SESSION: "Session",
    EntryKind.INFUSION: "Infusion",
    EntryKind.DOSE: "Dose",
    EntryKind.SIDE_EFFECT: "Side effect",
    EntryKind.MEDICATION: "Medication",
    EntryKind.VITALS: "Vitals",
}

INFUSION_EVENTS = frozenset({"start", "pause", "resume", "rate_change", "stop"})
EVENT_LABELS = {
    "check_in": "Checked in",
    "start": "Infusion started",
    "pause": "Infusion paused",
    "resume": "Infusion resumed",
    "rate_change": "Infusion rate changed",
    "stop": "Infusion stopped",
    "discharge": "Discharged",
    "cancel": "Session cancelled",
}
SHORT_EVENT_LABELS = {
    "start": "Start",
    "pause": "Pause",
    "resume": "Resume",
    "rate_change": "Rate",
    "stop": "Stop",
}
SEVERE = Severity.SEVERE


def event_label(kind: str) -> str:
    """ "Infusion paused"; an unknown kind "bolus_given" reads "Bolus given"."""
    return EVENT_LABELS.get(kind) or kind.replace("_", " ").strip().capitalize() or "Event"


def severity_text(severity: str) -> str:
    """Severity as words; severe in capitals so it does not rely on colour."""
    return severity.upper() if severity == SEVERE else severity


# -- inputs (plain copies of what storage holds) ------------------------------------------
@dataclass(frozen=True)
class EventIn:
    kind: str  # the stored kind, known or not
    at: datetime
    actor: str
    reason: str = ""
    rate_ml_h: float | None = None


@dataclass(frozen=True)
class SideEffectIn:
    id: int
    label: str
    onset_at: datetime
    severity: str
    entered_by: str
    resolved_at: datetime | None = None
    other_text: str = ""
    note: str = ""
    status: RecordStatus = RecordStatus.CURRENT
    status_reason: str = ""
    acknowledged_by: str | None = None  # a SEVERE one, seen by
    acknowledged_at: datetime | None = None

    @property
    def name(self) -> str:
        return f"{self.label}: {self.other_text}" if self.other_text else self.label


@dataclass(frozen=True)
class VitalsIn:
    """One stored vitals set, as the timeline tells it."""

    id: int
    taken_at: datetime
    entered_by: str
    values: str  # "BP 128/84 · HR 74 · SpO2 98%": every value recorded
    status: RecordStatus = RecordStatus.CURRENT
    status_reason: str = ""
    corrects_id: int | None = None
    acknowledged_by: str | None = None  # red values seen by
    acknowledged_at: datetime | None = None


@dataclass(frozen=True)
class MedicationIn:
    id: int
    drug: str
    dose: float
    unit: str
    route: str
    given_at: datetime
    given_by: str
    note: str = ""
    status: RecordStatus = RecordStatus.CURRENT
    status_reason: str = ""
    for_effect: str = ""  # the side effect it treated, if recorded

    @property
    def name(self) -> str:
        return f"{self.drug} {self.dose:g} {self.unit} {self.route}".strip()


@dataclass(frozen=True)
class DoseIn:
    planned_at: datetime
    planned_by: str
    planned_mg: float
    mg_per_kg: float
    weight_kg: float
    concentration_mg_ml: float
    planned_rate_ml_h: float
    lot_number: str = ""
    completed_at: datetime | None = None
    completed_by: str | None = None
    actual_mg: float | None = None
    wasted_mg: float | None = None
    witness: str | None = None
    over_plan_reason: str = ""


@dataclass(frozen=True)
class Change:
    """One audited field change of a side effect or medication (who changed what, when)."""

    entity: str  # "side_effect" | "medication_given" | "vitals_set"
    entity_id: int
    field: str
    new: str | None
    at: datetime
    actor: str
    reason: str = ""
    old: str | None = None


# -- outputs ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: EntryKind
    text: str
    actor: str
    severity: str = ""  # side effects: mild / moderate / severe
    reason: str = ""  # why (pause, void, correction) or the nurse's note
    voided: bool = False  # the item this entry records was later voided


@dataclass(frozen=True)
class Marker:
    """Something to mark on the chart at `at`; `text` is what hovering shows."""

    at: datetime
    kind: EntryKind
    label: str  # short: "Pause", "Nausea", "Ondansetron 4 mg IV"
    text: str  # time is added by the chart (local time); what and who are here
    actor: str
    severity: str = ""
    event: str = ""  # infusion markers: the stored event kind


# -- building -----------------------------------------------------------------------------
def _event_text(event: EventIn) -> str:
    text = event_label(event.kind)
    if event.rate_ml_h is not None:
        text += (
            f" to {event.rate_ml_h:g} mL/h"
            if event.kind == "rate_change"
            else (f" at {event.rate_ml_h:g} mL/h")
        )
    return text


def _dose_entries(dose: DoseIn) -> list[TimelineEntry]:
    out = [
        TimelineEntry(
            dose.planned_at,
            EntryKind.DOSE,
            f"Dose planned: {dose.planned_mg:g} mg ({dose.mg_per_kg:g} mg/kg × "
            f"{dose.weight_kg:g} kg), {dose.concentration_mg_ml:g} mg/ml at "
            f"{dose.planned_rate_ml_h:g} mL/h"
            + (f", lot {dose.lot_number}" if dose.lot_number else ""),
            dose.planned_by,
        )
    ]
    if dose.completed_at is not None:
        parts = [
            f"Dose given: {dose.actual_mg:g} mg" if dose.actual_mg is not None else "Dose given"
        ]
        if dose.wasted_mg is not None:
            parts.append(f"wasted {dose.wasted_mg:g} mg")
        if dose.witness:
            parts.append(f"witness {dose.witness}")
        out.append(
            TimelineEntry(
                dose.completed_at,
                EntryKind.DOSE,
                ", ".join(parts),
                dose.completed_by or dose.planned_by,
                reason=dose.over_plan_reason,
            )
        )
    return out


def _changes_of(changes: Iterable[Change], entity: str, entity_id: int) -> list[Change]:
    return [c for c in changes if c.entity == entity and c.entity_id == entity_id]


def _side_effect_entries(effect: SideEffectIn, changes: Sequence[Change]) -> list[TimelineEntry]:
    voided = effect.status == RecordStatus.VOIDED
    mine = sorted(_changes_of(changes, "side_effect", effect.id), key=lambda c: c.at)
    later = [c for c in mine if c.field == "severity"]
    # the severity at onset: before its first change (or the stored one, never changed)
    first = (later[0].old if later else None) or effect.severity
    out = [
        TimelineEntry(
            effect.onset_at,
            EntryKind.SIDE_EFFECT,
            f"Side effect began: {effect.name} ({severity_text(first)})",
            effect.entered_by,
            severity=first,
            reason=effect.note,
            voided=voided,
        )
    ]
    for change in later:
        if change.new:
            out.append(
                TimelineEntry(
                    change.at,
                    EntryKind.SIDE_EFFECT,
                    f"Side effect {effect.name}: severity now {severity_text(change.new)}",
                    change.actor,
                    severity=change.new,
                    reason=change.reason,
                    voided=voided,
                )
            )
    if effect.resolved_at is not None:
        who = next((c.actor for c in reversed(mine) if c.field == "resolved_at"), effect.entered_by)
        out.append(
            TimelineEntry(
                effect.resolved_at,
                EntryKind.SIDE_EFFECT,
                f"Side effect resolved: {effect.name}",
                who,
                voided=voided,
            )
        )
    if effect.acknowledged_at is not None and effect.acknowledged_by:
        out.append(
            TimelineEntry(
                effect.acknowledged_at,
                EntryKind.SIDE_EFFECT,
                f"SEVERE side effect acknowledged: {effect.name}",
                effect.acknowledged_by,
                severity=SEVERE,
                voided=voided,
            )
        )
    out.extend(
        _void_entries(
            mine, f"Side effect {RecordStatus.VOIDED.label}: {effect.name}", EntryKind.SIDE_EFFECT
        )
    )
    return out


def vitals_values_text(values: object) -> str:
    """Every value a set records, in the tile's words: "BP 128/84 · HR 74 · SpO2 98% on O2
    · RR 14 · Temp 36.8 °C · Pain 2/10 · MOAA/S 5"."""
    v = values
    parts = []
    systolic, diastolic = getattr(v, "systolic", None), getattr(v, "diastolic", None)
    if systolic is not None:
        parts.append(f"BP {systolic}/{diastolic}")
    for key, label, suffix in _VALUE_WORDS:
        value = getattr(v, key, None)
        if value is not None:
            parts.append(f"{label} {value:g}{suffix}")
            if key == "spo2" and getattr(v, "oxygen", False):
                parts[-1] += " on O2"
    return " · ".join(parts) or "scores only"


_VALUE_WORDS = (
    ("heart_rate", "HR", ""),
    ("spo2", "SpO2", "%"),
    ("resp_rate", "RR", ""),
    ("temperature", "Temp", " °C"),
    ("pain", "Pain", "/10"),
    ("sedation", "MOAA/S", ""),
    ("dissociation", "Dissociation", ""),
    ("cadss", "CADSS", ""),
)


def _vitals_entries(vitals: VitalsIn, changes: Sequence[Change]) -> list[TimelineEntry]:
    voided = vitals.status == RecordStatus.VOIDED
    what = "Vitals corrected" if vitals.corrects_id is not None else "Vitals"
    text = f"{what}: {vitals.values}"
    if vitals.status == RecordStatus.CORRECTED:
        text += " (corrected later)"
    reason = vitals.status_reason if vitals.corrects_id is not None else ""
    out = [
        TimelineEntry(
            vitals.taken_at, EntryKind.VITALS, text, vitals.entered_by, reason=reason, voided=voided
        )
    ]
    if vitals.acknowledged_at is not None and vitals.acknowledged_by:
        out.append(
            TimelineEntry(
                vitals.acknowledged_at,
                EntryKind.VITALS,
                f"RED vitals acknowledged: {vitals.values}",
                vitals.acknowledged_by,
                voided=voided,
            )
        )
    mine = _changes_of(changes, "vitals_set", vitals.id)
    out.extend(
        _void_entries(
            mine, f"Vitals {RecordStatus.VOIDED.label}: {vitals.values}", EntryKind.VITALS
        )
    )
    return out


def _void_entries(mine: list[Change], text: str, kind: EntryKind) -> list[TimelineEntry]:
    return [
        TimelineEntry(c.at, kind, text, c.actor, reason=c.reason, voided=True)
        for c in mine
        if c.field == "status" and c.new == RecordStatus.VOIDED
    ]


def _medication_entries(med: MedicationIn, changes: Sequence[Change]) -> list[TimelineEntry]:
    voided = med.status == RecordStatus.VOIDED
    text = f"Medication given: {med.name}"
    if med.for_effect:
        text += f" (for {med.for_effect})"
    mine = _changes_of(changes, "medication_given", med.id)
    return [
        TimelineEntry(
            med.given_at, EntryKind.MEDICATION, text, med.given_by, reason=med.note, voided=voided
        ),
        *_void_entries(
            mine, f"Medication {RecordStatus.VOIDED.label}: {med.name}", EntryKind.MEDICATION
        ),
    ]


def build_timeline(
    events: Sequence[EventIn] = (),
    side_effects: Sequence[SideEffectIn] = (),
    medications: Sequence[MedicationIn] = (),
    dose: DoseIn | None = None,
    changes: Sequence[Change] = (),
    vitals: Sequence[VitalsIn] = (),
) -> list[TimelineEntry]:
    """Everything that happened in a session, oldest first. At the same moment: the
    check-in, then vitals (a baseline typed as the infusion starts came first), then the
    rest in input order."""
    entries = [
        (
            e.kind,
            TimelineEntry(
                e.at,
                EntryKind.INFUSION if e.kind in INFUSION_EVENTS else EntryKind.SESSION,
                _event_text(e),
                e.actor,
                reason=e.reason,
            ),
        )
        for e in events
    ]
    out = [entry for kind, entry in entries if kind == "check_in"]
    for vitals_set in vitals:
        out.extend(_vitals_entries(vitals_set, changes))
    out.extend(entry for kind, entry in entries if kind != "check_in")
    if dose is not None:
        out.extend(_dose_entries(dose))
    for effect in side_effects:
        out.extend(_side_effect_entries(effect, changes))
    for med in medications:
        out.extend(_medication_entries(med, changes))
    return sorted(out, key=lambda entry: entry.at)  # stable


def build_markers(
    events: Sequence[EventIn] = (),
    side_effects: Sequence[SideEffectIn] = (),
    medications: Sequence[MedicationIn] = (),
) -> list[Marker]:
    """One chart marker per infusion action, side effect and medication (voided ones not)."""
    out: list[Marker] = []
    for e in events:
        if e.kind not in INFUSION_EVENTS:
            continue
        text = _event_text(e) + (f" ({e.reason})" if e.reason else "")
        label = SHORT_EVENT_LABELS.get(e.kind, event_label(e.kind))
        if e.kind == "rate_change" and e.rate_ml_h is not None:
            label = f"{e.rate_ml_h:g} mL/h"
        out.append(Marker(e.at, EntryKind.INFUSION, label, text, e.actor, event=e.kind))
    for effect in side_effects:
        if effect.status == RecordStatus.VOIDED:
            continue
        text = f"Side effect: {effect.name}, {severity_text(effect.severity)}"
        if effect.resolved_at is not None:
            text += " (resolved)"
        label = effect.label + (" SEVERE" if effect.severity == SEVERE else "")
        out.append(
            Marker(
                effect.onset_at,
                EntryKind.SIDE_EFFECT,
                label,
                text,
                effect.entered_by,
                severity=effect.severity,
            )
        )
    for med in medications:
        if med.status == RecordStatus.VOIDED:
            continue
        text = f"Medication: {med.name}" + (f" for {med.for_effect}" if med.for_effect else "")
        out.append(Marker(med.given_at, EntryKind.MEDICATION, med.name, text, med.given_by))
    return sorted(out, key=lambda m: m.at)
