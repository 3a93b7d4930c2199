"""Users (added, deactivated, reset; never deleted), signing in, passwords and signing keys.

Passwords are hashed and checked in services/passwords.py, which owns the lockout: five
wrong passwords in a row lock the account for five minutes; the refusal reads the
same, and takes the same time (one argon2 verification), for an unknown user, a wrong
password, a locked or a deactivated account. Text typed as a username is never logged or
audited unless it is an existing username.

Signing keys (services/keys.py) are made only when a user sets a password no one else
knows: the first administrator's, and the one a user chooses at the first sign-in after an
administrator created the account or reset its password (must_change_password). Changing
one's own password re-seals the same key; a reset leaves the old key unusable (it stays in
user_key, so old signatures still verify) and the new pair is made at the next sign-in.
"""

from __future__ import annotations

import logging
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketamon.domain import fields
from ketamon.domain.actors import Actor
from ketamon.domain.clock import Clock, system_clock
from ketamon.domain.errors import DomainError, FieldError, NotFound
from ketamon.domain.taken import username_taken
from ketamon.domain.users import (
    SIGN_IN_REFUSED,
    Permission,
    Role,
    User,
    check_password_policy,
    clean_person,
    clean_username,
    format_roles,
    parse_roles,
)
from ketamon.services import keys
from ketamon.services.base import Service, acting_user, retried
from ketamon.services.passwords import HASHER, check_password
from ketamon.storage.audit import AuditContext, write_entries
from ketamon.storage.database import Database
from ketamon.storage.models import UserKeyRow, UserRow
from ketamon.storage.reads.users import to_user, user_names
from ketamon.storage.versions import require_version

log = logging.getLogger(__name__)
_hasher = HASHER


class SignInRefused(DomainError):
    """Wrong username or password, locked or deactivated: deliberately one message."""

    def __init__(self) -> None:
        super().__init__(SIGN_IN_REFUSED)


CHOOSE_OWN_PASSWORD = (
    "Choose your own password first (Change password…, or sign in again): you have no "
    "signing key until you do"
)


