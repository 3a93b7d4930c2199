"""Reading and verifying the audit trail."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from ketamon.domain.audit import AuditEntry
from ketamon.services.base import Service
from ketamon.storage import audit
from ketamon.storage.models import AuditRow, SessionEventRow, SideEffectRow, VitalsRow


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        row.seq,
        row.at,
        row.actor,
        row.action,
        row.entity,
        row.entity_id,
        row.field,
        row.old_value,
        row.new_value,
        row.reason,
    )


class AuditService(Service):
    def session_history(self, session_id: int) -> list[AuditEntry]:
        """Every audited change to a session, its events, vitals sets and side effects,
        oldest first."""
        with self.db.transaction(write=False) as session:
            event_ids = select(SessionEventRow.id).where(SessionEventRow.session_id == session_id)
            vitals_ids = select(VitalsRow.id).where(VitalsRow.session_id == session_id)
            effect_ids = select(SideEffectRow.id).where(SideEffectRow.session_id == session_id)
            rows = session.scalars(
                select(AuditRow)
                .where(
                    or_(
                        and_(
                            AuditRow.entity == "infusion_session", AuditRow.entity_id == session_id
                        ),
                        and_(AuditRow.entity == "session_event", AuditRow.entity_id.in_(event_ids)),
                        and_(AuditRow.entity == "vitals_set", AuditRow.entity_id.in_(vitals_ids)),
                        and_(AuditRow.entity == "side_effect", AuditRow.entity_id.in_(effect_ids)),
                    )
                )
                .order_by(AuditRow.seq)
            )
            return [_entry(r) for r in rows]

    def verify(self) -> list[audit.Problem]:
        """Problems found (empty when the trail and the records agree)."""
        with self.db.transaction(write=False) as session:
            return audit.verify(session)
