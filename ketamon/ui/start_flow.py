"""S on a chair: what is owed before the dose, asked in the order a nurse settles it.

First the clinic's questionnaires (a positive PHQ-9 item 9 stops the start, so it is
asked before anything is prepared), then the escort plan (county policy: transport home
confirmed before the dose), then the dose plan. Each is entered now (Enter) or the start
goes on without it with a required reason (its own key, Alt+W); then a missing baseline
needs a reason and a high baseline BP a confirmation. Esc at any question: nothing
starts. The rules themselves are domain.start's: this only asks for what they need.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ketamon.domain.board import SessionSnapshot
from ketamon.domain.dose import DoseRecord
from ketamon.domain.start import StartCheck
from ketamon.ui.actions import UseCases
from ketamon.ui.dialogs.escort import EscortPlanDialog, ask_escort_first, ask_no_escort_reason
from ketamon.ui.dialogs.messages import Confirm
from ketamon.ui.dialogs.reason import BASELINE_OVERRIDE_REASONS, ReasonDialog
from ketamon.ui.dialogs.start import (
    PLAN,
    ask_no_plan_reason,
    ask_no_questionnaire_reason,
    ask_plan_first,
    ask_questionnaires_first,
)

Ask = Callable[[QWidget | None, str], str | None]


@dataclass
class StartFlow:
    """What the board controller lends the start: where to show dialogs, itself as the
    initiator of the changes, its use cases, its guard (a refusal or a fault shown; None
    returned), its messages, how it acts on a chair, and its dialogs for the dose record
    and the questionnaires (True: all asked)."""

    parent: QWidget | None
    initiator: object  # the controller: its own changes are not reloaded twice
    use_cases: UseCases
    guard: Callable[[Callable[[], object]], object]
    say: Callable[[str, str], None]  # (title, text): a message box
    session_action: Callable[[int, Callable[[int], SessionSnapshot]], None]
    ask_dose: Callable[..., DoseRecord | None]
    ask_questionnaires: Callable[[SessionSnapshot, Sequence[str]], bool]

    def run(self, chair_id: int, session: SessionSnapshot) -> None:
        infusion = self.use_cases.infusion
        check = self._check(session)
        if check is None or self._stopped(check):
            return
        reasons: dict[str, str] = {}
        if check.questionnaires_missing:
            missing = check.questionnaires_missing
            owed = self._owed_first(
                session,
                check,
                lambda parent, name: ask_questionnaires_first(parent, name, missing),
                lambda: True if self.ask_questionnaires(session, missing) else None,
                lambda fresh: self._stopped(fresh) or bool(fresh.questionnaires_missing),
                lambda parent, name: ask_no_questionnaire_reason(parent, name, missing),
            )
            if owed is None:
                return
            check, reasons["no_questionnaire_reason"] = owed
        if check.missing_escort_plan:
            owed = self._owed_first(
                session,
                check,
                ask_escort_first,
                lambda: EscortPlanDialog.ask(
                    self.parent,
                    session.patient_name,
                    lambda escort: infusion.plan_escort(
                        session.id, escort, initiator=self.initiator
                    ),
                ),
                lambda fresh: fresh.missing_escort_plan,
                ask_no_escort_reason,
            )
            if owed is None:
                return
            check, reasons["no_escort_reason"] = owed
        if check.missing_dose_plan:
            title = f"{session.chair_name} · {session.patient_name}"
            owed = self._owed_first(
                session,
                check,
                ask_plan_first,
                lambda: self.guard(lambda: self.ask_dose(session.id, title, before_start=True)),
                lambda fresh: fresh.missing_dose_plan,
                ask_no_plan_reason,
            )
            if owed is None:
                return
            check, reasons["no_plan_reason"] = owed
        if check.missing_baseline:
            reason = ReasonDialog.ask(
                self.parent,
                "Start without baseline vitals",
                f"{check.baseline.message}\nWhy start the infusion for {session.patient_name} "
                "without a baseline set?",
                BASELINE_OVERRIDE_REASONS,
            )
            if not reason:
                return
            reasons["no_baseline_reason"] = reason
        confirmed = False
        if check.high_bp:
            sys_w, dia_w = check.warning_bp
            confirmed = Confirm.ask(
                self.parent,
                "High baseline blood pressure",
                f"Baseline BP for {session.patient_name} is {check.high_bp}, above "
                f"{sys_w}/{dia_w}.\n\nProceeding records that you decided to start.",
                "Start anyway",
            )
            if not confirmed:
                return
        self.session_action(
            chair_id,
            lambda sid: infusion.start(
                sid, **reasons, high_bp_confirmed=confirmed, initiator=self.initiator
            ),
        )

    def _check(self, session: SessionSnapshot) -> StartCheck | None:
        check = self.guard(lambda: self.use_cases.infusion.start_check(session.id))
        return check if isinstance(check, StartCheck) else None

    def _stopped(self, check: StartCheck) -> bool:
        """A positive PHQ-9 item 9 holds the start: said at once (nothing else is asked,
        no reason lifts it; Q opens its review while none is recorded)."""
        if not check.item9_stop:
            return False
        hint = "\n\nPress Q to review it." if check.item9_awaiting_review else ""
        self.say("Not to start", f"{check.item9_stop}.{hint}")
        return True

    def _owed_first(
        self,
        session: SessionSnapshot,
        check: StartCheck,
        ask: Ask,
        enter: Callable[[], object],
        still_missing: Callable[[StartCheck], bool],
        ask_reason: Ask,
    ) -> tuple[StartCheck, str] | None:
        """One thing owed before the start: `ask` whether to enter it now (`enter`: its
        dialog, None when closed unsaved) or start without it after `ask_reason`. The start
        check read again after an entry, and the reason ("" if entered); None: nothing
        starts."""
        choice = ask(self.parent, session.patient_name)
        if choice is None:
            return None
        if choice == PLAN:
            if enter() is None:
                return None  # closed without saving: nothing starts
            fresh = self._check(session)
            if fresh is None or still_missing(fresh):
                return None
            return fresh, ""
        typed = ask_reason(self.parent, session.patient_name)
        return (check, typed) if typed else None
