"""Record versions: no lost update when two workstations edit one record.

A versioned row (models.Versioned) carries `version`, raised by one on each save that
changes what a user edits (a sign-in's lockout count does not). Two guards use it:

- the view's: a form passes the version it loaded, and the service compares it inside the
  transaction, with the row locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
  BEGIN IMMEDIATE already holds the write lock): `require_version`;
- the ORM's: every UPDATE is made WHERE version = the one read, so a row changed between
  read and write (by a transaction that did not lock it) fails the flush (StaleDataError),
  which Database.transaction turns into the same words (`stale_record`).

Either way the refusal is a StaleRecord naming who changed the record and when, from the
audit trail. The counter itself is kept out of the trail and out of signed payloads.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar, cast

from sqlalchemy import Table, and_, event, or_, select
from sqlalchemy.orm import Session, UOWTransaction, object_mapper
from sqlalchemy.orm.attributes import get_history

from ketamon.domain.errors import StaleRecord
from ketamon.storage.models import (
    AuditRow,
    MedicationRow,
    OutcomeRow,
    SessionEventRow,
    SessionRow,
    SideEffectRow,
    Versioned,
    VitalsRow,
)
from ketamon.storage.reads.users import user_names

# What each versioned table is called in the refusal ("The discharge checklist was ...";
# a name ending in s is plural: "The clinic settings were ...").
LABELS = {
    "discharge_record": "The discharge checklist",
    "patient": "The patient's details",
    "dose_record": "The dose record",
    "side_effect": "The side effect",
    "clinic_setting": "The clinic settings",
    "app_user": "The user account",
    "chair": "The chair",
}
# Columns whose change is not an edit of the record: it does not raise the version.
# (A chair's position: a move is up or down from the order stored then, never a stale view.)
UNVERSIONED = {
    ("app_user", "failed_sign_ins"),
    ("app_user", "locked_until"),
    ("chair", "position"),
}
R = TypeVar("R", bound=Versioned)
UPDATED = "versioned_updates"  # Session.info key: (table, key) of versioned rows saved


def install(session_class: type[Session] | object) -> None:
    """Attach the version counter to a sessionmaker (or Session class)."""

    @event.listens_for(session_class, "before_flush")
    def _raise_versions(tx: Session, _ctx: UOWTransaction, _instances: object) -> None:
        for obj in tx.new:
            if isinstance(obj, Versioned) and obj.version is None:
                obj.version = 1
        for obj in tx.dirty:
            if not isinstance(obj, Versioned) or not tx.is_modified(obj):
                continue
            table = _table(obj)
            edited = [
                c.key
                for c in table.columns
                if c.key != "version"
                and (table.name, c.key) not in UNVERSIONED
                and get_history(obj, c.key).has_changes()
            ]
            if edited and not get_history(obj, "version").has_changes():
                obj.version = (obj.version or 0) + 1
                tx.info.setdefault(UPDATED, []).append((table.name, _key(obj)))


def _table(model: Versioned | type[Versioned]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[union-attr]


def _key(obj: Versioned) -> int | str:
    key = object_mapper(obj).primary_key_from_instance(obj)[0]
    return key if isinstance(key, int | str) else str(key)


def require_version(tx: Session, model: type[R], key: int | str, seen: int | None) -> R | None:
    """The row `model`[`key`] (None if there is none yet), read afresh and locked for this
    transaction (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises).

    Refuses (StaleRecord) a save from a view that loaded it at version `seen` when it has
    been saved since (0: the view saw no such row, and one was saved since). No row: None,
    for the caller to say so. `seen` None: no view to compare (a command, the demo)."""
    row = tx.get(model, key, with_for_update=True)
    if seen is not None and row is not None and row.version != seen:
        raise stale_record(tx, _table(model).name, key, _now(tx))
    return row


def _now(tx: Session) -> datetime | None:
    """The clock time of the unit of work `tx` (its audit context), if it has one."""
    context = tx.info.get("audit")
    return getattr(context, "at", None)


def stale_record(
    tx: Session, table: str, key: int | str, now: datetime | None = None
) -> StaleRecord:
    """The refusal, naming the last change to the record in the audit trail; `now` (the
    refused unit of work's clock time) decides whether its date is named."""
    query = select(AuditRow.actor, AuditRow.at).where(AuditRow.entity == table)
    if isinstance(key, int):
        query = query.where(AuditRow.entity_id == key)
    else:  # text-keyed rows (clinic settings) carry their key in the field
        query = query.where(AuditRow.field.startswith(f"{key}.", autoescape=True))
    last = tx.execute(query.order_by(AuditRow.seq.desc()).limit(1)).first()
    what = LABELS.get(table, "The record")
    plural = what.endswith("s")  # "The patient's details were changed ..."
    if last is None:
        return StaleRecord(what, None, None, plural=plural, now=now)
    by = user_names(tx).get(last.actor, last.actor)
    return StaleRecord(what, by, last.at, plural=plural, now=now)


def last_session_change(tx: Session, session_id: int) -> tuple[str, datetime] | None:
    """Who last changed anything a signature of session `session_id` covers (its events,
    vitals, side effects, medications, questionnaires, dose and discharge records, the
    patient's details), by display name, and when: from the audit trail."""
    patient_id = select(SessionRow.patient_id).where(SessionRow.id == session_id)
    conditions = [
        and_(
            AuditRow.entity.in_(("infusion_session", "dose_record", "discharge_record")),
            AuditRow.entity_id == session_id,
        ),
        and_(AuditRow.entity == "patient", AuditRow.entity_id.in_(patient_id.scalar_subquery())),
    ]
    for model in (SessionEventRow, VitalsRow, SideEffectRow, MedicationRow, OutcomeRow):
        ids = select(model.id).where(model.session_id == session_id)
        conditions.append(and_(AuditRow.entity == model.__tablename__, AuditRow.entity_id.in_(ids)))
    last = tx.execute(
        select(AuditRow.actor, AuditRow.at)
        .where(or_(*conditions))
        .order_by(AuditRow.seq.desc())
        .limit(1)
    ).first()
    if last is None:
        return None
    return user_names(tx).get(last.actor, last.actor), last.at
