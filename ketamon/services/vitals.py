"""Vitals sets: record, correct, void (with a reason), acknowledge red values, list.

Every value is re-validated here whatever the UI parsed; each call is one transaction and
its changes are on the audit trail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.news2 import News2
from ketamon.domain.sessions import Phase
from ketamon.domain.timers import derive_times
from ketamon.domain.users import Permission
from ketamon.domain.vitals import (
    MEASURES,
    Grade,
    VitalPhase,
    VitalsDraft,
    VitalsSet,
    grade_set,
    news2_of,
    validate_draft,
    vital_phase,
)
from ketamon.services.base import NotFound, Service, acting_user, user_names
from ketamon.services.review import require_unsigned
from ketamon.services.sessions import _events, load_session
from ketamon.services.settings import load_bands, load_chart
from ketamon.storage.models import VitalsRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VitalsSummary:
    """What the board needs per active session: when sets were taken, red values unseen.

    `taken` holds vitals sets only: sedation/dissociation scores recorded on their own do
    not satisfy a vitals reminder (their red values are still listed)."""

    taken: tuple[datetime, ...]
    unacknowledged_red: tuple[VitalsSet, ...]
    latest_news2: News2 | None = None  # of the latest current vitals set


def to_set(row: VitalsRow, bands, names: dict[str, str] | None = None, chart=None) -> VitalsSet:  # noqa: ANN001
    """The stored set as the domain sees it; `names` maps usernames to display names."""
    values = VitalsDraft(
        **{k: getattr(row, k) for k in MEASURES}, note=row.note, oxygen=bool(row.oxygen)
    )
    return VitalsSet(
        id=row.id,
        session_id=row.session_id,
        taken_at=row.taken_at,
        phase=VitalPhase(row.phase),
        values=values,
        entered_by=row.entered_by,
        status=row.status,
        corrects_id=row.corrects_id,
        grades=grade_set(values, bands),
        news2=news2_of(values, chart),
        status_reason=row.status_reason,
        acknowledged_by=row.acknowledged_by,
        entered_by_name=(names or {}).get(row.entered_by, ""),
    )


def summaries(session: Session, session_ids: list[int], bands) -> dict[int, VitalsSummary]:  # noqa: ANN001
    if not session_ids:
        return {}
    rows = session.scalars(
        select(VitalsRow)
        .where(VitalsRow.session_id.in_(session_ids), VitalsRow.status == "current")
        .order_by(VitalsRow.taken_at)
    )
    taken: dict[int, list[datetime]] = {i: [] for i in session_ids}
    red: dict[int, list[VitalsSet]] = {i: [] for i in session_ids}
    latest: dict[int, News2 | None] = {}
    chart = load_chart(session)
    for row in rows:
        snapshot = to_set(row, bands, chart=chart)
        if not snapshot.scores_only:
            taken[row.session_id].append(row.taken_at)
            latest[row.session_id] = snapshot.news2
        if snapshot.worst is Grade.RED and row.acknowledged_by is None:
            red[row.session_id].append(snapshot)
    return {i: VitalsSummary(tuple(taken[i]), tuple(red[i]), latest.get(i)) for i in session_ids}


class VitalsService(Service):
    def list(self, session_id: int) -> list[VitalsSet]:
        """Every set of a session, current, corrected and voided, in time order."""
        with self.db.transaction(write=False) as session:
            bands, names, chart = load_bands(session), user_names(session), load_chart(session)
            rows = session.scalars(
                select(VitalsRow)
                .where(VitalsRow.session_id == session_id)
                .order_by(VitalsRow.taken_at, VitalsRow.id)
            )
            return [to_set(r, bands, names, chart) for r in rows]

    def record(
        self,
        actor: Actor,
        session_id: int,
        draft: VitalsDraft,
        taken_at: datetime | None = None,
        *,
        pre_discharge: bool = False,
    ) -> VitalsSet:
        clean = validate_draft(draft)
        when = fields.optional_datetime("taken_at", taken_at, label="Time taken")
        fields.flag("pre_discharge", pre_discharge, label="Pre-discharge set")
        with self.db.transaction(audit=self.audit(actor)) as session:
            user = acting_user(session, actor, Permission.CHART)
            row = self._new_row(session, actor, session_id, clean, when, pre_discharge)
            log.info("session %d: vitals set %d by %s", session_id, row.id, actor.username)
            return to_set(
                row, load_bands(session), {user.username: user.display_name}, load_chart(session)
            )

    def correct(
        self,
        actor: Actor,
        set_id: int,
        draft: VitalsDraft,
        reason: str,
        taken_at: datetime | None = None,
    ) -> VitalsSet:
        clean = validate_draft(draft)
        why = _require_reason(reason)
        when = fields.optional_datetime("taken_at", taken_at, label="Time taken")
        with self.db.transaction(audit=self.audit(actor, why)) as session:
            user = acting_user(session, actor, Permission.CHART)
            old = self._current(session, set_id)
            old.status, old.status_reason = "corrected", why
            session.flush()
            new = self._new_row(
                session,
                actor,
                old.session_id,
                clean,
                when or old.taken_at,
                old.phase == VitalPhase.PRE_DISCHARGE.value,
                corrects=old,
            )
            return to_set(
                new, load_bands(session), {user.username: user.display_name}, load_chart(session)
            )

    def void(self, actor: Actor, set_id: int, reason: str) -> VitalsSet:
        why = _require_reason(reason)
        with self.db.transaction(audit=self.audit(actor, why)) as session:
            acting_user(session, actor, Permission.CHART)
            row = self._current(session, set_id)
            row.status, row.status_reason = "voided", why
            return to_set(row, load_bands(session), user_names(session), load_chart(session))

    def acknowledge(self, actor: Actor, set_id: int) -> VitalsSet:
        """A nurse has seen the red values of this set (who and when are kept)."""
        with self.db.transaction(audit=self.audit(actor, "red values acknowledged")) as session:
            acting_user(session, actor, Permission.CHART)
            row = self._current(session, set_id)
            bands = load_bands(session)
            if to_set(row, bands).worst is not Grade.RED:
                raise DomainError("This set has no red values to acknowledge")
            if row.acknowledged_by is None:
                row.acknowledged_by, row.acknowledged_at = actor.username, self.now()
            return to_set(row, bands, user_names(session), load_chart(session))

    # -- helpers -----------------------------------------------------------------------------
    def _new_row(self, session, actor, session_id, clean, taken_at, pre_discharge, corrects=None):  # noqa: ANN001, ANN202, PLR0913
        owner = load_session(session, fields.record_id("session_id", session_id, label="Session"))
        require_unsigned(session, session_id, owner=owner)
        if corrects is None and not Phase(owner.phase).active:
            raise DomainError(
                f"This session is {Phase(owner.phase).label.lower()}: "
                "correct an existing set instead"
            )
        now = self.now()
        when = taken_at if taken_at is not None else now  # aware UTC (checked by the caller)
        if when > now:
            raise FieldError("taken_at", "Time taken cannot be in the future")
        times = derive_times(_events(owner))
        if when < times.checked_in_at:
            raise FieldError("taken_at", "Time taken cannot be before the patient checked in")
        row = VitalsRow(
            session_id=session_id,
            taken_at=when,
            phase=vital_phase(
                times.started_at, times.ended_at, when, pre_discharge=pre_discharge
            ).value,
            **{k: getattr(clean, k) for k in MEASURES},
            note=clean.note,
            oxygen=clean.oxygen,
            entered_by=actor.username,
            entered_at=now,
            status="current",
            corrects_id=corrects.id if corrects is not None else None,
            status_reason="",
        )
        session.add(row)
        session.flush()
        return row

    @staticmethod
    def _current(session: Session, set_id: int) -> VitalsRow:
        row = session.get(VitalsRow, fields.record_id("set_id", set_id, label="Vitals set"))
        if row is None:
            raise NotFound(f"Vitals set {set_id} not found")
        require_unsigned(session, row.session_id)
        if row.status != "current":
            raise DomainError(f"This set was already {row.status}; change the current one")
        return row


def _require_reason(reason: object) -> str:
    return fields.reason(reason, missing="A reason is required to correct or void a vitals set")
