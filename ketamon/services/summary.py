"""The frozen snapshot a discharge summary is printed from, read in one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select

from ketamon.domain.sessions import EventKind
from ketamon.domain.summary import ClinicHeader, RecentSession, SessionSummary
from ketamon.services.base import Service, user_names
from ketamon.services.discharge import discharge_state
from ketamon.services.dose import to_record
from ketamon.services.interventions import to_medication
from ketamon.services.patients import to_patient
from ketamon.services.sessions import _snapshot, load_session
from ketamon.services.settings import load_settings
from ketamon.services.side_effects import to_effect
from ketamon.services.signatures import addenda_of, signature_of
from ketamon.services.vitals import to_set
from ketamon.storage.models import (
    ChairRow,
    DischargeRow,
    DoseRecordRow,
    MedicationRow,
    PatientRow,
    SessionEventRow,
    SessionRow,
    SideEffectRow,
    VitalsRow,
)


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


class SummaryService(Service):
    def recent(self, hours: int = 24) -> list[RecentSession]:
        """Sessions discharged, left AMA or cancelled in the last `hours`, newest first."""
        since = self.now() - timedelta(hours=hours)
        with self.db.transaction(write=False) as session:
            rows = session.execute(
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
                    "cancelled" if e.kind == "cancel" else (outcome or "discharged"),
                    s.review_status,
                )
                for s, p, c, e, outcome in rows
            ]

    def snapshot(self, session_id: int, tz: tzinfo | None = None) -> SessionSummary:
        with self.db.transaction(write=False) as session:
            row = load_session(session, session_id)
            settings = load_settings(session)
            snapshot = _snapshot(session, row)
            patient = session.get(PatientRow, row.patient_id)
            assert patient is not None
            bands = settings.bands
            vitals = tuple(
                to_set(v, bands, chart=settings.news2_chart, scale2=bool(patient.spo2_scale2))
                for v in session.scalars(
                    select(VitalsRow)
                    .where(VitalsRow.session_id == session_id, VitalsRow.status == "current")
                    .order_by(VitalsRow.taken_at, VitalsRow.id)
                )
            )
            state = discharge_state(session, row, self.now())
            recorded = session.get(DischargeRow, session_id) is not None
            names = user_names(session)
            extra = _side_effects_medications_dose(session, session_id)
            # Sessions discharged before the checklist existed: the event says who and when.
            left = next(
                (e for e in reversed(snapshot.events) if e.kind is EventKind.DISCHARGE), None
            )
            by = state.completed_by or (left.actor if left else "")
            at = state.completed_at or (left.at if left else None)
            return SessionSummary(
                clinic=ClinicHeader(
                    settings.clinic_name, settings.clinic_address, settings.clinic_phone
                ),
                session=snapshot,
                date_of_birth=patient.date_of_birth,
                tz=tz or local_zone(),
                printed_at=self.now(),
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
                signature=signature_of(session, session_id),
                addenda=tuple(addenda_of(session, session_id)),
                patient=to_patient(patient),
                **extra,
            )


def _side_effects_medications_dose(session, session_id: int) -> dict:  # noqa: ANN001
    """Side effects and medications (current entries, in time order) and the dose record."""
    effects = session.scalars(
        select(SideEffectRow)
        .where(SideEffectRow.session_id == session_id, SideEffectRow.status == "current")
        .order_by(SideEffectRow.onset_at, SideEffectRow.id)
    )
    medications = session.scalars(
        select(MedicationRow)
        .where(MedicationRow.session_id == session_id, MedicationRow.status == "current")
        .order_by(MedicationRow.given_at, MedicationRow.id)
    )
    dose = session.get(DoseRecordRow, session_id)
    return {
        "side_effects": tuple(to_effect(r) for r in effects),
        "medications": tuple(to_medication(r) for r in medications),
        "dose": to_record(dose) if dose is not None else None,
    }