class UserService(Service):
    def __init__(
        self, db: Database, clock: Clock = system_clock, kdf: keys.KdfParams = keys.APP_KDF
    ) -> None:
        super().__init__(db, clock)
        self.kdf = kdf  # key derivation for new and re-sealed keys (recorded with each key)

    def any_users(self) -> bool:
        with self.db.transaction(write=False) as tx:
            return bool(tx.scalar(select(func.count(UserRow.id))))

    def all(self) -> list[User]:
        with self.db.transaction(write=False) as tx:
            return [to_user(r) for r in tx.scalars(select(UserRow).order_by(UserRow.username))]

    def names(self) -> dict[str, str]:
        """username -> display name ("Jo Rivera, RN"), for showing who did what."""
        with self.db.transaction(write=False) as tx:
            return user_names(tx)

    @retried
    def create_first_admin(
        self,
        username: str,
        full_name: str,
        credentials: str,
        password: str,
        roles: str = "admin",
    ) -> User:
        """On an empty database only: the first account, which must be able to administer."""
        wanted = parse_roles(roles)
        if Role.ADMIN not in wanted:
            raise FieldError("roles", "The first account must have the admin role")
        name = clean_username(username)
        with self.db.transaction(audit=AuditContext(name, self.now(), "first administrator")) as s:
            if s.scalar(select(func.count(UserRow.id))):
                raise DomainError("Users already exist: an administrator adds new users")
            row = self._insert(s, name, full_name, credentials, wanted, password, name)
            give_key(s, row, password, self.kdf, self.now())  # a password only they know
            return to_user(row)

    @retried
    def add(
        self,
        actor: Actor,
        username: str,
        full_name: str,
        credentials: str,
        roles: str,
        password: str,
    ) -> User:
        name = clean_username(username)
        wanted = parse_roles(roles)
        with self.db.transaction(audit=self.audit(actor, "user added")) as tx:
            acting_user(tx, actor, Permission.MANAGE_USERS)
            clash = tx.scalar(select(UserRow).where(UserRow.username == name))
            if clash is not None:
                by = user_names(tx).get(clash.created_by, clash.created_by)
                raise FieldError("username", username_taken(name, by, clash.created_at, self.now()))
            row = self._insert(tx, name, full_name, credentials, wanted, password, actor.username)
            return to_user(row)

    # `version` (here and below): the User.version the list showed; an account changed since
    # on another workstation (deactivated, reset, a new password) is refused (StaleRecord).
    @retried
    def deactivate(
        self, actor: Actor, username: str, reason: str, *, version: int | None = None
    ) -> User:
        return self._change(actor, username, reason, version, active=False)

    @retried
    def reactivate(
        self, actor: Actor, username: str, reason: str, *, version: int | None = None
    ) -> User:
        return self._change(actor, username, reason, version, active=True)

    @retried
    def reset_password(
        self, actor: Actor, username: str, password: str, *, version: int | None = None
    ) -> User:
        """A temporary password: the user must choose their own at the next sign-in, and
        cannot sign until then (the administrator knows this one)."""
        check_password_policy(password)
        return self._change(
            actor,
            username,
            "password reset",
            version,
            password_hash=_hasher.hash(password),
            failed_sign_ins=0,
            locked_until=None,
            must_change_password=True,
            public_key=None,
        )

    @retried
    def change_password(self, username: str, old_password: str, new_password: str) -> User:
        """The user's own change (self-service, or the one asked at sign-in after a reset).

        Re-authenticates with `old_password` (a wrong one counts as a failed sign-in). With
        a usable key, the same key is re-sealed under the new password; after a reset or on
        a new account, a new key pair is made."""
        check_password_policy(new_password)
        if new_password == old_password:
            raise FieldError("password", "Choose a password different from the one you have")
        name = AuthService(self.db, self.clock).sign_in(username, old_password).username
        now = self.now()
        with self.db.transaction() as tx:
            row = tx.scalar(select(UserRow).where(UserRow.username == name))
            if row is None:
                raise NotFound(f"No user {name!r}")
            current = None if row.must_change_password else current_key(tx, row)
            reason = "own password chosen" if current is None else "password changed"
            tx.info["audit"] = AuditContext(name, now, reason)
            row.password_hash = _hasher.hash(new_password)
            row.must_change_password = False
            if current is None:
                give_key(tx, row, new_password, self.kdf, now)
            else:
                try:
                    sealed = keys.reseal(
                        name, sealed_key(current), old_password, new_password, self.kdf
                    )
                except keys.KeyLocked:  # sealed under another password: make a new pair
                    give_key(tx, row, new_password, self.kdf, now)
                else:
                    current.sealed_private_key = sealed.sealed_private_key
                    current.kdf_salt, current.aead_nonce = sealed.kdf_salt, sealed.aead_nonce
                    current.kdf_params = sealed.kdf_params
            tx.flush()
            log.info("password changed by %s (%s)", name, reason)
            return to_user(row)

    def _change(
        self, actor: Actor, username: str, reason: str, version: int | None, **values: object
    ) -> User:
        reason = fields.reason(reason, missing="A reason is required")
        username = fields.one_line_text(
            "username", username, fields.USERNAME_LENGTH, label="Username"
        )
        with self.db.transaction(audit=self.audit(actor, reason)) as tx:
            me = acting_user(tx, actor, Permission.MANAGE_USERS)
            row = tx.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                raise NotFound(f"No user {username!r}")
            require_version(tx, UserRow, row.id, version)
            if values.get("active") is False and row.id == me.id:
                raise DomainError("You cannot deactivate your own account")
            for key, value in values.items():
                setattr(row, key, value)
            tx.flush()  # the new version, for the list
            return to_user(row)

    def _insert(
        self,
        tx: Session,
        name: str,
        full_name: str,
        credentials: str,
        roles: frozenset[Role],
        password: str,
        by: str,
    ) -> UserRow:
        full, creds = clean_person(full_name, credentials)
        check_password_policy(password)
        row = UserRow(
            username=name,
            full_name=full,
            credentials=creds,
            roles=format_roles(roles),
            password_hash=_hasher.hash(password),
            active=True,
            failed_sign_ins=0,
            locked_until=None,
            created_at=self.now(),
            created_by=by,
            public_key=None,
            must_change_password=by != name,  # an administrator typed this password
        )
        tx.add(row)
        tx.flush()
        return row


