"""Errors the domain raises, and the storage fault every layer may catch: each carries a
message a nurse can read.

StorageError lives here, in plain Python, so that the UI (and anything else that must not
load SQLAlchemy) can catch it; ketamon.storage.database raises it and re-exports it."""

from __future__ import annotations

from datetime import UTC, datetime

from ketamon.domain.taken import moment


class DomainError(Exception):
    """A clinical rule refused an action. str(error) is shown to the user as is."""


class NotFound(DomainError):
    """The record asked for does not exist."""


class FieldError(DomainError):
    """One input field holds a value that is not allowed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class ValidationErrors(DomainError):
    """Several fields were refused at once; `errors` maps field name -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


# Why a database cannot be reached at all, as ketamon.storage.database.error_reason() words
# it (a StorageError's reason begins with one of these): nothing can be read or saved until it
# answers again, so the screens say so on a banner and retry (ketamon.ui.connection).
CONNECTION_REFUSED = "connection refused"
SERVER_CLOSED = "the server closed the connection"
TIMED_OUT = "no answer from the server (timeout)"
AUTHENTICATION_FAILED = "authentication failed"
NO_SUCH_DATABASE = "the database does not exist on the server"
UNKNOWN_HOST = "the server's name is not known"
NETWORK_DOWN = "the network is unreachable"
SERVER_STARTING = "the server is starting up or shutting down"
FILE_UNREADABLE = "the file cannot be opened"
DISK_ERROR = "the disk could not be read or written"
UNREACHABLE = (
    CONNECTION_REFUSED,
    SERVER_CLOSED,
    TIMED_OUT,
    AUTHENTICATION_FAILED,
    NO_SUCH_DATABASE,
    UNKNOWN_HOST,
    NETWORK_DOWN,
    SERVER_STARTING,
    FILE_UNREADABLE,
    DISK_ERROR,
)


class StorageError(Exception):
    """The database could not be opened, read or written. str() names file and reason.

    `retry`: the unit of work lost a race and re-running it whole may succeed or end in a
    rule's words (a deadlock, a serialization failure, SQLite still locked after its busy
    timeout, or a unique key another workstation committed a moment earlier)."""

    def __init__(self, location: str, reason: str, *, retry: bool = False) -> None:
        super().__init__(f"Database {location}: {reason}")
        self.location = location
        self.reason = reason
        self.retry = retry

    @property
    def unreachable(self) -> bool:
        """The database cannot be reached at all (server down, network, file gone), as
        opposed to a refusal of this one change (locked, read-only, a conflict)."""
        return self.reason.startswith(UNREACHABLE)


class ChangedSinceRead(DomainError):
    """A signature over a record that changed after the physician's view read it: refused,
    and the view reloads so the physician reads what would be signed."""

    def __init__(
        self, by: str | None = None, at: datetime | None = None, now: datetime | None = None
    ) -> None:
        """`by`, `at`: the last change the audit trail names (display name, UTC); `now`
        decides only whether its date is named (as StaleRecord)."""
        who = f" by {by}" if by else ""
        when = f" at {moment(at, now or datetime.now(UTC))}" if at is not None else ""
        super().__init__(
            f"The record was changed{who}{when} after you opened it (a new entry or a "
            "correction, here or on another workstation), so nothing was signed. It has been "
            "reloaded: cancel, read it again, then sign."
        )
        self.by, self.at = by, at


class StaleRecord(DomainError):
    """A save from a view loaded before another workstation saved the same record: refused,
    naming who changed it and when (local time with zone). The view reloads the record and
    keeps what its user typed."""

    def __init__(
        self,
        what: str,
        by: str | None,
        at: datetime | None,
        *,
        plural: bool = False,
        now: datetime | None = None,
    ) -> None:
        """`now` (the refused unit of work's clock time; None: the wall clock) decides only
        whether the date is named: a change made another day reads "2026-03-01 14:05 CET",
        as the race messages do (ketamon.domain.taken)."""
        who = f" by {by}" if by else ""
        when = f" at {moment(at, now or datetime.now(UTC))}" if at is not None else ""
        were, it = ("were", "they have") if plural else ("was", "it has")
        super().__init__(
            f"{what} {were} changed{who}{when} on another workstation; {it} been reloaded. "
            "Your entries are kept: check them and save again."
        )
        self.what, self.by, self.at = what, by, at
