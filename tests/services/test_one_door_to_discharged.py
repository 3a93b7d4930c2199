"""One door to "discharged": the discharge checklist (every criterion met) or leaving
against medical advice, both decided in the domain.

Every public method of every service class is called, with plausible arguments, on a
session in each active phase; only those two reach DISCHARGED, and every session that
ends lands in the review queue. A structural check names the only code that writes a
session's phase or review status, an account's lockout, or makes a DischargeDecision.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import importlib
import inspect
import itertools
import pkgutil
import shutil
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import ketamon
import ketamon.services
from ketamon.domain.courses import PatientPlan
from ketamon.domain.discharge import AgainstAdvice, DischargeAnswers, Escort, IvSite, Nausea
from ketamon.domain.errors import DomainError
from ketamon.domain.interventions import MedicationDraft
from ketamon.domain.patients import PatientDraft
from ketamon.domain.sessions import Phase
from ketamon.domain.side_effects import Severity
from ketamon.domain.vitals import VitalsDraft
from ketamon.services.base import Service
from ketamon.services.review import ReviewFilter
from ketamon.storage.models import SessionRow
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    draft,
    plan_escort,
)

pytestmark = pytest.mark.both_backends

READY = DischargeAnswers(
    oriented=True,
    steady_gait=True,
    nausea=Nausea.MINIMAL,
    pain=1,
    iv_site=IvSite.REMOVED_INTACT,
    instructions_acknowledged=True,
    escort=Escort("Maria Lopez", "Sister", "(212) 555-0143", True),
)
# The two doors, and where each may open.
AMA = "DischargeService.leave_against_advice"
CHECKLIST = "DischargeService.discharge"
DOORS = {
    "checked_in": set(),  # never started: cancel instead
    "infusing": {AMA},
    "paused": {AMA},
    "recovery_early": {AMA},  # one minute after the stop, no escort: the case
    "recovery_ready": {AMA, CHECKLIST},
}

PHASES = {
    "checked_in": (Phase.CHECKED_IN, False),
    "infusing": (Phase.INFUSING, False),
    "paused": (Phase.INFUSING, True),
    "recovery_early": (Phase.RECOVERY, False),
    "recovery_ready": (Phase.RECOVERY, False),
}


def _service_methods() -> list[tuple[str, type, str]]:
    for info in pkgutil.iter_modules(ketamon.services.__path__, "ketamon.services."):
        importlib.import_module(info.name)
    classes, todo = [], list(Service.__subclasses__())
    while todo:
        cls = todo.pop()
        classes.append(cls)
        todo += cls.__subclasses__()
    return sorted(
        (f"{cls.__name__}.{name}", cls, name)
        for cls in classes
        for name, _ in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and not hasattr(Service, name)
    )


METHODS = _service_methods()


@dataclass
class Subject:
    """The session under test and the rows that methods name by id."""

    session_id: int
    chair_id: int
    patient_id: int
    set_id: int
    effect_id: int = 0
    med_id: int = 0
    outcome_id: int = 0
    course_id: int = 0


class Ward:
    """A clinic with one session kept in `phase`: rebuilt whenever a call moves it on."""

    mrns = itertools.count(1)

    def __init__(self, clinic, clock, phase: str) -> None:
        self.clinic, self.clock, self.phase = clinic, clock, phase
        add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse")  # witness
        add_user(clinic, "nurse.amy", "Amy Stone", "RN", "nurse")
        self.subject = self.admit()

    def admit(self) -> Subject:
        c, clock = self.clinic, self.clock
        patient = c.patients.register(NURSE, draft(f"MRN-D{next(self.mrns)}", "Ada Lovelace"))
        board = c.board.get()
        chair = next(ch for ch in board.chairs if ch.id not in board.sessions)
        s = c.sessions.check_in(NURSE, chair.id, patient.id, 40)
        subject = Subject(s.id, chair.id, patient.id, baseline(c, s.id, sedation=5).id)
        subject.outcome_id = c.outcomes.record(NURSE, s.id, "PHQ-9", [1] * 8 + [0]).id
        subject.course_id = c.courses.chart(patient.id).courses[-1].id
        if self.phase == "checked_in":
            return subject
        c.dose.plan(NURSE, s.id, 72.5, 0.5, 10, "L1")
        plan_escort(c, s.id)
        ask_questionnaires(c, s.id)
        c.sessions.start(NURSE, s.id)
        effect = c.side_effects.tick(NURSE, s.id, "nausea", severity=Severity.MILD)
        subject.effect_id = effect.id
        med = MedicationDraft("ondansetron", 4, "mg", "IV", side_effect_id=effect.id)
        subject.med_id = c.interventions.give(NURSE, s.id, med).id
        if self.phase == "paused":
            c.sessions.pause(NURSE, s.id, "Nausea")
        if self.phase.startswith("recovery"):
            c.sessions.stop(NURSE, s.id, "Patient request")  # early: a reason
            clock.advance(minutes=1)
        if self.phase == "recovery_ready":
            clock.advance(minutes=30)
            baseline(c, s.id, sedation=5)
            c.dose.complete(NURSE, s.id, 36.0, 0.25, "nurse.kim", PASSWORD)
            c.discharge.save_answers(NURSE, s.id, READY)
            assert c.discharge.state(s.id).check.ready
        return subject

    def in_phase(self) -> bool:
        """Still where this ward keeps its session (else a call moved it on)."""
        snapshot = self.clinic.sessions.get(self.subject.session_id)
        if (snapshot.phase, snapshot.paused) != PHASES[self.phase]:
            return False
        return (
            self.phase != "recovery_ready" or self.clinic.discharge.state(snapshot.id).check.ready
        )


# Where the exports the ward calls write (removed when the run ends).
EXPORTS = Path(tempfile.mkdtemp(prefix="ketamon-one-door-"))
atexit.register(shutil.rmtree, EXPORTS, True)
EXPORT_FOLDERS = itertools.count()


def plausible(parameter: inspect.Parameter, subject: Subject, clock) -> object:
    """What a nurse (or the UI) would pass for a parameter of this name."""
    name, annotation = parameter.name, str(parameter.annotation)
    if name == "draft":
        if "Vitals" in annotation:
            return VitalsDraft(124, 78, 72, 98, 14, sedation=5)
        if "Medication" in annotation:
            return MedicationDraft("ondansetron", 4, "mg", "IV")
        if "Patient" in annotation:
            return PatientDraft("MRN-NEW", "Grace Hopper", draft().date_of_birth, 60.0, "")
    values = {
        "actor": NURSE,
        "session_id": subject.session_id,
        "chair_id": subject.chair_id,
        "patient_id": subject.patient_id,
        "set_id": subject.set_id,
        "effect_id": subject.effect_id,
        "med_id": subject.med_id,
        "outcome_id": subject.outcome_id,
        "instrument": "PHQ-9",
        "course_id": subject.course_id,
        "mrn": "MRN-D1",
        "end": "completed",
        "plan": PatientPlan(4, (14, 21)),
        "target_minutes": 40,
        "reason": "Plausible reason",
        "rate_ml_h": 12.0,
        "answers": READY,
        "escort": READY.escort,
        "ama": AgainstAdvice("Insisted on leaving", "nurse.kim", True),
        "when": clock() + timedelta(days=3),
        "name": "Window seat",
        "key": "taste_change",  # (retire_kind retires it; the ward ticks nausea)
        "kind_key": "headache",
        "severity": Severity.MODERATE,
        "username": "nurse.amy",
        "full_name": "Amy Stone",
        "credentials": "RN",
        "roles": "nurse",
        "password": PASSWORD,
        "old_password": PASSWORD,
        "new_password": "a different long password",
        "action": "lock",
        "text": "Seen again by phone",
        "note": "Settled after 10 minutes",
        "meaning": "Reviewed",
        "reviewed": "0" * 64,  # a digest the record does not have: refused
        "where": ReviewFilter(),
        "offset": 1,
        "limit": 10,
        "weight_kg": 72.5,
        "mg_per_kg": 0.5,
        "concentration_mg_ml": 10.0,
        "lot_number": "L2",
        "actual_mg": 36.0,
        "wasted_mg": 0.25,
        "witness_username": "nurse.kim",
        "witness_password": PASSWORD,
        "decision": "Home with escort; antiemetic given",
        "physician_username": "nurse.kim",  # not a physician: refused, like any wrong one
        "physician_password": PASSWORD,
        "since": clock().date(),
        "until": clock().date(),
        "out_dir": EXPORTS / str(next(EXPORT_FOLDERS)),  # an export writes its files
        "out": EXPORTS / f"{next(EXPORT_FOLDERS)}.json",  # the FHIR bundle's file
    }
    if name not in values:
        pytest.fail(f"No plausible value for a parameter named {name!r}: add one here")
    return values[name]


def _call(ward: Ward, cls: type, method: str) -> None:
    # The clinic's service of that class, or of a subclass (exports: CSV and FHIR in one).
    service = next(s for s in vars(ward.clinic).values() if isinstance(s, cls))
    function = getattr(service, method)
    arguments = {
        p.name: plausible(p, ward.subject, ward.clock)
        for p in inspect.signature(function).parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    }
    with contextlib.suppress(DomainError):  # refused: the point is what it did not do
        function(**arguments)


@pytest.mark.parametrize("phase", list(DOORS))
def test_only_the_checklist_and_against_advice_reach_discharged(clinic, clock, phase) -> None:
    ward = Ward(clinic, clock, phase)
    reached = set()
    for label, cls, method in METHODS:
        session_id = ward.subject.session_id
        _call(ward, cls, method)
        snapshot = clinic.sessions.get(session_id)
        if snapshot.phase is Phase.DISCHARGED:
            assert label in DOORS[phase], f"{label} discharged a session that was {phase}"
            reached.add(label)
        if not snapshot.phase.active:
            with clinic.db.transaction(write=False) as session:
                status = session.scalar(
                    select(SessionRow.review_status).where(SessionRow.id == session_id)
                )
            assert status == "awaiting_review", f"{label} ended a session outside the queue"
        if not ward.in_phase():
            ward.subject = ward.admit()
    assert reached == DOORS[phase]  # and the doors do open where they should


def test_every_service_method_is_called() -> None:
    labels = [label for label, _, _ in METHODS]
    assert CHECKLIST in labels and AMA in labels
    assert "SessionService.discharge" not in labels  # the door around the checklist is gone
    assert len(labels) > 60


# -- structural: who writes what --------------------------------------------------------------
PACKAGE = Path(ketamon.__file__).parent
GUARDED = {"phase", "review_status", "locked_until", "failed_sign_ins"}
WRITERS = {
    # the phase and the review queue follow the events, through the domain's transition
    ("storage/writes.py", "append_events", "phase"),
    ("storage/writes.py", "append_events", "review_status"),
    # signing (services/review.py sign, being rewritten elsewhere) marks the session signed
    ("services/review.py", "sign", "review_status"),
    # the demo physician's past signatures, made as sign() makes them after the domain's
    # check_may_sign (the seeder writes past rows; it is not a use case)
    ("demo/signing.py", "sign_past_sessions", "review_status"),
    # the one password check applies the domain's lockout rule
    ("services/passwords.py", "check_password", "failed_sign_ins"),
    ("services/passwords.py", "check_password", "locked_until"),
}


def _writes(path: Path) -> set[tuple[str, str, str]]:
    found = set()
    tree = ast.parse(path.read_text("utf-8"))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Attribute) and leaf.attr in GUARDED:
                        where = path.relative_to(PACKAGE).as_posix()
                        found.add((where, function.name, leaf.attr))
    return found


def test_only_the_named_code_writes_phase_review_status_or_lockout() -> None:
    writes = set()
    for path in PACKAGE.rglob("*.py"):
        if "domain" not in path.relative_to(PACKAGE).parts:
            writes |= _writes(path)
    assert writes == WRITERS


def test_only_the_domain_makes_a_discharge_decision() -> None:
    makers = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            called = isinstance(node, ast.Call) and getattr(
                node.func, "id", getattr(node.func, "attr", None)
            ) in ("DischargeDecision",)
            if name == "_ISSUER" or called:
                makers.add(path.relative_to(PACKAGE).as_posix())
    assert makers == {"domain/discharge.py"}
