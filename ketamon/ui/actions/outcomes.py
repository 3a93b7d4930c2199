"""Outcome questionnaires: ask them before an infusion (the clinic's list), and the
clinician's review of a positive PHQ-9 item 9."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ketamon.domain.instruments import Instrument
from ketamon.domain.outcomes import CssrsScreen, Decision, OutcomeRecord
from ketamon.ui.actions.base import UseCase
from ketamon.ui.dialogs.item9_review import Item9ReviewDialog
from ketamon.ui.dialogs.questionnaire import QuestionnaireDialog


class Outcomes(UseCase):
    def instruments(self) -> list[Instrument]:
        """The questionnaires this clinic asks before each infusion, in its order."""
        return [Instrument(name) for name in self.clinic.settings.get().outcome_instruments]

    def ask(
        self,
        parent: QWidget | None,
        session_id: int,
        instrument: Instrument,
        patient: str,
        *,
        initiator: object | None = None,
    ) -> OutcomeRecord | None:
        """The questionnaire dialog for one session; the stored record, or None."""

        def submit(answers: list[int], self_completed: bool) -> OutcomeRecord:
            return self.act(
                initiator,
                lambda: self.clinic.outcomes.record(
                    self.actor, session_id, instrument, answers, self_completed=self_completed
                ),
            )

        result: OutcomeRecord | None = QuestionnaireDialog.ask(parent, instrument, patient, submit)
        return result

    def ask_review(
        self,
        parent: QWidget | None,
        record: OutcomeRecord,
        patient: str,
        *,
        initiator: object | None = None,
    ) -> OutcomeRecord | None:
        """The clinician's decision on a positive item 9; the reviewed record, or None."""

        def submit(decision: Decision, note: str, screen: CssrsScreen | None) -> OutcomeRecord:
            return self.review_item9(record.id, decision, note, screen, initiator=initiator)

        result: OutcomeRecord | None = Item9ReviewDialog.ask(parent, record, patient, submit)
        return result

    def review_item9(
        self,
        outcome_id: int,
        decision: Decision,
        note: str,
        screen: CssrsScreen | None = None,
        *,
        initiator: object | None = None,
    ) -> OutcomeRecord:
        return self.act(
            initiator,
            lambda: self.clinic.outcomes.review_item9(
                self.actor, outcome_id, decision, note, screen=screen
            ),
        )
