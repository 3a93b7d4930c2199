"""Turns a nurse's request on a tile into a service call, asking for what it needs first.

Rule refusals and database faults become a message; the board keeps running.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ketamon.domain.actors import Actor
from ketamon.domain.board import SessionSnapshot
from ketamon.domain.changes import Change, Kind
from ketamon.domain.chart import check_in_line
from ketamon.domain.discharge import Outcome
from ketamon.domain.dose import DoseRecord
from ketamon.domain.errors import DomainError, StorageError
from ketamon.domain.instruments import Instrument
from ketamon.domain.outcomes import Decision, OutcomeRecord
from ketamon.domain.settings import ClinicSettings
from ketamon.domain.users import Role, User
from ketamon.services.board import Board
from ketamon.services.clinic import Clinic
from ketamon.ui.actions import UseCases
from ketamon.ui.connection import ConnectionWatch, report_fault
from ketamon.ui.course_screens import CourseScreens
from ketamon.ui.dialogs.accounts import ChangePasswordDialog, UserDraft
from ketamon.ui.dialogs.chairs import ChairHandlers, ChairsDialog
from ketamon.ui.dialogs.checkin import CheckInDialog, CheckInHandlers
from ketamon.ui.dialogs.dose_record import DoseRecordDialog
from ketamon.ui.dialogs.infusion import ask_stop
from ketamon.ui.dialogs.messages import Discharged, show_message
from ketamon.ui.dialogs.reason import (
    CANCEL_REASONS,
    PAUSE_REASONS,
    ReasonDialog,
)
from ketamon.ui.dialogs.settings import SettingsDialog
from ketamon.ui.dialogs.users import UserHandlers, UsersDialog
from ketamon.ui.lifetime import alive
from ketamon.ui.review.actions import SignActions
from ketamon.ui.start_flow import StartFlow
from ketamon.ui.vitals_entry import VitalsEntryDialog

T = TypeVar("T")

# What the chair board shows: a change of only these (users, a signature) leaves it as it is.
OFF_BOARD = frozenset({Kind.USERS, Kind.SIGNATURE})
# What the review list shows.
ON_REVIEW_LIST = frozenset({Kind.PHASE, Kind.SIGNATURE, Kind.PATIENT, Kind.CHAIRS, Kind.USERS})


class BoardController(QObject, CourseScreens):
    board_changed = Signal(object)  # Board
    changed = Signal(object)  # Change: every committed change (the main window re-emits)

    def __init__(self, clinic: Clinic, actor: Actor, parent_widget: QWidget | None = None):
        super().__init__()
        self.acting_chair: int | None = None  # the chair whose dialogs are open
        self.clinic = clinic
        self.actor = actor
        self.parent_widget = parent_widget
        self.board: Board | None = None
        self.last_message: str = ""
        self.user: User | None = None
        # Whether the database answers: a banner while it does not (ketamon.ui.connection).
        self.connection = ConnectionWatch(clinic.check_connection, clinic.location, self)
        self.connection.restored.connect(self._reconnected)
        self.set_actor(actor)

    # -- who -------------------------------------------------------------------------------
    def set_actor(self, actor: Actor) -> User | None:
        """Everything from now on is recorded under `actor`; returns their account."""
        self.actor = actor
        self.use_cases = UseCases(self.clinic, actor)  # one wiring per use case
        users = self._guard(self.clinic.users.all) or []
        self.user = next((u for u in users if u.username == actor.username), None)
        return self.user

    @property
    def roles(self) -> frozenset[Role]:
        return self.user.roles if self.user else frozenset()

    def record(self, action: str, *, quiet: bool = False) -> None:
        """A security event (lock, unlock, switch_user, sign_out) in the audit trail."""
        if quiet:  # closing the window: nowhere left to show a message
            with contextlib.suppress(DomainError, StorageError):
                self.clinic.auth.record(self.actor, action)
            return
        self._guard(lambda: self.clinic.auth.record(self.actor, action))

    # -- changes ---------------------------------------------------------------------------
    def on_change(self, change: Change) -> None:
        """A committed change (here or, later, on another workstation): the board reloads
        (one read) unless the change is of nothing it shows; an open review list follows."""
        if change.kinds - OFF_BOARD or change.patients:
            self.reload()
        elif change.kinds:
            self.board_changed.emit(self.board)  # the review count in the toolbar follows
        review = getattr(self, "review_window", None)
        if (
            review is not None
            and alive(review)
            and review.isVisible()
            and not change.started_by(review)
            and change.kinds & ON_REVIEW_LIST
        ):
            review.refresh()

    def act(self, call: Callable[[], T]) -> T:
        """`call` as one action started at the board (published once, merged)."""
        with self.use_cases.initiated_by(self):
            return call()

    # -- reading ---------------------------------------------------------------------------
    def reload(self) -> Board | None:
        """The board read again. A database that cannot be reached shows on the banner, not
        in a message box (reloads come unasked: after changes, periodically)."""
        board = self._guard(self.clinic.board.get, quiet=True)
        if board is not None:
            self.board = board
            self.board_changed.emit(board)
        return board

    def session_on(self, chair_id: int) -> SessionSnapshot | None:
        return self.board.sessions.get(chair_id) if self.board else None

    def chair_name(self, chair_id: int) -> str:
        chairs = self.board.chairs if self.board else ()
        return next((c.name for c in chairs if c.id == chair_id), f"Chair {chair_id}")

    # -- actions ---------------------------------------------------------------------------
    def request(self, action: str, chair_id: int) -> None:
        handler = getattr(self, f"_do_{action}", None)
        if handler is None:
            return
        # The chair acted on, while its dialogs are open: they open beside its tile.
        self.acting_chair = chair_id
        try:
            handler(chair_id)
        finally:
            self.acting_chair = None

    def _do_check_in(self, chair_id: int) -> None:
        if self.board is None:
            return
        case = self.use_cases.check_in
        settings = self.board.settings
        handlers = CheckInHandlers(
            search=case.search,
            register=case.register,
            check_in=lambda patient_id, minutes, escort: case.check_in(
                chair_id, patient_id, minutes, escort
            ),
            occupied={s.patient_id: s.chair_name for s in self.board.sessions.values()},
            course_line=lambda patient_id: check_in_line(
                self.clinic.courses.chart(patient_id), settings.initial_course_length
            ),
        )
        with self.use_cases.initiated_by(self):  # registered and checked in: one change
            CheckInDialog.ask(self.parent_widget, self.chair_name(chair_id), handlers, settings)

    def _do_start(self, chair_id: int) -> None:
        """Start: what is owed before the dose asked first (ketamon.ui.start_flow)."""
        session = self.session_on(chair_id)
        if session is None:
            return
        StartFlow(
            self.parent_widget,
            self,
            self.use_cases,
            self._guard,
            self._say,
            self._session_action,
            self.ask_dose,
            self.ask_questionnaires,
        ).run(chair_id, session)

    def ask_dose(
        self, session_id: int, title: str, *, before_start: bool = False
    ) -> DoseRecord | None:
        """The dose record dialog of one session (before a start without a plan). Reading
        what it shows may raise DomainError or StorageError."""
        dose = self.use_cases.dose
        handlers = dose.handlers(session_id, initiator=self)
        record = dose.record(session_id)
        return DoseRecordDialog.ask(
            self.parent_widget, title, handlers, record, before_start=before_start
        )

    def _do_pause(self, chair_id: int) -> None:
        session = self.session_on(chair_id)
        if session is None:
            return
        reason = ReasonDialog.ask(
            self.parent_widget,
            "Pause infusion",
            f"Why is the infusion for {session.patient_name} being paused?",
            PAUSE_REASONS,
        )
        if reason:
            self._session_action(
                chair_id,
                lambda sid: self.use_cases.infusion.pause(sid, reason, initiator=self),
            )

    def _do_resume(self, chair_id: int) -> None:
        self._session_action(
            chair_id, lambda sid: self.use_cases.infusion.resume(sid, initiator=self)
        )

    def _do_stop(self, chair_id: int) -> None:
        """Before the target a reason is required; at or after it, a confirmation."""
        session = self.session_on(chair_id)
        if session is None:
            return
        reason = ask_stop(self.parent_widget, session, self.clinic.clock())
        if reason is not None:
            self._session_action(
                chair_id, lambda sid: self.use_cases.infusion.stop(sid, reason, initiator=self)
            )

    def _do_discharge(self, chair_id: int) -> None:
        session = self.session_on(chair_id)
        if session is None:
            return
        self.discharge_session(session.id, f"{session.patient_name} ({session.chair_name})")

    def discharge_session(self, session_id: int, title: str) -> str | None:
        """The discharge checklist (also opened from the session window)."""
        from ketamon.ui.dialogs.discharge import DischargeDialog

        handlers = self._guard(
            lambda: self.use_cases.discharge.handlers(session_id, initiator=self)
        )
        if handlers is None:
            return None
        # "Dose record completed" still owed: its dialog opens from the checklist
        handlers = replace(
            handlers, dose_record=lambda: self._guard(lambda: self.ask_dose(session_id, title))
        )
        outcome = self._guard(lambda: DischargeDialog.ask(self.parent_widget, title, handlers))
        if outcome is not None:
            self._offer_summary(session_id)
        return outcome

    def _offer_summary(self, session_id: int) -> None:
        """ "Discharged at 12:45 CET": said in words, with the summary one key (Enter) away."""
        summary = self._guard(lambda: self.clinic.summary.snapshot(session_id))
        if summary is None or summary.discharged_at is None:
            return
        left = "left against medical advice" if summary.outcome == Outcome.AMA else "was discharged"
        at = summary.discharged_at.astimezone(summary.tz)
        text = (
            f"{summary.session.patient_name} {left} at {at:%H:%M} {at:%Z}".rstrip()
            + ".\n\nPrint the take-home summary for the patient and escort now?"
        )
        if Discharged.ask(self.parent_widget, text):
            self.print_summary(session_id)

    def _do_cancel(self, chair_id: int) -> None:
        session = self.session_on(chair_id)
        if session is None:
            return
        reason = ReasonDialog.ask(
            self.parent_widget,
            "Cancel session",
            f"Why is the session for {session.patient_name} being cancelled?",
            CANCEL_REASONS,
        )
        if reason:
            self._session_action(
                chair_id,
                lambda sid: self.use_cases.infusion.cancel(sid, reason, initiator=self),
            )

    def _do_open(self, chair_id: int) -> None:
        session = self.session_on(chair_id)
        if session is not None:
            self.open_session(session.id)

    # -- physician review ------------------------------------------------------------------
    def awaiting_review(self) -> int | None:
        return self._guard(self.clinic.review.awaiting_count, quiet=True)

    def open_review(self) -> object | None:
        from ketamon.ui.review.review_window import ReviewHandlers, ReviewWindow

        clinic = self.clinic
        actions = self.sign_actions()
        users = self._guard(clinic.users.all) or []
        chairs = self._guard(clinic.chairs.all) or []
        if actions is None:
            return None
        handlers = ReviewHandlers(
            page=clinic.review.page,
            count=clinic.review.count,
            awaiting_count=clinic.review.awaiting_count,
            signature=clinic.review.signature,
            addenda=clinic.review.addenda,
            actions=actions,
            open_session=lambda session_id: self.open_session(session_id, review=True),
            chairs=tuple((c.id, c.name) for c in chairs),
            nurses=tuple((u.username, u.display_name) for u in users if Role.NURSE in u.roles),
            course=clinic.courses.chart,
        )
        window = ReviewWindow(self.parent_widget, handlers)
        window.show()
        self.review_window = window
        return window

    @property
    def signed_since_sign_in(self) -> bool:
        """The signed-in user signed since signing in (the next signing asks the password
        only, 21 CFR 11.200)."""
        return self.use_cases.signing.signed_since_sign_in

    def sign_actions(self) -> SignActions | None:
        """Signing and addenda as the signed-in user (None if the settings cannot be read)."""
        return self._guard(lambda: self.use_cases.signing.actions(self.roles))

    def open_session(self, session_id: int, *, review: bool = False) -> object | None:
        """The session window for any session. From the review list (review=True) it is
        read-only, with Sign… and Add addendum…; elsewhere a signed session offers
        Add addendum… only."""
        from ketamon.ui.session_window import SessionWindow  # the window imports pyqtgraph

        actions = self.sign_actions()
        if actions is None:
            return None
        window = self._guard(
            lambda: SessionWindow.show_for(
                self.parent_widget,
                self.clinic,
                self.actor,
                session_id,
                self.changed,
                use_cases=self.use_cases,
                discharge=self.discharge_session,
                print_summary=self.print_summary,
                save_pdf=self.save_summary_pdf,
                signing=actions,
                read_only=review,
                connection=self.connection,
            )
        )
        return window

    # -- discharge summaries ---------------------------------------------------------------
    def show_recent(self) -> None:
        from ketamon.ui.dialogs.recent import RecentDialog, RecentHandlers

        handlers = RecentHandlers(
            recent=self.clinic.summary.recent,
            print_summary=self.print_summary,
            save_pdf=self.save_summary_pdf,
        )
        chosen = self._guard(lambda: RecentDialog.ask(self.parent_widget, handlers))
        if chosen is not None:  # Enter or a double click on a row: read-only, as reviewed
            self.open_session(chosen, review=True)

    def print_summary(self, session_id: int) -> None:
        from ketamon.ui.printing import SummaryPreview

        summary = self._guard(lambda: self.clinic.summary.snapshot(session_id))
        if summary is not None:
            SummaryPreview.ask(self.parent_widget, summary)

    def save_summary_pdf(self, session_id: int) -> None:
        from ketamon.reports.pdf import ReportError
        from ketamon.ui.printing import SavePdf

        summary = self._guard(lambda: self.clinic.summary.snapshot(session_id))
        if summary is None:
            return
        try:
            path = SavePdf.ask(self.parent_widget, summary)
        except ReportError as error:
            self._say("Summary not saved", str(error), critical=True)
            return
        if path is not None:
            self._say("Summary saved", f"Saved {path}", info=True)

    def edit_chairs(self) -> None:
        chairs, actor = self.clinic.chairs, self.actor
        handlers = ChairHandlers(
            load=chairs.all,
            add=lambda name: chairs.add(actor, name),
            rename=lambda chair_id, name, version: chairs.rename(
                actor, chair_id, name, version=version
            ),
            move=lambda chair_id, offset: chairs.move(actor, chair_id, offset),
            retire=lambda chair_id: chairs.retire(actor, chair_id),
        )
        ChairsDialog.ask(self.parent_widget, handlers)

    def edit_settings(self) -> None:
        settings = self.clinic.settings
        loaded = self._guard(settings.snapshot)
        if loaded is None:
            return
        current, versions = loaded

        def reload() -> ClinicSettings:  # after a stale refusal: the next save is over these
            fresh, seen = settings.snapshot()
            versions.clear()
            versions.update(seen)
            return fresh

        SettingsDialog.ask(
            self.parent_widget,
            current,
            lambda changes: settings.update(self.actor, versions=dict(versions), **changes),
            reload,
        )

    def change_password(self) -> User | None:
        """The signed-in user's own new password (their signing key is re-sealed)."""
        username, users = self.actor.username, self.clinic.users
        user = ChangePasswordDialog.ask(
            self.parent_widget,
            username,
            lambda current, new: users.change_password(username, current, new),
        )
        if user is not None:
            self._say(
                "Password changed",
                "Your password is changed; your signing key now opens only with the new one.",
                info=True,
            )
        return user

    def edit_users(self) -> None:
        users = self.clinic.users

        def add(d: UserDraft) -> User:
            return users.add(
                self.actor, d.username, d.full_name, d.credentials, d.roles, d.password
            )

        handlers = UserHandlers(
            load=users.all,
            add=add,
            deactivate=lambda name, reason, v: users.deactivate(
                self.actor, name, reason, version=v
            ),
            reactivate=lambda name, reason, v: users.reactivate(
                self.actor, name, reason, version=v
            ),
            reset_password=lambda name, pw, v: users.reset_password(
                self.actor, name, pw, version=v
            ),
        )
        UsersDialog.ask(self.parent_widget, handlers)

    # -- vitals from the board -------------------------------------------------------------
    def _do_vitals(self, chair_id: int) -> None:
        """The entry popup (as in the session window); each saved set is a change: the
        board behind it (due line, alert) and an open session window follow."""
        session = self.session_on(chair_id)
        if session is None:
            return
        handlers = self._guard(lambda: self.use_cases.record_vitals.handlers(session.id, self))
        if handlers is None:
            return
        VitalsEntryDialog.ask(
            self.parent_widget, f"{session.chair_name} · {session.patient_name}", handlers
        )

    def _do_acknowledge(self, chair_id: int) -> None:
        """Acknowledge the red sets and severe side effects this board shows for the chair
        (who and when, audited)."""
        session = self.session_on(chair_id)
        if self.board is None or session is None:
            return
        summary = self.board.vitals.get(session.id)
        effects = self.board.side_effects.get(session.id)
        calls = [
            lambda set_id=red.id: self.clinic.vitals.acknowledge(self.actor, set_id)
            for red in (summary.unacknowledged_red if summary else ())
        ] + [
            lambda effect_id=e.id: self.clinic.side_effects.acknowledge(self.actor, effect_id)
            for e in (effects.unacknowledged_severe if effects else ())
        ]
        with self.clinic.changes.initiated_by(self):  # one change, one board reload
            for call in calls:
                if self._guard(call) is None:  # refused or a database fault: message shown
                    break

    # -- questionnaires (issue 17) -----------------------------------------------------------
    def _do_questionnaire(self, chair_id: int) -> None:
        """A positive PHQ-9 item 9 waiting for a decision: its review. Otherwise the clinic's
        questionnaires not yet asked in this session, one after the other (all of them
        again when none is left; Esc stops)."""
        session = self.session_on(chair_id)
        if self.board is None or session is None:
            return
        records = self.board.outcomes.get(session.id, [])
        pending = next((r for r in reversed(records) if r.needs_review), None)
        if pending is not None:
            self._review_item9(session, pending)
            return
        wanted = self._guard(self.use_cases.outcomes.instruments) or []
        done = {r.score.instrument for r in records}
        self.ask_questionnaires(session, [i for i in wanted if i not in done] or wanted)

    def ask_questionnaires(self, session: SessionSnapshot, instruments: Sequence[str]) -> bool:
        """These questionnaires for the session, one after the other. A positive item 9
        opens its review at once: on proceed the rest are asked, on delay or escalate
        nothing more (the start is held). True when each was stored and decided; False
        after Esc (the rest are not asked now)."""
        outcomes = self.use_cases.outcomes

        def asker(name: str) -> Callable[[], OutcomeRecord | None]:
            return lambda: outcomes.ask(
                self.parent_widget, session.id, Instrument(name), session.patient_name,
                initiator=self,
            )  # fmt: skip

        for name in instruments:
            stored = self._guard(asker(name))
            if stored is None:
                return False  # Esc: the rest are not asked now
            if stored.needs_review:  # item 9: the clinician's review comes first
                reviewed = self._review_item9(session, stored)
                if reviewed is None or reviewed.review is None:
                    return False  # not decided now: the rest wait
                if reviewed.review.decision is not Decision.PROCEED:
                    return True  # no infusion today: the start says so, nothing more asked
        return True

    def _review_item9(
        self, session: SessionSnapshot, record: OutcomeRecord
    ) -> OutcomeRecord | None:
        return self._guard(
            lambda: self.use_cases.outcomes.ask_review(
                self.parent_widget, record, session.patient_name, initiator=self
            )
        )

    # -- side effects ----------------------------------------------------------------------
    def _do_side_effects(self, chair_id: int) -> None:
        session = self.session_on(chair_id)
        if session is not None:
            self.side_effects_for(session.id, f"{session.chair_name} · {session.patient_name}")

    def side_effects_for(self, session_id: int, title: str) -> int:
        """The side effects list of a session (from the tile or the session window)."""
        from ketamon.ui.dialogs.side_effects import SideEffectsDialog

        handlers = self.use_cases.side_effects.handlers(session_id, self, self.changed)
        return SideEffectsDialog.ask(self.parent_widget, title, handlers)

    def edit_side_effect_catalog(self) -> None:
        """The clinic's side effects list (administrators): add, rename, retire."""
        from ketamon.ui.dialogs.side_effect_catalog import CatalogHandlers, SideEffectCatalogDialog

        service, actor = self.clinic.side_effects, self.actor
        handlers = CatalogHandlers(
            catalog=service.catalog,
            add=lambda name: service.add_kind(actor, name),
            rename=lambda key, name: service.rename_kind(actor, key, name),
            retire=lambda key: service.retire_kind(actor, key),
        )
        SideEffectCatalogDialog.ask(self.parent_widget, handlers)

    # -- plumbing --------------------------------------------------------------------------
    def _session_action(self, chair_id: int, call: Callable[[int], SessionSnapshot]) -> None:
        session = self.session_on(chair_id)
        if session is None:
            return
        if self._guard(lambda: call(session.id)) is None:
            self.reload()  # refused: perhaps another workstation acted first; show what is

    def _reconnected(self) -> None:
        """The database answers again: the board reads what was stored meanwhile (here or
        at other workstations); each open session window does the same (show_for)."""
        self.reload()

    def _guard(self, call: Callable[[], T], *, quiet: bool = False) -> T | None:
        """`call()`, or None after showing its refusal. `quiet`: a database that cannot be
        reached is shown by the banner only (reads nobody asked for)."""
        try:
            return call()
        except StorageError as error:
            report_fault(error)
            if quiet and error.unreachable:
                self.last_message = str(error)
            else:
                self._say("Database problem", str(error), critical=True)
        except DomainError as error:
            self._say("Not allowed", str(error))
        return None

    def _say(self, title: str, text: str, *, critical: bool = False, info: bool = False) -> None:
        self.last_message = text
        show_message(self.parent_widget, title, text, critical=critical, info=info)
