"""The channel every committed change passes through (plain Python: the UI listens).

The database names each committed unit of work's Change (ketamon.storage.audit); the
channel hands it to every subscriber. A screen that starts a user action says so:

    with clinic.changes.initiated_by(self) as done:
        clinic.vitals.record(...)
    done.change  # what the action changed, with `self` as its initiator

Inside the block the changes are gathered and published once, merged, when the block
ends (one user action may take several units of work: a check-in and its escort plan).
Changes made on other workstations (ketamon.storage.live, started by Clinic.start_live)
are published the same way, without an initiator, their origin naming where they came from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ketamon.domain.changes import Change, merge

log = logging.getLogger(__name__)

Subscriber = Callable[[Change], object]


@dataclass(eq=False)  # identity: nested actions of one initiator are two actions
class Action:
    """One user action in progress: the changes it made so far, merged."""

    initiator: object | None
    parts: list[Change] = field(default_factory=list)

    @property
    def change(self) -> Change:
        return merge(self.parts).with_initiator(self.initiator)


class ChangeChannel:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._actions: list[Action] = []
        self.last: Change | None = None  # the newest change published

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call `fn(change)` after each published change; returns the unsubscribe."""
        self._subscribers.append(fn)

        def unsubscribe() -> None:
            if fn in self._subscribers:
                self._subscribers.remove(fn)

        return unsubscribe

    def committed(self, change: Change) -> None:
        """A unit of work committed (the database calls this): published now, or when the
        user action it belongs to ends."""
        if self._actions:
            self._actions[-1].parts.append(change)
        else:
            self.publish(change)

    def arrived(self, change: Change) -> None:
        """A change committed elsewhere (another workstation): published at once, never
        gathered into an action in progress here (that action's screen did not start it)."""
        self.publish(change)

    def publish(self, change: Change) -> None:
        self.last = change
        for fn in list(self._subscribers):
            fn(change)

    @contextmanager
    def initiated_by(self, initiator: object | None) -> Iterator[Action]:
        """Gather the changes made inside the block as one action started by `initiator`,
        and publish them once when it ends (also when it ends with an error: what was
        committed before the error stays committed and is shown)."""
        action = Action(initiator)
        self._actions.append(action)
        try:
            yield action
        finally:
            self._actions.remove(action)
            if action.parts:
                if self._actions:  # nested: the outer action publishes
                    self._actions[-1].parts.extend(action.parts)
                else:
                    self.publish(action.change)
