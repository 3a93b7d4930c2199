"""The escort plan a session's discharge record holds (entered at check-in, or later)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.discharge import Escort
from ketamon.storage.models import DischargeRow, PatientRow, SessionRow


def patient_name_of(tx: Session, session_id: int) -> str:
    """The name of the session's patient ("" if there is no such session)."""
    name = tx.scalar(
        select(PatientRow.full_name)
        .join(SessionRow, SessionRow.patient_id == PatientRow.id)
        .where(SessionRow.id == session_id)
    )
    return name or ""


def escort_plan_of(tx: Session, session_id: int) -> Escort | None:
    """The escort named for the session (None: no discharge record yet)."""
    row = tx.execute(
        select(
            DischargeRow.escort_name,
            DischargeRow.escort_relationship,
            DischargeRow.escort_phone,
        ).where(DischargeRow.session_id == session_id)
    ).one_or_none()
    if row is None:
        return None
    name, relationship, phone = row
    return Escort(name or "", relationship or "", phone or "")
