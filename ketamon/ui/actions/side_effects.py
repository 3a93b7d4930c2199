"""Side effects: the list dialog (tick, grade, resolve, correct, void, acknowledge) and the
physician's decision on a SEVERE one still open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import SignalInstance

from ketamon.domain.changes import Change
from ketamon.domain.side_effects import SideEffect
from ketamon.ui.actions.base import UseCase
from ketamon.ui.dialogs.side_effects import SideEffectHandlers


class SideEffects(UseCase):
    """Tick, grade, resolve, correct and void side effects of one session."""

    def handlers(
        self, session_id: int, initiator: object | None, changes: SignalInstance | None = None
    ) -> SideEffectHandlers:
        """`changes`: the signal every committed change is emitted on (the controller's
        `changed`); the open dialog follows it, so another workstation's ticks show."""
        service, actor, act = self.clinic.side_effects, self.actor, self.act

        def follow(on_change: Callable[[Change], None]) -> Callable[[], None]:
            if changes is None:
                return lambda: None
            changes.connect(on_change)

            def stop() -> None:
                changes.disconnect(on_change)

            return stop

        return SideEffectHandlers(
            session_id=session_id,
            initiator=initiator,
            follow=follow,
            load=lambda: service.for_session(session_id),
            catalog=service.catalog,
            tick=lambda key, severity, onset, other, note: act(
                initiator,
                lambda: service.tick(
                    actor,
                    session_id,
                    key,
                    severity=severity,
                    onset_at=onset,
                    other_text=other,
                    note=note,
                ),
            ),
            set_severity=lambda effect_id, severity, version, reason: act(
                initiator,
                lambda: service.set_severity(
                    actor, effect_id, severity, reason=reason, version=version
                ),
            ),
            resolve=lambda effect_id, at: act(
                initiator, lambda: service.resolve(actor, effect_id, at)
            ),
            set_note=lambda effect_id, note, version: act(
                initiator, lambda: service.set_note(actor, effect_id, note, version=version)
            ),
            correct_times=lambda effect_id, onset, resolved, reason, version: act(
                initiator,
                lambda: service.correct_times(
                    actor,
                    effect_id,
                    onset_at=onset,
                    resolved_at=resolved,
                    reason=reason,
                    version=version,
                ),
            ),
            void=lambda effect_id, reason: act(
                initiator, lambda: service.void(actor, effect_id, reason)
            ),
            acknowledge=lambda effect_id: act(
                initiator, lambda: service.acknowledge(actor, effect_id)
            ),
            now=self.clinic.clock,
        )


class PhysicianDecision(UseCase):
    """A physician's decision on a SEVERE side effect still open (their own username and
    password), from the session window or the discharge checklist."""

    def record(
        self,
        effect_id: int,
        decision: str,
        username: str,
        password: str,
        *,
        initiator: object | None = None,
    ) -> SideEffect:
        return self.act(
            initiator,
            lambda: self.clinic.side_effects.record_physician_decision(
                self.actor, effect_id, decision, username, password
            ),
        )
