"""Signing and addenda (the review list and the session window): one `SignActions` per
signed-in user, which remembers whether they signed since signing in (21 CFR 11.200: the
first signing asks the username too) and which records they read in a session window (the
review list signs only those, and gives back the digest of the record as read there)."""

from __future__ import annotations

from ketamon.domain.actors import Actor
from ketamon.domain.review import Addendum, Signature
from ketamon.domain.users import Role
from ketamon.services.clinic import Clinic
from ketamon.ui.actions.base import UseCase
from ketamon.ui.review.actions import SignActions


class Signing(UseCase):
    signed_since_sign_in = False

    def __init__(self, clinic: Clinic, actor: Actor) -> None:
        super().__init__(clinic, actor)
        self.read: dict[int, str] = {}  # session id -> its digest as last read in its window

    def remember_read(self, session_id: int, digest: str | None) -> None:
        """Read in its window (None: what was read is out of date, to be read again)."""
        if digest is None:
            self.read.pop(session_id, None)
        else:
            self.read[session_id] = digest

    def sign(
        self,
        session_id: int,
        username: str | None,
        password: str,
        meaning: str,
        note: str,
        *,
        reviewed: str,
        meanings: tuple[str, ...],
    ) -> Signature:
        signature = self.clinic.review.sign(
            self.actor,
            session_id,
            password,
            meaning,
            note,
            reviewed=reviewed,
            username=username,
            meanings=meanings,
        )
        self.signed_since_sign_in = True
        return signature

    def add_addendum(self, session_id: int, text: str, reason: str, password: str) -> Addendum:
        return self.clinic.review.add_addendum(self.actor, session_id, text, reason, password)

    def actions(self, roles: frozenset[Role]) -> SignActions:
        """What the dialogs need, with the clinic's signature meanings as they are now.
        Reading the settings may raise DomainError or StorageError."""
        meanings = self.clinic.settings.get().signature_meanings
        return SignActions(
            sign=lambda session_id, username, password, meaning, note, reviewed: self.sign(
                session_id, username, password, meaning, note, reviewed=reviewed, meanings=meanings
            ),
            digest=self.clinic.review.record_digest,
            add_addendum=self.add_addendum,
            need_username=lambda: not self.signed_since_sign_in,
            remember_read=self.remember_read,
            read_digest=self.read.get,
            may_sign=Role.PHYSICIAN in roles,
            meanings=meanings,
            initiated_by=self.initiated_by,
        )
