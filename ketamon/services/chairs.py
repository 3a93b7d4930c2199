"""Chairs: add, rename, reorder, retire (a retired chair keeps its history)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.board import Chair, clean_chair_name
from ketamon.domain.errors import DomainError, FieldError, NotFound
from ketamon.domain.users import Permission
from ketamon.services.base import Service, acting_user, retried
from ketamon.storage.models import ChairRow, SessionRow
from ketamon.storage.reads.chairs import active_chairs, to_chair
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.versions import require_version


class ChairService(Service):
    def all(self, *, include_retired: bool = False) -> list[Chair]:
        with self.db.transaction(write=False) as tx:
            if not include_retired:
                return active_chairs(tx)
            rows = tx.scalars(select(ChairRow).order_by(ChairRow.position))
            return [to_chair(r) for r in rows]

    @retried
    def ensure_defaults(self, actor: Actor) -> list[Chair]:
        """On a brand-new database, create the clinic's default chairs."""
        with self.db.transaction(audit=self.audit(actor, "")) as tx:
            acting_user(tx, actor, None)
            if tx.scalar(select(func.count(ChairRow.id))) == 0:
                count = load_settings(tx).default_chair_count
                for i in range(1, count + 1):
                    self._insert(tx, actor, f"Chair {i}")
            return active_chairs(tx)

    @retried
    def add(self, actor: Actor, name: str) -> Chair:
        with self.db.transaction(audit=self.audit(actor, "")) as tx:
            acting_user(tx, actor, Permission.MANAGE_SETTINGS)
            return to_chair(self._insert(tx, actor, name))

    @retried
    def rename(
        self, actor: Actor, chair_id: int, name: str, *, version: int | None = None
    ) -> Chair:
        """`version`: the Chair.version the list showed; a chair renamed or retired since on
        another workstation is refused (StaleRecord)."""
        with self.db.transaction(audit=self.audit(actor, "")) as tx:
            acting_user(tx, actor, Permission.MANAGE_SETTINGS)
            row = self._get(tx, chair_id)
            require_version(tx, ChairRow, row.id, version)
            row.name = self._valid_name(tx, name, exclude_id=chair_id)
            tx.flush()  # the new version, for the list
            return to_chair(row)

    @retried
    def move(self, actor: Actor, chair_id: int, offset: int) -> list[Chair]:
        """Move a chair up (-1) or down (+1) among the active chairs."""
        offset = fields.integer("offset", offset, -1000, 1000, label="Move by")
        with self.db.transaction(audit=self.audit(actor, "")) as tx:
            acting_user(tx, actor, Permission.MANAGE_SETTINGS)
            rows = list(
                tx.scalars(
                    select(ChairRow)
                    .where(ChairRow.retired_at.is_(None))
                    .order_by(ChairRow.position)
                )
            )
            index = next((i for i, r in enumerate(rows) if r.id == chair_id), None)
            if index is None:
                raise NotFound(f"Chair {chair_id} not found")
            target = index + offset
            if 0 <= target < len(rows):
                rows[index], rows[target] = rows[target], rows[index]
                for position, row in enumerate(rows, start=1):
                    row.position = position
            return [to_chair(r) for r in rows]

    @retried
    def retire(self, actor: Actor, chair_id: int) -> Chair:
        with self.db.transaction(audit=self.audit(actor, "")) as tx:
            acting_user(tx, actor, Permission.MANAGE_SETTINGS)
            row = self._get(tx, chair_id)
            if row.retired_at is not None:
                raise DomainError(f"{row.name} is already retired")
            busy = tx.scalar(select(SessionRow.id).where(SessionRow.active_chair_id == row.id))
            if busy is not None:
                raise DomainError(f"{row.name} has a patient in it; end that session first")
            row.retired_at, row.retired_by = self.now(), actor.username
            return to_chair(row)

    # -- helpers ---------------------------------------------------------------------------
    def _insert(self, tx: Session, actor: Actor, name: str) -> ChairRow:
        position = (tx.scalar(select(func.max(ChairRow.position))) or 0) + 1
        row = ChairRow(
            name=self._valid_name(tx, name),
            position=position,
            created_at=self.now(),
            created_by=actor.username,
        )
        tx.add(row)
        tx.flush()
        return row

    @staticmethod
    def _get(tx: Session, chair_id: int) -> ChairRow:
        row = tx.get(ChairRow, fields.record_id("chair_id", chair_id, label="Chair"))
        if row is None:
            raise NotFound(f"Chair {chair_id} not found")
        return row

    @staticmethod
    def _valid_name(tx: Session, name: str, exclude_id: int | None = None) -> str:
        clean = clean_chair_name(name)
        clash = tx.scalar(
            select(ChairRow.id).where(
                func.lower(ChairRow.name) == func.lower(clean),
                ChairRow.retired_at.is_(None),
                ChairRow.id != (exclude_id or -1),
            )
        )
        if clash is not None:
            raise FieldError("name", f"Another chair is already called {clean!r}")
        return clean
