"""Signing and addenda, offered the same way by the review list and the session window.

The controller builds one `SignActions` (its calls are the services', as the signed-in user)
and hands it to whichever window asks; the dialogs come from `ketamon.ui.review.dialogs`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from html import escape

from PySide6.QtWidgets import QWidget

from ketamon.domain.errors import ChangedSinceRead
from ketamon.domain.review import Addendum, Signature
from ketamon.ui.palette import MISSING, VERDICT
from ketamon.ui.review.dialogs import AddendumDialog, SignDialog


@dataclass(frozen=True)
class SignActions:
    # (session id, username or None, password, meaning, comment, the record's digest as the
    # view showed it) -> the Signature; ChangedSinceRead when the record changed since
    sign: Callable[[int, str | None, str, str, str, str], Signature]
    add_addendum: Callable[[int, str, str, str], Addendum]  # (session id, text, reason, password)
    need_username: Callable[[], bool]  # the first signing since sign-in (21 CFR 11.200)
    may_sign: bool  # physicians only
    meanings: tuple[str, ...]
    # session id -> the digest of its record as it stands now: read by the view with what
    # it shows, given back when signing
    digest: Callable[[int], str] = lambda _sid: ""
    # The change channel's action scope: the window that asked is the initiator (it shows
    # what it signed; the others follow the change).
    initiated_by: Callable[[object], AbstractContextManager[object]] = lambda _w: nullcontext()
    # A session window read the record (session id, its digest then; None: changed since,
    # to be read again); the review list signs only a record read so, with that digest:
    # never one the physician has not opened.
    remember_read: Callable[[int, str | None], None] = lambda _sid, _digest: None
    read_digest: Callable[[int], str | None] = lambda _sid: None


def ask_sign(
    parent: QWidget | None,
    actions: SignActions,
    session_id: int,
    title: str,
    reviewed: str,
    reload: Callable[[], None],
):
    """The signing dialog for one session: its Signature, or None (cancelled).

    `reviewed`: the digest of the record as the view shows it, fixed while the dialog is
    open. A record changed since is refused in the dialog and `reload` re-reads the view."""

    def sign(user: str | None, password: str, meaning: str, comment: str) -> Signature:
        try:
            return actions.sign(session_id, user, password, meaning, comment, reviewed)
        except ChangedSinceRead:
            reload()
            raise

    with actions.initiated_by(parent):
        return SignDialog.ask(parent, title, actions.meanings, actions.need_username(), sign)


def ask_addendum(parent: QWidget | None, actions: SignActions, session_id: int, title: str):
    """The addendum dialog for one signed session: the Addendum, or None (cancelled)."""
    with actions.initiated_by(parent):
        return AddendumDialog.ask(
            parent,
            title,
            lambda text, reason, password: actions.add_addendum(session_id, text, reason, password),
        )


def verdict_html(checked: Signature | Addendum) -> str:
    """What checking a signature found: red and bold when it is INVALID."""
    if checked.valid:
        return f"<span style='color:{VERDICT}'>{escape(checked.verdict, quote=False)}</span>"
    return f"<b style='color:{MISSING}'>{escape(checked.verdict, quote=False)}</b>"
