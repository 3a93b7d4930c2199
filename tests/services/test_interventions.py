"""Medications given, rate changes and early stops through the services, with their audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.domain.interventions import MedicationDraft
from ketamon.domain.sessions import EventKind, Phase
from ketamon.storage.audit import AuditContext
from ketamon.storage.models import MedicationRow, SessionEventRow, SideEffectRow
from tests.conftest import (
    NURSE,
    PASSWORD,
    T0,
    add_user,
    ask_questionnaires,
    baseline,
    draft,
    plan_dose,
    plan_escort,
    trail_entries,
)

pytestmark = pytest.mark.both_backends

KIM = Actor("nurse.kim", "Kim Osei")


@pytest.fixture
def session_id(clinic, clock) -> int:
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    patient = clinic.patients.register(NURSE, draft())
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, s.id)
    clock.advance(minutes=2)
    plan_dose(clinic, s.id)
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    return s.id


def _audit(clinic, entity: str, entity_id: int) -> list[tuple]:
    return [
        (r.actor, r.action, r.field, r.new_value, r.reason)
        for r in trail_entries(clinic, entity=entity, entity_id=entity_id)
    ]


def _side_effect(clinic, session_id: int) -> int:
    """A nausea entry: through the side-effect service when present, else written directly."""
    service = getattr(clinic, "side_effects", None)
    if service is not None:
        return service.tick(NURSE, session_id, "nausea").id
    audit = AuditContext(NURSE.username, clinic.clock())
    with clinic.db.transaction(audit=audit) as session:
        row = SideEffectRow(
            session_id=session_id,
            kind_key="nausea",
            label="Nausea",
            onset_at=clinic.clock(),
            severity="mild",
            entered_by=NURSE.username,
            entered_at=clinic.clock(),
        )
        session.add(row)
        session.flush()
        return row.id


def test_give_ondansetron_for_nausea_is_recorded_and_audited(clinic, clock, session_id) -> None:
    clock.advance(minutes=10)
    effect_id = _side_effect(clinic, session_id)
    med = clinic.interventions.give(
        NURSE,
        session_id,
        MedicationDraft(
            "ondansetron", 4, "mg", "ODT", given_by="nurse.kim", side_effect_id=effect_id
        ),
    )
    assert (med.drug, med.dose, med.unit, med.route) == ("ondansetron", 4.0, "mg", "ODT")
    assert med.given_at == T0 + timedelta(minutes=12)
    assert (med.given_by, med.entered_by, med.side_effect_id) == (
        "nurse.kim",
        "nurse.jo",
        effect_id,
    )
    assert clinic.interventions.for_session(session_id) == [med]
    fields = {
        f: (actor, value) for actor, _a, f, value, _r in _audit(clinic, "medication_given", med.id)
    }
    assert fields["drug"] == ("nurse.jo", "ondansetron")
    assert fields["given_by"] == ("nurse.jo", "nurse.kim")
    assert fields["side_effect_id"] == ("nurse.jo", str(effect_id))


def test_giver_defaults_to_the_nurse_and_must_be_an_active_user(clinic, clock, session_id) -> None:
    med = clinic.interventions.give(KIM, session_id, MedicationDraft("midazolam", 2, "mg", "IV"))
    assert med.given_by == "nurse.kim"
    with pytest.raises(FieldError, match="Given by must be an active user"):
        clinic.interventions.give(
            NURSE, session_id, MedicationDraft("midazolam", 2, "mg", "IV", given_by="nobody")
        )
    assert len(clinic.interventions.for_session(session_id)) == 1


def test_bad_values_and_foreign_side_effects_write_nothing(clinic, clock, session_id) -> None:
    with pytest.raises(ValidationErrors) as refused:
        clinic.interventions.give(NURSE, session_id, MedicationDraft("ondansetron", 0, "mg", "IV"))
    assert "dose" in refused.value.errors
    with pytest.raises(ValidationErrors):
        clinic.interventions.give(
            NURSE,
            session_id,
            MedicationDraft("ondansetron", 4, "mg", "IV", given_at=T0 - timedelta(minutes=1)),
        )
    with pytest.raises(FieldError, match="side effect treated must be one of this session"):
        clinic.interventions.give(
            NURSE, session_id, MedicationDraft("ondansetron", 4, "mg", "IV", side_effect_id=999)
        )
    with clinic.db.transaction(write=False) as session:
        assert session.scalars(select(MedicationRow)).all() == []


def test_void_needs_a_reason_and_keeps_the_entry(clinic, clock, session_id) -> None:
    med = clinic.interventions.give(
        NURSE, session_id, MedicationDraft("clonidine", 0.1, "mg", "PO")
    )
    with pytest.raises(FieldError, match="A reason is required"):
        clinic.interventions.void(NURSE, med.id, " ")
    voided = clinic.interventions.void(KIM, med.id, "Entered twice")
    assert (voided.status, voided.status_reason) == ("voided", "Entered twice")
    assert clinic.interventions.for_session(session_id)[0].status == "voided"
    assert ("nurse.kim", "update", "status", "voided", "Entered twice") in _audit(
        clinic, "medication_given", med.id
    )
    with pytest.raises(DomainError, match="already voided"):
        clinic.interventions.void(NURSE, med.id, "again")


def test_rate_change_is_an_event_with_its_rate(clinic, clock, session_id) -> None:
    clock.advance(minutes=5)
    s = clinic.sessions.rate_change(NURSE, session_id, 4.5, "Nausea: slowed")
    assert s.phase is Phase.INFUSING and not s.paused
    event = s.events[-1]
    assert (event.kind, event.rate_ml_h, event.reason) == (
        EventKind.RATE_CHANGE,
        4.5,
        "Nausea: slowed",
    )
    assert clinic.sessions.get(session_id).events[-1].rate_ml_h == 4.5
    with clinic.db.transaction(write=False) as session:
        row = session.scalars(
            select(SessionEventRow).where(SessionEventRow.kind == "rate_change")
        ).one()
    assert _audit(clinic, "session_event", row.id)[0][4] == "Nausea: slowed"
    assert ("nurse.jo", "create", "rate_ml_h", "4.5", "Nausea: slowed") in _audit(
        clinic, "session_event", row.id
    )
    with pytest.raises(DomainError, match="A reason is required to change the infusion rate"):
        clinic.sessions.rate_change(NURSE, session_id, 5, "")
    with pytest.raises(FieldError, match="New rate must be"):
        clinic.sessions.rate_change(NURSE, session_id, 0, "typo")
    assert [e.kind for e in clinic.sessions.get(session_id).events].count(
        EventKind.RATE_CHANGE
    ) == 1


def test_early_stop_needs_a_reason_paused_time_not_counted(clinic, clock, session_id) -> None:
    clock.advance(minutes=10)
    clinic.sessions.pause(NURSE, session_id, "Nausea")
    clock.advance(minutes=35)  # 45 min since start, 10 of infusion
    clinic.sessions.resume(NURSE, session_id)
    with pytest.raises(FieldError, match="A reason is required to stop before the target"):
        clinic.sessions.stop(NURSE, session_id)
    assert clinic.sessions.get(session_id).phase is Phase.INFUSING
    stopped = clinic.sessions.stop(NURSE, session_id, "Patient request")
    assert stopped.phase is Phase.RECOVERY
    assert stopped.events[-1].reason == "Patient request"


def test_stop_at_target_needs_no_reason(clinic, clock, session_id) -> None:
    clock.advance(minutes=40)
    assert clinic.sessions.stop(NURSE, session_id).phase is Phase.RECOVERY
