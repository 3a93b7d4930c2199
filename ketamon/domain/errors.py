"""Errors the domain raises, and the storage fault every layer may catch: each carries a
message a nurse can read.

StorageError lives here, in plain Python, so that the UI (and anything else that must not
load SQLAlchemy) can catch it; ketamon.storage.database raises it and re-exports it."""

from __future__ import annotations

from datetime import datetime


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


class StorageError(Exception):
    """The database could not be opened, read or written. str() names file and reason."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"Database {location}: {reason}")
        self.location = location
        self.reason = reason


class StaleRecord(DomainError):
    """A save from a view loaded before another workstation saved the same record: refused,
    naming who changed it and when (local time with zone). The view reloads the record and
    keeps what its user typed."""

    def __init__(
        self, what: str, by: str | None, at: datetime | None, *, plural: bool = False
    ) -> None:
        who = f" by {by}" if by else ""
        when = f" at {at.astimezone().strftime('%H:%M %Z')}" if at is not None else ""
        were, it = ("were", "they have") if plural else ("was", "it has")
        super().__init__(
            f"{what} {were} changed{who}{when} on another workstation; {it} been reloaded. "
            "Your entries are kept: check them and save again."
        )
        self.what, self.by, self.at = what, by, at
