"""What every use case object holds: the clinic, the signed-in actor, and the action scope
on the change channel (the screen that asked is the initiator)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from ketamon.domain.actors import Actor
from ketamon.services.changes import Action
from ketamon.services.clinic import Clinic

T = TypeVar("T")


class UseCase:
    """One use case of one signed-in actor over one clinic."""

    def __init__(self, clinic: Clinic, actor: Actor) -> None:
        self.clinic, self.actor = clinic, actor

    def initiated_by(self, initiator: object | None) -> AbstractContextManager[Action]:
        """The changes made inside are one action, started by `initiator` (nested inside a
        screen's own action, they join it)."""
        return self.clinic.changes.initiated_by(initiator)

    def act(self, initiator: object | None, call: Callable[[], T]) -> T:
        with self.initiated_by(initiator):
            return call()