def give_key(tx: Session, user: UserRow, password: str, kdf: keys.KdfParams, now: datetime) -> None:
    """A new key pair for `user`, sealed under `password`, becoming their current key."""
    tx.flush()  # the user row first: the key names it
    sealed = keys.new_key(user.username, password, kdf)
    tx.add(
        UserKeyRow(
            username=user.username,
            public_key=sealed.public_key,
            sealed_private_key=sealed.sealed_private_key,
            kdf_salt=sealed.kdf_salt,
            aead_nonce=sealed.aead_nonce,
            kdf_params=sealed.kdf_params,
            created_at=now,
        )
    )
    user.public_key = sealed.public_key


def current_key(tx: Session, user: UserRow) -> UserKeyRow | None:
    if user.public_key is None:
        return None
    return tx.scalar(
        select(UserKeyRow).where(
            UserKeyRow.username == user.username, UserKeyRow.public_key == user.public_key
        )
    )


def sealed_key(row: UserKeyRow) -> keys.SealedKey:
    return keys.SealedKey(
        row.public_key, row.sealed_private_key, row.kdf_salt, row.aead_nonce, row.kdf_params
    )


def open_signing_key(
    tx: Session, username: str, password: str
) -> tuple[UserKeyRow, Ed25519PrivateKey]:
    """(the user_key row, the private key) of `username`, opened with the password just
    typed; refused in words when they have no usable key."""
    user = tx.scalar(select(UserRow).where(UserRow.username == username))
    row = None if user is None or user.must_change_password else current_key(tx, user)
    if row is None:
        raise DomainError(CHOOSE_OWN_PASSWORD)
    return row, keys.unseal(username, sealed_key(row), password)


class AuthService(Service):
    @retried
    def sign_in(self, username: str, password: str) -> User:
        """The user, or SignInRefused. Every attempt is written to the audit trail; an
        unknown username is recorded (and logged) as "unknown user", never as typed."""
        name = username.strip().lower() if isinstance(username, str) else ""
        name = fields.controls_as_spaces(name)  # no account has one: refused, never stored
        if not isinstance(password, str):
            password = ""
        now = self.now()
        with self.db.transaction(write=True) as tx:
            row = tx.scalar(select(UserRow).where(UserRow.username == name))
            check = check_password(row, password, now)
            ok = check.ok
            if ok and row is not None and _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            context = AuditContext(check.who, now)
            tx.info["audit"] = context
            tx.flush()
            write_entries(
                tx.connection(),
                context,
                [
                    (
                        "sign_in" if ok else "sign_in_refused",
                        "app_user",
                        row.id if row else None,
                        "",
                        None,
                        None,
                    )
                ],
            )
            user = to_user(row) if ok and row is not None else None
        if user is None:  # the failure count was committed above
            log.warning("sign-in refused for %s", check.who)
            raise SignInRefused()
        log.info("signed in: %s", user.username)
        return user

    def confirm_password(self, actor: Actor, password: str) -> User:
        """Re-authentication of the signed-in user (unlocking the screen)."""
        return self.sign_in(actor.username, password)

    @retried
    def record(self, actor: Actor, action: str) -> None:
        """Security events without a data change: lock, unlock, sign-out, switch user."""
        with self.db.transaction() as tx:
            user = acting_user(tx, actor, None)
            write_entries(
                tx.connection(),
                self.audit(actor),
                [(action, "app_user", user.id, "", None, None)],
            )
