"""Clinic settings, stored as JSON values per key; defaults come from the domain."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, fields, replace

from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.domain.errors import FieldError
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.users import Permission
from ketamon.services.base import Service, acting_user, retried
from ketamon.storage.models import ClinicSetting
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.versions import require_version


class SettingsService(Service):
    def get(self) -> ClinicSettings:
        with self.db.transaction(write=False) as tx:
            return load_settings(tx)

    @retried
    def snapshot(self) -> tuple[ClinicSettings, dict[str, int]]:
        """The settings and, per stored key, its version (one read): what a form loads."""
        with self.db.transaction(write=False) as tx:
            versions = {row.key: row.version for row in tx.scalars(select(ClinicSetting))}
            return load_settings(tx), versions

    @retried
    def update(
        self, actor: Actor, *, versions: Mapping[str, int] | None = None, **changes: object
    ) -> ClinicSettings:
        """Change the settings named. `versions`: what the form loaded (snapshot; a key
        missing: not stored then); a setting saved since on another workstation is refused
        (StaleRecord), nothing written."""
        with self.db.transaction(audit=self.audit(actor, "")) as tx:
            acting_user(tx, actor, Permission.MANAGE_SETTINGS)
            current = load_settings(tx)
            known = {f.name: f for f in fields(ClinicSettings)}
            for key, value in changes.items():
                if key not in known:
                    raise FieldError(key, f"There is no clinic setting called {key!r}")
                expected = type(getattr(current, key))
                if not isinstance(value, expected) or isinstance(value, bool):
                    raise FieldError(key, f"{key} must be a {expected.__name__}")
            updated = replace(current, **changes)  # type: ignore[arg-type]
            updated.validate()
            new_values = asdict(updated)
            for key in changes:
                seen = None if versions is None else versions.get(key, 0)
                row = require_version(tx, ClinicSetting, key, seen)
                encoded = json.dumps(new_values[key])
                if row is None:
                    tx.add(
                        ClinicSetting(
                            key=key, value=encoded, updated_at=self.now(), updated_by=actor.username
                        )
                    )
                else:
                    row.value, row.updated_at, row.updated_by = encoded, self.now(), actor.username
            return updated
