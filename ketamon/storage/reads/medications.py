"""Medications given, as the domain sees them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.interventions import Medication
from ketamon.domain.statuses import RecordStatus
from ketamon.storage.models import MedicationRow


def to_medication(row: MedicationRow) -> Medication:
    return Medication(
        id=row.id,
        session_id=row.session_id,
        drug=row.drug,
        dose=row.dose,
        unit=row.unit,
        route=row.route,
        given_at=row.given_at,
        given_by=row.given_by,
        side_effect_id=row.side_effect_id,
        note=row.note,
        entered_by=row.entered_by,
        status=RecordStatus(row.status),
        status_reason=row.status_reason,
        allergy_override_reason=row.allergy_override_reason or "",
    )


def current_medications(tx: Session, session_id: int) -> tuple[Medication, ...]:
    """The session's current (not voided) entries, in time order."""
    rows = tx.scalars(
        select(MedicationRow)
        .where(
            MedicationRow.session_id == session_id,
            MedicationRow.status == RecordStatus.CURRENT.value,
        )
        .order_by(MedicationRow.given_at, MedicationRow.id)
    )
    return tuple(to_medication(r) for r in rows)
