"""A second person confirming at someone else's workstation with their own username and
password: the dose waste witness, a physician's decision on a severe side effect.

One password check (services.passwords.check_password: the argon2 verification and the
lockout that signing in uses). A refusal writes nothing to the record; the attempt itself goes on
the audit trail, and the failure counts towards that person's lockout. The caller lets its
transaction commit (the count and the audit entry are kept) and raises afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from ketamon.services.passwords import PasswordCheck, check_password
from ketamon.storage.audit import AuditContext, write_entries
from ketamon.storage.models import UserRow


def confirmed(
    tx: Session,
    person: UserRow | None,
    password: str,
    now: datetime,
    refused_audit: Callable[[str], AuditContext],
    *,
    action: str,
    entity: str,
    entity_id: int,
) -> PasswordCheck:
    """True when `person` (None: no such username) is active, not locked and typed their
        password. Otherwise the refusal is audited (`refused_audit(username)` gives the entry's
        context) under `action` on `entity` `entity_id`. The check (true or false) names who to
    log it under (services.passwords: "unknown user" for a username not on file)."""
    check = check_password(person, password, now)
    if check.ok:
        return check
    tx.flush()  # the failure count, before the audit entry
    write_entries(
        tx.connection(),
        refused_audit(check.who),
        [(action, entity, entity_id, "", None, None)],
    )
    return check
