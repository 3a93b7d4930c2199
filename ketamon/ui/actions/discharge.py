"""The discharge checklist of one session (from the tile or the session window)."""

from __future__ import annotations

from ketamon.domain.actors import Actor
from ketamon.services.clinic import Clinic
from ketamon.ui.actions.base import UseCase
from ketamon.ui.actions.side_effects import PhysicianDecision
from ketamon.ui.dialogs.discharge import DischargeHandlers


class Discharge(UseCase):
    """Answers, discharge, leaving against advice, the next appointment; a physician's
    decision on a SEVERE side effect from inside the checklist is the same use case as the
    session window's."""

    def __init__(self, clinic: Clinic, actor: Actor, decision: PhysicianDecision) -> None:
        super().__init__(clinic, actor)
        self.decision = decision

    def handlers(self, session_id: int, *, initiator: object | None = None) -> DischargeHandlers:
        """What the checklist needs for one session. Reading may raise DomainError or
        StorageError."""
        clinic, actor, act = self.clinic, self.actor, self.act
        service = clinic.discharge
        others = clinic.users.all()
        return DischargeHandlers(
            state=lambda: service.state(session_id),
            save=lambda answers, version: act(
                initiator,
                lambda: service.save_answers(actor, session_id, answers, version=version),
            ),
            discharge=lambda: act(initiator, lambda: service.discharge(actor, session_id)),
            leave_against_advice=lambda ama: act(
                initiator, lambda: service.leave_against_advice(actor, session_id, ama)
            ),
            now=clinic.clock,
            set_next_appointment=lambda when, version: act(
                initiator,
                lambda: service.set_next_appointment(actor, session_id, when, version=version),
            ),
            rules=clinic.settings.get().discharge_rules,
            nurse=actor.display_name,
            witnesses=tuple(
                (u.username, u.display_name)
                for u in others
                if u.active and u.username != actor.username
            ),
            physician_decision=lambda effect_id, text, username, password: self.decision.record(
                effect_id, text, username, password, initiator=initiator
            ),
        )
