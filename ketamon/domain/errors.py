"""Errors the domain raises, and the storage fault every layer may catch: each carries a
message a nurse can read.

StorageError lives here, in plain Python, so that the UI (and anything else that must not
load SQLAlchemy) can catch it; ketamon.storage.database raises it and re-exports it."""


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
    """The database could not be opened, read or written. str() names file and reason.

    `retry`: the unit of work lost a race and re-running it whole may succeed or end in a
    rule's words (a deadlock, a serialization failure, SQLite still locked after its busy
    timeout, or a unique key another workstation committed a moment earlier)."""

    def __init__(self, location: str, reason: str, *, retry: bool = False) -> None:
        super().__init__(f"Database {location}: {reason}")
        self.location = location
        self.reason = reason
        self.retry = retry
