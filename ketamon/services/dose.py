"""The dose record of a session (one per session): plan, then completion with a witness.

The witness to the waste is another active user who confirms with their own password
(services.second_person: checked against the argon2 hash as signing in does). A wrong
password writes nothing to the dose record; the attempt is on the audit trail and counts
towards the witness's lockout, exactly like a wrong password at sign-in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.dose import (
    DoseLimits,
    DoseRecord,
    check_completion,
    check_plan,
    check_replan,
    check_witness,
    require_change_reason,
)
from ketamon.domain.errors import DomainError, FieldError, NotFound
from ketamon.domain.users import Permission
from ketamon.services.base import Service, acting_user, retried
from ketamon.services.second_person import confirmed
from ketamon.storage.models import DoseRecordRow, SessionRow, UserRow
from ketamon.storage.reads.dose import latest_weight, to_record
from ketamon.storage.reads.sessions import require_unsigned
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.reads.users import to_user
from ketamon.storage.versions import require_version

log = logging.getLogger(__name__)

WITNESS_REFUSED = (
    "The witness's username or password was not accepted (after 5 wrong attempts in a row "
    "their account is locked for 5 minutes)"
)


class WitnessRefused(FieldError):
    def __init__(self) -> None:
        super().__init__("witness_password", WITNESS_REFUSED)


@dataclass(frozen=True)
class DoseDefaults:
    """What the dose dialog starts from: the patient's latest weight and the clinic's
    bounds. `weight_source` says where the weight comes from, in words."""

    weight_kg: float
    mg_per_kg: float
    target_minutes: int
    limits: DoseLimits
    weight_source: str = ""


class DoseService(Service):
    def get(self, session_id: int) -> DoseRecord | None:
        with self.db.transaction(write=False) as tx:
            row = tx.get(DoseRecordRow, session_id)
            return to_record(row) if row is not None else None

    def defaults(self, session_id: int) -> DoseDefaults:
        """The plan's starting values. The weight is the patient's most recent one: the
        weight of their last session's dose record when that was weighed after the
        registered weight was entered (or last corrected), else the registered weight."""
        with self.db.transaction(write=False) as tx:
            owner = _owner(tx, session_id)
            settings = load_settings(tx)
            weight, source = latest_weight(tx, owner)
            return DoseDefaults(
                weight_kg=weight,
                mg_per_kg=settings.dose_default_mg_per_kg,
                target_minutes=owner.target_minutes,
                limits=DoseLimits.from_settings(settings),
                weight_source=source,
            )

    @retried
    def plan(
        self,
        actor: Actor,
        session_id: int,
        weight_kg: float | None,
        mg_per_kg: float | None,
        concentration_mg_ml: float | None,
        lot_number: str,
        *,
        reason: str = "",
        version: int | None = None,
        over_plan_reason: str | None = None,
    ) -> DoseRecord:
        """Write (or change) the plan. Free to change until completed; after, with a reason,
        and what was given is checked against the new plan (domain.dose.check_replan): more
        than the allowance above it needs `over_plan_reason` (None keeps the stored one).

        `version`: the DoseRecord.version the form loaded (0: it showed no plan); a change
        over a record saved since on another workstation is refused (StaleRecord)."""
        reason = fields.optional_reason(reason)
        session_id = fields.record_id("session_id", session_id, label="Session")
        with self.db.transaction(audit=self.audit(actor, reason)) as tx:
            acting_user(tx, actor, Permission.CHART)
            owner = _owner(tx, session_id)
            require_unsigned(tx, session_id)
            limits = DoseLimits.from_settings(load_settings(tx))
            figures = check_plan(
                weight_kg, mg_per_kg, concentration_mg_ml, lot_number, owner.target_minutes, limits
            )
            row = require_version(tx, DoseRecordRow, session_id, version)
            stored = to_record(row) if row else None
            require_change_reason(stored, reason)
            over = check_replan(stored, figures.planned_mg, over_plan_reason, limits)
            values = dict(
                weight_kg=figures.weight_kg,
                mg_per_kg=figures.mg_per_kg,
                planned_mg=figures.planned_mg,
                concentration_mg_ml=figures.concentration_mg_ml,
                planned_rate_ml_h=figures.planned_rate_ml_h,
                lot_number=figures.lot_number,
                planned_by=actor.username,
                planned_at=self.now(),
            )
            if row is None:
                row = DoseRecordRow(session_id=session_id, over_plan_reason="", **values)
                tx.add(row)
            elif not _same_plan(row, values):  # saving an unchanged plan changes nothing
                for key, value in values.items():
                    setattr(row, key, value)
            if row.over_plan_reason != over:
                row.over_plan_reason = over
            tx.flush()
            log.info("session %d: dose plan by %s", session_id, actor.username)
            return to_record(row)

    @retried
    def complete(
        self,
        actor: Actor,
        session_id: int,
        actual_mg: float | None,
        wasted_mg: float | None,
        witness_username: str,
        witness_password: str,
        over_plan_reason: str = "",
        *,
        reason: str = "",
        version: int | None = None,
    ) -> DoseRecord:
        """Actual mg given and mg wasted, the waste witnessed by another active user who
        types their password. Refusals name the field; a refused witness writes nothing to
        the record (the attempt itself is audited)."""
        name = fields.one_line_text(
            "witness", witness_username, fields.USERNAME_LENGTH, label="The witness's username"
        ).lower()
        if not isinstance(witness_password, str):
            raise FieldError("witness_password", "The witness must type their password")
        reason = fields.optional_reason(reason)
        session_id = fields.record_id("session_id", session_id, label="Session")
        now = self.now()
        refused = False
        with self.db.transaction(audit=self.audit(actor, reason)) as tx:
            acting_user(tx, actor, Permission.CHART)
            require_unsigned(tx, session_id)
            row = require_version(tx, DoseRecordRow, session_id, version)
            if row is None:
                _owner(tx, session_id)
                raise DomainError("Plan the dose first (weight, mg/kg, concentration, lot)")
            record = to_record(row)
            require_change_reason(record, reason)
            limits = DoseLimits.from_settings(load_settings(tx))
            done = check_completion(
                record.planned_mg, actual_mg, wasted_mg, over_plan_reason, limits
            )
            if not name:
                raise FieldError("witness", "The witness's username is required")
            if not witness_password:
                raise FieldError("witness_password", "The witness must type their password")
            witness = tx.scalar(select(UserRow).where(UserRow.username == name))
            if witness is not None and witness.username == actor.username:
                check_witness(to_user(witness), actor.username)  # "someone other than you"
            check = confirmed(
                tx,
                witness,
                witness_password,
                now,
                lambda who: self.audit(actor, f"dose waste witness {who} not accepted"),
                action="witness_refused",
                entity="dose_record",
                entity_id=session_id,
            )
            known = check.who  # never the username as typed, if not on file
            if not check:
                refused = True
            elif witness is not None:  # a passed check names a user on file
                check_witness(to_user(witness), actor.username)
                row.actual_mg, row.wasted_mg = done.actual_mg, done.wasted_mg
                row.over_plan_reason = done.over_plan_reason
                row.witness = witness.username
                row.completed_by = actor.username
                row.completed_at = now
                tx.flush()
                result = to_record(row)
        if refused:  # the failure count and the audit entry were committed above
            log.warning("session %d: dose witness %s refused", session_id, known)
            raise WitnessRefused()
        log.info("session %d: dose completed by %s", session_id, actor.username)
        return result


def _same_plan(row: DoseRecordRow, values: dict) -> bool:
    keys = ("weight_kg", "mg_per_kg", "concentration_mg_ml", "lot_number")
    return all(getattr(row, k) == values[k] for k in keys)


def _owner(tx: Session, session_id: int) -> SessionRow:
    owner = tx.get(SessionRow, session_id)
    if owner is None:
        raise NotFound(f"Session {session_id} not found")
    return owner
