"""The frozen snapshot a discharge summary is printed from, read in one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.discharge import Outcome
from ketamon.domain.sessions import EventKind, Phase
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.summary import ClinicHeader, RecentSession, SessionSummary
from ketamon.services.base import Service
from ketamon.services.discharge import discharge_state
from ketamon.services.signatures import addenda_of, signature_of
from ketamon.storage.models import (
    ChairRow,
    DischargeRow,
    OutcomeRow,
    PatientRow,
    SessionEventRow,
    SessionRow,
)
from ketamon.storage.reads.dose import dose_of
from ketamon.storage.reads.medications import current_medications
from ketamon.storage.reads.outcomes import outcomes_where
from ketamon.storage.reads.patients import to_patient
from ketamon.storage.reads.sessions import load_session, to_snapshot
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.reads.side_effects import current_effects
from ketamon.storage.reads.users import user_names
from ketamon.storage.reads.vitals import current_sets


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


class SummaryService(Service):
    def recent(self, hours: int = 24) -> list[RecentSession]:
        """Sessions discharged, left AMA or cancelled in the last `hours`, newest first."""
        since = self.now() - timedelta(hours=hours)
        with self.db.transaction(write=False) as tx:
            rows = tx.execute(
                select(SessionRow, PatientRow, ChairRow, SessionEventRow, DischargeRow.outcome)
                .join(PatientRow, PatientRow.id == SessionRow.patient_id)
                .join(ChairRow, ChairRow.id == SessionRow.chair_id)
                .join(SessionEventRow, SessionEventRow.session_id == SessionRow.id)
                .outerjoin(DischargeRow, DischargeRow.session_id == SessionRow.id)
                .where(
                    SessionEventRow.kind.in_(("discharge", "cancel")),
                    SessionEventRow.at >= since,
                )
                .order_by(SessionEventRow.at.desc())
            )
            return [
                RecentSession(
                    s.id,
                    p.full_name,
                    p.mrn,
                    c.name,
                    e.at,
                    Phase.CANCELLED
                    if e.kind == EventKind.CANCEL
                    else (outcome or Outcome.DISCHARGED),
                    s.review_status,
                )
                for s, p, c, e, outcome in rows
            ]

    def snapshot(self, session_id: int, tz: tzinfo | None = None) -> SessionSummary:
        with self.db.transaction(write=False) as tx:
            return summary_of(tx, session_id, self.now(), tz or local_zone())


def summary_of(
    tx: Session,
    session_id: int,
    now: datetime,
    tz: tzinfo,
    settings: ClinicSettings | None = None,
    names: dict[str, str] | None = None,
) -> SessionSummary:
    """One session's snapshot, read in `tx` (an export passes the settings and the staff's
    names it read once for all its sessions)."""
    row = load_session(tx, session_id)
    settings = settings or load_settings(tx)
    snapshot = to_snapshot(tx, row)
    patient = tx.get(PatientRow, row.patient_id)
    assert patient is not None
    vitals = current_sets(
        tx,
        session_id,
        settings.bands,
        settings.news2_chart,
        scale2=bool(patient.spo2_scale2),
    )
    state = discharge_state(tx, row, now)
    recorded = tx.get(DischargeRow, session_id) is not None
    names = names if names is not None else user_names(tx)
    # Sessions discharged before the checklist existed: the event says who and when.
    left = next((e for e in reversed(snapshot.events) if e.kind is EventKind.DISCHARGE), None)
    by = state.completed_by or (left.actor if left else "")
    at = state.completed_at or (left.at if left else None)
    return SessionSummary(
        clinic=ClinicHeader(
            settings.clinic_name,
            settings.clinic_address,
            settings.clinic_phone,
            settings.emergency_phone,
        ),
        session=snapshot,
        date_of_birth=patient.date_of_birth,
        tz=tz,
        printed_at=now,
        vitals=vitals,
        answers=state.answers,
        # A session that ended before the checklist existed has none to print.
        check=state.check if recorded or snapshot.phase.active else None,
        outcome=state.outcome,
        ama=state.ama,
        discharged_by=names.get(by, by),
        discharged_at=at,
        instructions=state.instructions,
        next_appointment_at=state.next_appointment_at,
        user_names=names,
        signature=signature_of(tx, session_id),
        addenda=tuple(addenda_of(tx, session_id)),
        patient=to_patient(patient),
        side_effects=current_effects(tx, session_id),
        medications=current_medications(tx, session_id),
        dose=dose_of(tx, session_id),
        outcomes=tuple(
            r for r in outcomes_where(tx, OutcomeRow.session_id == session_id) if r.current
        ),
    )
