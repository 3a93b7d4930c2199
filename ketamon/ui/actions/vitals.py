"""Vitals: record a set (the entry popup, from a tile or a session window), correct or void
one (the session window's table)."""

from __future__ import annotations

from collections.abc import Callable

from ketamon.domain.vitals import VitalsDraft, VitalsSet
from ketamon.ui.actions.base import UseCase
from ketamon.ui.vitals_entry import VitalsEntryHandlers


class RecordVitals(UseCase):
    """Record a vitals set (the entry popup), from a tile or a session window."""

    def handlers(
        self,
        session_id: int,
        initiator: object | None,
        saved: Callable[[VitalsSet], object] = lambda _set: None,
    ) -> VitalsEntryHandlers:
        """What the popup needs for one session: the clinic's bands for this patient (a
        typed MOAA/S is graded as the service will grade it), the clock, the save.
        Reading the bands may raise DomainError or StorageError."""
        clinic, actor = self.clinic, self.actor
        return VitalsEntryHandlers(
            record=lambda draft, taken_at, pre_discharge: self.act(
                initiator,
                lambda: clinic.vitals.record(
                    actor, session_id, draft, taken_at, pre_discharge=pre_discharge
                ),
            ),
            now=clinic.clock,
            saved=saved,
            bands=clinic.vitals.bands(session_id),
        )


class CorrectVitals(UseCase):
    """Correct or void a recorded set (a reason is required; the original stays)."""

    def correct(
        self, set_id: int, draft: VitalsDraft, reason: str, *, initiator: object | None = None
    ) -> VitalsSet:
        return self.act(
            initiator, lambda: self.clinic.vitals.correct(self.actor, set_id, draft, reason)
        )

    def void(self, set_id: int, reason: str, *, initiator: object | None = None) -> VitalsSet:
        return self.act(initiator, lambda: self.clinic.vitals.void(self.actor, set_id, reason))
