"""The chair board's read model: every chair, the session in it, and what each tile shows
(vitals due and red values, severe side effects, the dose and escort plans), read in one
transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from ketamon.domain.board import Chair, SessionSnapshot
from ketamon.domain.discharge import has_escort_plan
from ketamon.domain.dose import DoseRecord
from ketamon.domain.outcomes import OutcomeRecord
from ketamon.domain.settings import ClinicSettings
from ketamon.services.base import Service
from ketamon.storage.reads import side_effects, vitals
from ketamon.storage.reads.board import seated
from ketamon.storage.reads.outcomes import current_by_session
from ketamon.storage.reads.settings import load_settings


@dataclass(frozen=True)
class Board:
    """Everything the chair board shows, read in one transaction."""

    chairs: tuple[Chair, ...]
    sessions: dict[int, SessionSnapshot]  # chair id -> active session
    settings: ClinicSettings
    vitals: dict[int, vitals.VitalsSummary] = field(default_factory=dict)  # by session id
    side_effects: dict[int, side_effects.SideEffectSummary] = field(default_factory=dict)
    doses: dict[int, DoseRecord] = field(default_factory=dict)  # planned ones only
    # by session id: its current questionnaires (the item-9 stop, what is still to ask)
    outcomes: dict[int, list[OutcomeRecord]] = field(default_factory=dict)
    # the sessions whose escort plan is whole (name, relationship, valid phone)
    escort_planned: frozenset[int] = frozenset()


class BoardService(Service):
    def get(self) -> Board:
        with self.db.transaction(write=False) as tx:
            board = seated(tx)
            settings = load_settings(tx)
            ids = [s.id for s in board.sessions.values()]
            patients = {s.id: s.patient_name for s in board.sessions.values()}
            return Board(
                board.chairs,
                board.sessions,
                settings,
                vitals.summaries(tx, ids, settings.bands, settings.news2_chart),
                side_effects=side_effects.summaries(tx, ids),
                doses=board.doses,
                outcomes=current_by_session(tx, ids),
                escort_planned=frozenset(
                    sid
                    for sid, escort in board.escorts.items()
                    if has_escort_plan(escort, settings.phone_region, patients.get(sid, ""))
                ),
            )
