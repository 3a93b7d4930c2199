"""A session's combined record for the timeline tab and the chart's markers (read only).

Reads the stored rows directly (session events, dose record, side effects, medications)
and the audit trail for who voided, resolved or re-graded what, and when; the wording and
order come from domain.record.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.errors import NotFound
from ketamon.domain.record import (
    Change,
    DoseIn,
    EventIn,
    Marker,
    MedicationIn,
    SideEffectIn,
    TimelineEntry,
    VitalsIn,
    build_markers,
    build_timeline,
    vitals_values_text,
)
from ketamon.domain.statuses import RecordStatus
from ketamon.services.base import Service
from ketamon.storage.models import (
    AuditRow,
    DoseRecordRow,
    MedicationRow,
    SessionEventRow,
    SessionRow,
    SideEffectRow,
    VitalsRow,
)

TRACKED_FIELDS = ("status", "severity", "resolved_at")


class RecordService(Service):
    def timeline(self, session_id: int) -> list[TimelineEntry]:
        """Every session event, dose step, side effect, medication and vitals set (with
        their corrections, voids and acknowledgements), oldest first."""
        with self.db.transaction(write=False) as tx:
            events, effects, meds, dose, changes = _read(tx, session_id)
            vitals = _vitals(tx, session_id)
            changes += _audited(tx, "vitals_set", {v.id: v.status_reason for v in vitals})
            return build_timeline(events, effects, meds, dose, changes, vitals)

    def markers(self, session_id: int) -> list[Marker]:
        """What the chart marks: infusion actions, side effects, medications (not voided)."""
        with self.db.transaction(write=False) as tx:
            events, effects, meds, _dose, _changes = _read(tx, session_id, audit=False)
            return build_markers(events, effects, meds)


_Record = tuple[list[EventIn], list[SideEffectIn], list[MedicationIn], DoseIn | None, list[Change]]


def _read(tx: Session, session_id: int, *, audit: bool = True) -> _Record:
    if tx.get(SessionRow, session_id) is None:
        raise NotFound(f"Session {session_id} not found")
    events = [
        EventIn(r.kind, r.at, r.actor, r.reason or "", r.rate_ml_h)
        for r in tx.scalars(
            select(SessionEventRow)
            .where(SessionEventRow.session_id == session_id)
            .order_by(SessionEventRow.seq)
        )
    ]
    effect_rows = list(
        tx.scalars(
            select(SideEffectRow)
            .where(SideEffectRow.session_id == session_id)
            .order_by(SideEffectRow.onset_at, SideEffectRow.id)
        )
    )
    names = {r.id: (f"{r.label}: {r.other_text}" if r.other_text else r.label) for r in effect_rows}
    effects = [
        SideEffectIn(
            id=r.id,
            label=r.label,
            onset_at=r.onset_at,
            severity=r.severity,
            entered_by=r.entered_by,
            resolved_at=r.resolved_at,
            other_text=r.other_text or "",
            note=r.note or "",
            status=RecordStatus(r.status),
            status_reason=r.status_reason or "",
            acknowledged_by=r.acknowledged_by,
            acknowledged_at=r.acknowledged_at,
        )
        for r in effect_rows
    ]
    med_rows = list(
        tx.scalars(
            select(MedicationRow)
            .where(MedicationRow.session_id == session_id)
            .order_by(MedicationRow.given_at, MedicationRow.id)
        )
    )
    meds = [
        MedicationIn(
            id=r.id,
            drug=r.drug,
            dose=r.dose,
            unit=r.unit,
            route=r.route,
            given_at=r.given_at,
            given_by=r.given_by,
            note=r.note or "",
            status=RecordStatus(r.status),
            status_reason=r.status_reason or "",
            for_effect=names.get(r.side_effect_id, "") if r.side_effect_id else "",
        )
        for r in med_rows
    ]
    dose_row = tx.get(DoseRecordRow, session_id)
    dose = (
        DoseIn(
            planned_at=dose_row.planned_at,
            planned_by=dose_row.planned_by,
            planned_mg=dose_row.planned_mg,
            mg_per_kg=dose_row.mg_per_kg,
            weight_kg=dose_row.weight_kg,
            concentration_mg_ml=dose_row.concentration_mg_ml,
            planned_rate_ml_h=dose_row.planned_rate_ml_h,
            lot_number=dose_row.lot_number or "",
            completed_at=dose_row.completed_at,
            completed_by=dose_row.completed_by,
            actual_mg=dose_row.actual_mg,
            wasted_mg=dose_row.wasted_mg,
            witness=dose_row.witness,
            over_plan_reason=dose_row.over_plan_reason or "",
        )
        if dose_row is not None
        else None
    )
    changes = _changes(tx, effect_rows, med_rows) if audit else []
    return events, effects, meds, dose, changes


def _changes(tx: Session, effects: list[SideEffectRow], meds: list[MedicationRow]) -> list[Change]:
    """Updates of tracked fields, from the audit trail (who and when, with the reason)."""
    return _audited(tx, "side_effect", {r.id: r.status_reason for r in effects}) + _audited(
        tx, "medication_given", {r.id: r.status_reason for r in meds}
    )


def _audited(tx: Session, entity: str, reasons: dict[int, str]) -> list[Change]:
    """The tracked field updates of these rows of `entity` (id -> its stored reason)."""
    if not reasons:
        return []
    out: list[Change] = []
    rows = tx.scalars(
        select(AuditRow)
        .where(
            AuditRow.entity == entity,
            AuditRow.entity_id.in_(list(reasons)),
            AuditRow.action == "update",
            AuditRow.field.in_(TRACKED_FIELDS),
        )
        .order_by(AuditRow.seq)
    )
    for row in rows:
        entity_id = row.entity_id
        if entity_id is None:  # never: the query asks for these ids
            continue
        reason = row.reason
        if not reason and row.field == "status":
            reason = reasons.get(entity_id, "")
        out.append(
            Change(
                entity=entity,
                entity_id=entity_id,
                field=row.field,
                new=row.new_value,
                at=row.at,
                actor=row.actor,
                reason=reason or "",
                old=row.old_value,
            )
        )
    return out


def _vitals(tx: Session, session_id: int) -> list[VitalsIn]:
    """Every stored set of the session; a correction carries the reason given for it
    (kept on the set it replaced)."""
    rows = list(
        tx.scalars(
            select(VitalsRow)
            .where(VitalsRow.session_id == session_id)
            .order_by(VitalsRow.taken_at, VitalsRow.id)
        )
    )
    replaced = {r.id: r.status_reason or "" for r in rows}
    return [
        VitalsIn(
            id=r.id,
            taken_at=r.taken_at,
            entered_by=r.entered_by,
            values=vitals_values_text(r),
            status=RecordStatus(r.status),
            status_reason=(
                replaced.get(r.corrects_id, "") if r.corrects_id else r.status_reason or ""
            ),
            corrects_id=r.corrects_id,
            acknowledged_by=r.acknowledged_by,
            acknowledged_at=r.acknowledged_at,
        )
        for r in rows
    ]
