"""Who is acting. Every service call names its actor; nothing is recorded anonymously."""

from __future__ import annotations

from dataclasses import dataclass

from ketamon.domain.errors import DomainError


@dataclass(frozen=True)
class Actor:
    username: str
    display_name: str = ""

    def __post_init__(self) -> None:
        if not self.username or not self.username.strip():
            raise DomainError("An acting user is required")

    @property
    def label(self) -> str:
        return self.display_name or self.username


def require_actor(actor: object) -> Actor:
    if not isinstance(actor, Actor):
        raise DomainError("An acting user is required for every change")
    return actor
