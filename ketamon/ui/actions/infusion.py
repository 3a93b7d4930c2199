"""The infusion of one session: start, pause, resume, rate change, stop, cancel (the tile and
the Interventions tab), medications given and voided, the dose record."""

from __future__ import annotations

from collections.abc import Sequence

from ketamon.domain.board import SessionSnapshot
from ketamon.domain.discharge import Escort
from ketamon.domain.dose import DoseRecord
from ketamon.domain.interventions import Medication, MedicationDraft
from ketamon.domain.start import StartCheck
from ketamon.ui.actions.base import UseCase
from ketamon.ui.dialogs.dose_record import DoseHandlers
from ketamon.ui.dialogs.medication import MedicationHandlers


class Infusion(UseCase):
    """What the nurse does to the running infusion, as the signed-in user."""

    def start_check(self, session_id: int) -> StartCheck:
        """What a start needs asked first (the questionnaires, an escort, a plan, a
        baseline, a high BP): a read."""
        return self.clinic.sessions.start_check(session_id)

    def start(
        self,
        session_id: int,
        *,
        no_plan_reason: str = "",
        no_escort_reason: str = "",
        no_questionnaire_reason: str = "",
        no_baseline_reason: str = "",
        high_bp_confirmed: bool = False,
        initiator: object | None = None,
    ) -> SessionSnapshot:
        return self.act(
            initiator,
            lambda: self.clinic.sessions.start(
                self.actor,
                session_id,
                no_plan_reason=no_plan_reason,
                no_escort_reason=no_escort_reason,
                no_questionnaire_reason=no_questionnaire_reason,
                no_baseline_reason=no_baseline_reason,
                high_bp_confirmed=high_bp_confirmed,
            ),
        )

    def plan_escort(
        self, session_id: int, escort: Escort, *, initiator: object | None = None
    ) -> None:
        """Keep the escort plan (name, relationship, phone) before the start."""
        self.act(
            initiator,
            lambda: self.clinic.discharge.save_escort_plan(self.actor, session_id, escort),
        )

    def pause(
        self, session_id: int, reason: str, *, initiator: object | None = None
    ) -> SessionSnapshot:
        return self.act(
            initiator, lambda: self.clinic.sessions.pause(self.actor, session_id, reason)
        )

    def resume(self, session_id: int, *, initiator: object | None = None) -> SessionSnapshot:
        return self.act(initiator, lambda: self.clinic.sessions.resume(self.actor, session_id))

    def rate_change(
        self, session_id: int, rate_ml_h: float, reason: str, *, initiator: object | None = None
    ) -> SessionSnapshot:
        return self.act(
            initiator,
            lambda: self.clinic.sessions.rate_change(self.actor, session_id, rate_ml_h, reason),
        )

    def stop(
        self, session_id: int, reason: str = "", *, initiator: object | None = None
    ) -> SessionSnapshot:
        return self.act(
            initiator, lambda: self.clinic.sessions.stop(self.actor, session_id, reason)
        )

    def cancel(
        self, session_id: int, reason: str, *, initiator: object | None = None
    ) -> SessionSnapshot:
        return self.act(
            initiator, lambda: self.clinic.sessions.cancel(self.actor, session_id, reason)
        )


class Medications(UseCase):
    """A medication given (the dialog: the clinic's list, who may have given it, the
    patient's allergies), or voided with a reason."""

    def handlers(
        self,
        session_id: int,
        side_effects: Sequence[tuple[int, str]] = (),
        *,
        initiator: object | None = None,
    ) -> MedicationHandlers:
        """What the dialog needs for one session (`side_effects`: its current ones, what a
        medication may treat). Reading may raise DomainError or StorageError."""
        clinic = self.clinic
        users = [u for u in clinic.users.all() if u.active]
        patient = clinic.patients.get(clinic.sessions.get(session_id).patient_id)
        return MedicationHandlers(
            give=lambda draft: self.give(session_id, draft, initiator=initiator),
            now=clinic.clock,
            choices=clinic.settings.get().medication_choices,
            users=[(u.username, u.display_name) for u in users],
            actor=self.actor.username,
            side_effects=side_effects,
            patient=patient,
        )

    def give(
        self, session_id: int, draft: MedicationDraft, *, initiator: object | None = None
    ) -> Medication:
        return self.act(
            initiator, lambda: self.clinic.interventions.give(self.actor, session_id, draft)
        )

    def void(self, med_id: int, reason: str, *, initiator: object | None = None) -> Medication:
        return self.act(
            initiator, lambda: self.clinic.interventions.void(self.actor, med_id, reason)
        )


class DoseRecording(UseCase):
    """The dose record of one session: the plan, then given and wasted with a witness."""

    def handlers(self, session_id: int, *, initiator: object | None = None) -> DoseHandlers:
        """What the dialog needs for one session. Reading may raise DomainError or
        StorageError."""
        clinic, actor = self.clinic, self.actor
        users = clinic.users.all()
        return DoseHandlers(
            plan=lambda w, mgkg, conc, lot, over, reason, version: self.act(
                initiator,
                lambda: clinic.dose.plan(
                    actor,
                    session_id,
                    w,
                    mgkg,
                    conc,
                    lot,
                    reason=reason,
                    version=version,
                    over_plan_reason=over,
                ),
            ),
            complete=lambda actual, wasted, who, pw, over, reason, version: self.act(
                initiator,
                lambda: clinic.dose.complete(
                    actor, session_id, actual, wasted, who, pw, over, reason=reason, version=version
                ),
            ),
            current=lambda: clinic.dose.get(session_id),
            defaults=clinic.dose.defaults(session_id),
            witnesses=[
                (u.username, u.display_name)
                for u in users
                if u.active and u.username != actor.username
            ],
            names={u.username: u.display_name for u in users},
            patient=clinic.patients.get(clinic.sessions.get(session_id).patient_id),
        )

    def record(self, session_id: int) -> DoseRecord | None:
        """The record as it stands (a read)."""
        return self.clinic.dose.get(session_id)
