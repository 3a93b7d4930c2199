"""The one password check: signing in, unlocking the screen, the dose witness and the
physician confirming a decision at someone else's workstation all go through
`check_password`.

It owns the lockout: a wrong password counts towards it, five in a row lock the account
for five minutes (the domain's rule: domain.users.after_password_check / is_locked), and a
username not on file is named "unknown user" wherever the attempt is logged or audited,
never as typed (it may be a password). Passwords are hashed with argon2id (argon2-cffi);
a hash is never logged or shown.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ketamon.domain.users import after_password_check, check_password_policy, is_locked
from ketamon.storage.models import UserRow

UNKNOWN_USER = "unknown user"  # what the log and audit trail say for a username not on file
HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


@dataclass(frozen=True)
class PasswordCheck:
    """The outcome of one attempt. `who` is the username to log and audit it under: the
    account's, or UNKNOWN_USER for a username not on file."""

    ok: bool
    who: str

    def __bool__(self) -> bool:
        return self.ok


def hash_password(password: str) -> str:
    check_password_policy(password)
    return HASHER.hash(password)


def check_password(row: UserRow | None, password: str, now: datetime) -> PasswordCheck:
    """True only for an active, unlocked account and its password. A wrong password counts
    towards the lockout (the caller's transaction keeps the count).

    Exactly one argon2 verification whatever the outcome (against a dummy hash for an
    unknown, deactivated or locked account), so the time taken does not tell them apart
    from a wrong password."""
    usable = row is not None and row.active and not is_locked(row.locked_until, now)
    ok = _verify(row.password_hash if row is not None and usable else _dummy_hash(), password)
    ok = ok and usable
    if row is not None and usable:
        row.failed_sign_ins, row.locked_until = after_password_check(row.failed_sign_ins, ok, now)
    return PasswordCheck(ok, row.username if row is not None else UNKNOWN_USER)


@cache
def _dummy_hash() -> str:
    """A hash made once per process with the same parameters as real ones."""
    return HASHER.hash(secrets.token_urlsafe(16))


def _verify(stored_hash: str, password: str) -> bool:
    # As bytes: the same as argon2-cffi's own UTF-8 for every real password, and a lone
    # surrogate (never a valid password) is still checked, in the same time, not a crash.
    secret = password.encode("utf-8", "surrogatepass")
    try:
        return HASHER.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False  # a wrong password, or a corrupted hash: refused, never a crash
