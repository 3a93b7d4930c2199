"""A second person confirming at someone else's workstation with their own username and
password: the dose waste witness, a physician's decision on a severe side effect.

One password check (services.users.check_password: the argon2 verification and the lockout
that signing in uses). A refusal writes nothing to the record; the attempt itself goes on
the audit trail, and the failure counts towards that person's lockout. The caller lets its
transaction commit (the count and the audit entry are kept) and raises afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from ketamon.services.users import UNKNOWN_USER, check_password
from ketamon.storage.audit import AuditContext, write_entries
from ketamon.storage.models import UserRow


def confirmed(  # noqa: PLR0913
    session: Session,
    person: UserRow | None,
    password: str,
    now: datetime,
    refused_audit: Callable[[str], AuditContext],
    *,
    action: str,
    entity: str,
    entity_id: int,
) -> bool:
    """True when `person` (None: no such username) is active, not locked and typed their
    password. Otherwise the refusal is audited (`refused_audit(username)` gives the entry's
    context) under `action` on `entity` `entity_id`, and False is returned."""
    if check_password(person, password, now):
        return True
    known = person.username if person is not None else UNKNOWN_USER
    session.flush()  # the failure count, before the audit entry
    write_entries(
        session.connection(),
        refused_audit(known),
        [(action, entity, entity_id, "", None, None)],
    )
    return False
