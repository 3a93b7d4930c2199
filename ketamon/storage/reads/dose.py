"""Dose records as the domain sees them, and the patient's latest weight."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.dose import DoseRecord
from ketamon.storage.models import AuditRow, DoseRecordRow, PatientRow, SessionRow


def to_record(row: DoseRecordRow) -> DoseRecord:
    return DoseRecord(
        session_id=row.session_id,
        weight_kg=row.weight_kg,
        mg_per_kg=row.mg_per_kg,
        planned_mg=row.planned_mg,
        concentration_mg_ml=row.concentration_mg_ml,
        planned_rate_ml_h=row.planned_rate_ml_h,
        lot_number=row.lot_number,
        planned_by=row.planned_by,
        planned_at=row.planned_at,
        actual_mg=row.actual_mg,
        wasted_mg=row.wasted_mg,
        over_plan_reason=row.over_plan_reason,
        witness=row.witness,
        completed_by=row.completed_by,
        completed_at=row.completed_at,
        version=row.version or 0,
    )


def registered_weight_at(tx: Session, patient: PatientRow) -> datetime:
    """When the registered weight was entered: its last correction, or the registration."""
    corrected = tx.scalar(
        select(AuditRow.at)
        .where(
            AuditRow.entity == "patient",
            AuditRow.entity_id == patient.id,
            AuditRow.action == "update",
            AuditRow.field == "weight_kg",
        )
        .order_by(AuditRow.seq.desc())
        .limit(1)
    )
    return corrected or patient.created_at


def latest_weight(tx: Session, owner: SessionRow) -> tuple[float, str]:
    """(kg, where it comes from in words) of the patient's most recent weight, for a
    session without its own dose record yet."""
    patient = tx.get(PatientRow, owner.patient_id)
    if patient is None:
        return 0.0, ""
    registered = f"registered weight {patient.weight_kg:g} kg"
    last = tx.execute(
        select(DoseRecordRow.weight_kg, DoseRecordRow.planned_at)
        .join(SessionRow, SessionRow.id == DoseRecordRow.session_id)
        .where(SessionRow.patient_id == patient.id, SessionRow.id != owner.id)
        .order_by(DoseRecordRow.planned_at.desc())
        .limit(1)
    ).first()
    if last is not None and last.planned_at > registered_weight_at(tx, patient):
        day = last.planned_at.astimezone().date().isoformat()
        return last.weight_kg, f"weight of the last session ({day}): {last.weight_kg:g} kg"
    return patient.weight_kg, registered


def dose_of(tx: Session, session_id: int) -> DoseRecord | None:
    """The session's dose record (None before a plan was written)."""
    row = tx.get(DoseRecordRow, session_id)
    return to_record(row) if row is not None else None
