"""Errors the domain raises: each carries a message a nurse can read."""


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
