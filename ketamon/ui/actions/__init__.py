"""One object per use case, built once per signed-in actor and used by every screen that
offers it (the tile, the session window, the review list), so the same action cannot be
wired twice and drift (issue 14: the MOAA/S popup graded by the clinic's bands from the
session window, by the defaults from the tile).

Each use case carries what its dialog needs (the bands, the clock), calls the service as
the signed-in user, and runs as one action on the clinic's change channel with the screen
that started it as the initiator: the change is published once, the initiator is not
refreshed twice. Screens receive these objects; they do not build service calls of their
own for these writes.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from ketamon.domain.actors import Actor
from ketamon.services.changes import Action
from ketamon.services.clinic import Clinic
from ketamon.ui.dialogs.side_effects import SideEffectHandlers, service_handlers
from ketamon.ui.vitals_entry import VitalsEntryHandlers

T = TypeVar("T")


class UseCases:
    """The use cases of one signed-in actor over one clinic."""

    def __init__(self, clinic: Clinic, actor: Actor) -> None:
        self.clinic, self.actor = clinic, actor
        self.record_vitals = RecordVitals(self)
        self.side_effects = SideEffects(self)

    def initiated_by(self, initiator: object | None) -> AbstractContextManager[Action]:
        """The changes made inside are one action, started by `initiator`."""
        return self.clinic.changes.initiated_by(initiator)

    def act(self, initiator: object | None, call: Callable[[], T]) -> T:
        with self.initiated_by(initiator):
            return call()


class RecordVitals:
    """Record a vitals set (the entry popup), from a tile or a session window."""

    def __init__(self, cases: UseCases) -> None:
        self.cases = cases

    def handlers(
        self,
        session_id: int,
        initiator: object | None,
        saved: Callable[[object], object] = lambda _set: None,
    ) -> VitalsEntryHandlers:
        """What the popup needs for one session: the clinic's bands for this patient (a
        typed MOAA/S is graded as the service will grade it), the clock, the save.
        Reading the bands may raise DomainError or StorageError."""
        clinic, actor = self.cases.clinic, self.cases.actor
        return VitalsEntryHandlers(
            record=lambda draft, taken_at, pre_discharge: self.cases.act(
                initiator,
                lambda: clinic.vitals.record(
                    actor, session_id, draft, taken_at, pre_discharge=pre_discharge
                ),
            ),
            now=clinic.clock,
            saved=saved,
            bands=clinic.vitals.bands(session_id),
        )


class SideEffects:
    """Tick, grade, resolve, correct and void side effects of one session."""

    def __init__(self, cases: UseCases) -> None:
        self.cases = cases

    def handlers(self, session_id: int, initiator: object | None) -> SideEffectHandlers:
        clinic = self.cases.clinic
        service = _Initiated(clinic.side_effects, self.cases, initiator)
        return service_handlers(service, self.cases.actor, session_id, clinic.clock)


class _Initiated:
    """A service whose every call runs as an action started by `initiator`."""

    def __init__(self, service: object, cases: UseCases, initiator: object | None) -> None:
        self._service, self._cases, self._initiator = service, cases, initiator

    def __getattr__(self, name: str) -> Callable[..., object]:
        method = getattr(self._service, name)

        def call(*args: object, **kwargs: object) -> object:
            return self._cases.act(self._initiator, lambda: method(*args, **kwargs))

        return call
