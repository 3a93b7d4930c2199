"""Side effects ticked during a session: tick, severity, resolve, note, correct times,
void (with a reason), acknowledge a severe one; and the clinic's catalog of checkboxes.

Each call is one transaction and every change is on the audit trail (who, when, old and
new value; the reason for corrections and voids).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError, NotFound
from ketamon.domain.sessions import Phase
from ketamon.domain.side_effects import (
    Severity,
    SideEffect,
    SideEffectKind,
    add_kind,
    catalog_to_stored,
    check_can_tick,
    check_note,
    check_onset,
    check_other_text,
    check_physician_decision,
    check_resolution,
    check_severity_change,
    find_kind,
    rename_kind,
    retire_kind,
    validate_catalog,
)
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.timers import derive_times
from ketamon.domain.users import Permission
from ketamon.services.base import Service, acting_user, retried
from ketamon.services.second_person import confirmed
from ketamon.storage.models import ClinicSetting, SessionRow, SideEffectRow, UserRow
from ketamon.storage.reads.sessions import events_of, load_session, require_unsigned
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.reads.side_effects import to_effect
from ketamon.storage.reads.users import to_user
from ketamon.storage.versions import require_version

log = logging.getLogger(__name__)

CATALOG_KEY = "side_effect_catalog"

PHYSICIAN_REFUSED = (
    "The physician's username or password was not accepted (after 5 wrong attempts in a row "
    "their account is locked for 5 minutes)"
)


class PhysicianRefused(FieldError):
    def __init__(self) -> None:
        super().__init__("physician_password", PHYSICIAN_REFUSED)


class SideEffectService(Service):
    # -- reading ---------------------------------------------------------------------------
    def for_session(self, session_id: int) -> list[SideEffect]:
        """Every side effect of a session, voided ones included, in onset order."""
        with self.db.transaction(write=False) as tx:
            return [to_effect(r) for r in self._rows(tx, session_id)]

    def catalog(self) -> tuple[SideEffectKind, ...]:
        """The clinic's list, retired entries included (they are flagged)."""
        with self.db.transaction(write=False) as tx:
            return load_settings(tx).side_effect_catalog

    # -- recording -------------------------------------------------------------------------
    @retried
    def tick(
        self,
        actor: Actor,
        session_id: int,
        kind_key: str,
        *,
        severity: Severity = Severity.MILD,
        onset_at: datetime | None = None,
        other_text: str = "",
        note: str = "",
    ) -> SideEffect:
        """Tick a side effect: onset now (or the time given), mild unless said otherwise."""
        severity = _severity(severity)
        clean_note = check_note(note)
        onset = fields.optional_datetime("onset_at", onset_at, label="Onset time")
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.CHART)
            owner = self._owner(tx, session_id)
            require_unsigned(tx, session_id)
            if not Phase(owner.phase).active:
                raise DomainError(
                    f"This session is {Phase(owner.phase).label.lower()}: "
                    "side effects can no longer be ticked"
                )
            kind = find_kind(load_settings(tx).side_effect_catalog, kind_key)
            text = check_other_text(kind, other_text)
            existing = [to_effect(r) for r in self._rows(tx, session_id)]
            check_can_tick(kind, existing)
            now = self.now()
            when = onset if onset is not None else now
            check_onset(when, self._checked_in_at(owner), now)
            row = SideEffectRow(
                session_id=session_id,
                kind_key=kind.key,
                label=kind.name,
                other_text=text,
                onset_at=when,
                severity=severity.value,
                resolved_at=None,
                note=clean_note,
                entered_by=actor.username,
                entered_at=now,
                status=RecordStatus.CURRENT.value,
                status_reason="",
            )
            tx.add(row)
            tx.flush()
            log.info("session %d: side effect %d ticked by %s", session_id, row.id, actor.username)
            return to_effect(row)

    # `version` (severity, note, times): the SideEffect.version the list showed; an entry
    # changed since on another workstation is refused (StaleRecord), nothing written.
    @retried
    def set_severity(
        self,
        actor: Actor,
        effect_id: int,
        severity: Severity,
        *,
        reason: str = "",
        version: int | None = None,
    ) -> SideEffect:
        """Raised: an ordinary audited update (raised to severe, it needs acknowledging
        again). Lowered: a correction, refused without a reason (kept on the audit trail)."""
        severity = _severity(severity)
        reason = fields.optional_reason(reason)
        with self.db.transaction(audit=self.audit(actor, reason)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = self._current(tx, effect_id, version)
            check_severity_change(to_effect(row), severity, reason)
            if row.severity != severity.value:
                row.severity = severity.value
                if severity is Severity.SEVERE:
                    row.acknowledged_by, row.acknowledged_at = None, None
            return self._saved(tx, row)

    @retried
    def resolve(self, actor: Actor, effect_id: int, at: datetime | None = None) -> SideEffect:
        at = fields.optional_datetime("resolved_at", at, label="Resolution time")
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = self._current(tx, effect_id)
            if row.resolved_at is not None:
                raise DomainError(
                    f"{to_effect(row).display_name} is already resolved; "
                    "correct the time with a reason instead"
                )
            now = self.now()
            when = at if at is not None else now
            row.resolved_at = check_resolution(when, row.onset_at, now)
            return self._saved(tx, row)

    @retried
    def set_note(
        self, actor: Actor, effect_id: int, note: str, *, version: int | None = None
    ) -> SideEffect:
        clean = check_note(note)
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = self._current(tx, effect_id, version)
            if (row.note or "") != clean:
                row.note = clean
            return self._saved(tx, row)

    @retried
    def correct_times(
        self,
        actor: Actor,
        effect_id: int,
        *,
        onset_at: datetime | None = None,
        resolved_at: datetime | None = None,
        reason: str,
        version: int | None = None,
    ) -> SideEffect:
        """Change the onset and/or resolution time after recording (a reason is required)."""
        reason = _require_reason(reason, "correct the time of")
        onset_at = fields.optional_datetime("onset_at", onset_at, label="Onset time")
        resolved_at = fields.optional_datetime("resolved_at", resolved_at, label="Resolution time")
        if onset_at is None and resolved_at is None:
            raise FieldError("onset_at", "Give the corrected onset or resolution time")
        with self.db.transaction(audit=self.audit(actor, reason)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = self._current(tx, effect_id, version)
            now = self.now()
            onset = onset_at if onset_at is not None else row.onset_at
            check_onset(onset, self._checked_in_at(self._owner(tx, row.session_id)), now)
            resolved = resolved_at if resolved_at is not None else row.resolved_at
            if resolved is not None:
                check_resolution(resolved, onset, now)
            if onset != row.onset_at:
                row.onset_at = onset
            if resolved != row.resolved_at:
                row.resolved_at = resolved
            return self._saved(tx, row)

    @retried
    def void(self, actor: Actor, effect_id: int, reason: str) -> SideEffect:
        """Un-tick: the entry stays in the record, voided, with the reason."""
        reason = _require_reason(reason, "un-tick (void)")
        with self.db.transaction(audit=self.audit(actor, reason)) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = self._current(tx, effect_id)
            row.status, row.status_reason = RecordStatus.VOIDED.value, reason
            return self._saved(tx, row)

    @retried
    def acknowledge(self, actor: Actor, effect_id: int) -> SideEffect:
        """A nurse has seen this severe side effect (who and when are kept)."""
        with self.db.transaction(audit=self.audit(actor, "severe side effect acknowledged")) as s:
            acting_user(s, actor, Permission.CHART)
            row = self._current(s, effect_id)
            if row.severity != Severity.SEVERE.value:
                raise DomainError("Only a severe side effect needs acknowledging")
            if row.acknowledged_by is None:
                row.acknowledged_by, row.acknowledged_at = actor.username, self.now()
            return self._saved(s, row)

    @retried
    def record_physician_decision(
        self,
        actor: Actor,
        effect_id: int,
        decision: str,
        physician_username: str,
        physician_password: str,
    ) -> SideEffect:
        """A physician's documented decision on a SEVERE side effect that is still open: the
        patient may be discharged with it (the checklist shows the decision as evidence).

        The physician confirms with their own username and password, also at a nurse's
        workstation (the dose witness's check: a wrong password writes nothing, is on the
        audit trail and counts towards their lockout). Only a physician may decide; the
        decision text is required; one decision per side effect."""
        name = fields.one_line_text(
            "physician", physician_username, fields.USERNAME_LENGTH, label="Physician's username"
        ).lower()
        if not isinstance(physician_password, str):
            raise FieldError("physician_password", "The physician must type their password")
        now = self.now()
        refused = False
        with self.db.transaction(audit=self.audit(actor, "physician's decision")) as tx:
            acting_user(tx, actor, Permission.CHART)
            row = self._current(tx, effect_id)
            owner = self._owner(tx, row.session_id)
            if not Phase(owner.phase).active:
                raise DomainError(
                    f"This session is {Phase(owner.phase).label.lower()}: "
                    "no decision can be recorded for its discharge"
                )
            text = check_physician_decision(to_effect(row), decision)
            if not name:
                raise FieldError("physician", "The physician's username is required")
            if not physician_password:
                raise FieldError("physician_password", "The physician must type their password")
            physician = tx.scalar(select(UserRow).where(UserRow.username == name))
            check = confirmed(
                tx,
                physician,
                physician_password,
                now,
                lambda who: self.audit(actor, f"physician {who} not accepted"),
                action="physician_refused",
                entity="side_effect",
                entity_id=row.id,
            )
            known = check.who  # never the username as typed, if not on file
            if not check:
                refused = True
            else:
                user = to_user(physician)  # type: ignore[arg-type]
                if not user.may(Permission.SIGN):
                    raise FieldError(
                        "physician",
                        f"{user.display_name} is not a physician: only a physician can "
                        "decide that the patient may leave with a severe side effect",
                    )
                tx.info["audit"] = self.audit(actor, f"physician's decision: {user.username}")
                row.physician_decision = text
                row.physician_decision_by = user.username
                row.physician_decision_at = now
                tx.flush()
                result = to_effect(row)
        if refused:  # the failure count and the audit entry were committed above
            log.warning("side effect %d: physician %s refused", effect_id, known)
            raise PhysicianRefused()
        log.info("side effect %d: physician's decision by %s", effect_id, name)
        return result

    # -- the catalog (administrators) ------------------------------------------------------
    @retried
    def add_kind(self, actor: Actor, name: str) -> tuple[SideEffectKind, ...]:
        return self._change_catalog(actor, lambda c: add_kind(c, name))

    @retried
    def rename_kind(self, actor: Actor, key: str, name: str) -> tuple[SideEffectKind, ...]:
        return self._change_catalog(actor, lambda c: rename_kind(c, key, name))

    @retried
    def retire_kind(self, actor: Actor, key: str) -> tuple[SideEffectKind, ...]:
        return self._change_catalog(actor, lambda c: retire_kind(c, key))

    def _change_catalog(
        self,
        actor: Actor,
        change: Callable[[tuple[SideEffectKind, ...]], tuple[SideEffectKind, ...]],
    ) -> tuple[SideEffectKind, ...]:
        with self.db.transaction(audit=self.audit(actor)) as tx:
            acting_user(tx, actor, Permission.MANAGE_SETTINGS)
            updated = change(load_settings(tx).side_effect_catalog)
            validate_catalog(updated)
            encoded = json.dumps(catalog_to_stored(updated))
            row = tx.get(ClinicSetting, CATALOG_KEY)
            if row is None:
                tx.add(
                    ClinicSetting(
                        key=CATALOG_KEY,
                        value=encoded,
                        updated_at=self.now(),
                        updated_by=actor.username,
                    )
                )
            elif row.value != encoded:
                row.value, row.updated_at, row.updated_by = encoded, self.now(), actor.username
            return updated

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _rows(tx: Session, session_id: int) -> list[SideEffectRow]:
        return list(
            tx.scalars(
                select(SideEffectRow)
                .where(SideEffectRow.session_id == session_id)
                .order_by(SideEffectRow.onset_at, SideEffectRow.id)
            )
        )

    @staticmethod
    def _owner(tx: Session, session_id: int) -> SessionRow:
        return load_session(tx, fields.record_id("session_id", session_id, label="Session"))

    @staticmethod
    def _checked_in_at(owner: SessionRow) -> datetime:
        return derive_times(events_of(owner)).checked_in_at

    @staticmethod
    def _saved(tx: Session, row: SideEffectRow) -> SideEffect:
        """The entry as saved (flushed first: its new version is what the screen holds)."""
        tx.flush()
        return to_effect(row)

    @staticmethod
    def _current(tx: Session, effect_id: int, version: int | None = None) -> SideEffectRow:
        # locked: a second workstation changing it at once waits here
        effect_id = fields.record_id("effect_id", effect_id, label="Side effect")
        row = require_version(tx, SideEffectRow, effect_id, version)
        if row is None:
            raise NotFound(f"Side effect {effect_id} not found")
        require_unsigned(tx, row.session_id)
        if row.status != RecordStatus.CURRENT.value:
            raise DomainError("This side effect was voided; it can no longer be changed")
        return row


def _severity(value: Severity | str) -> Severity:
    try:
        return Severity(value)
    except (ValueError, TypeError):
        raise FieldError("severity", "Severity must be mild, moderate or severe") from None


def _require_reason(reason: object, what: str) -> str:
    return fields.reason(reason, missing=f"A reason is required to {what} a side effect")
