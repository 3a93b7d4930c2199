"""Clinic settings, stored as JSON values per key; defaults come from the domain."""

from __future__ import annotations

import json
from dataclasses import asdict, fields, replace

from ketamon.domain.actors import Actor
from ketamon.domain.errors import FieldError
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.users import Permission
from ketamon.services.base import Service, acting_user, retried
from ketamon.storage.models import ClinicSetting
from ketamon.storage.reads.settings import load_settings


class SettingsService(Service):
    def get(self) -> ClinicSettings:
        with self.db.transaction(write=False) as tx:
            return load_settings(tx)

    @retried
    def update(self, actor: Actor, **changes: object) -> ClinicSettings:
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
                row = tx.get(ClinicSetting, key)
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
