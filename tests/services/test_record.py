"""RecordService over a real database: the timeline and markers read every stored item."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ketamon.domain.errors import NotFound
from ketamon.domain.record import EntryKind
from ketamon.storage.audit import AuditContext
from ketamon.storage.models import (
    AuditRow,
    MedicationRow,
    SessionEventRow,
    SideEffectRow,
)
from tests.conftest import NURSE, T0, ask_questionnaires, baseline, draft, plan_dose, plan_escort

pytestmark = pytest.mark.both_backends


@pytest.fixture
def session_id(clinic, clock):
    patient = clinic.patients.register(NURSE, draft())
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id
    baseline(clinic, sid)
    clock.advance(minutes=2)
    plan_dose(clinic, sid)
    plan_escort(clinic, sid)
    ask_questionnaires(clinic, sid)
    clinic.sessions.start(NURSE, sid)  # T0 + 2
    return sid


def write(clinic, actor: str, at, reason: str = ""):
    return clinic.db.transaction(audit=AuditContext(actor, at, reason))


def add_rate_change(clinic, session_id, at, rate, reason):
    with write(clinic, "nurse.al", at, reason) as s:
        seq = s.scalar(
            select(func.max(SessionEventRow.seq)).where(SessionEventRow.session_id == session_id)
        )
        s.add(
            SessionEventRow(
                session_id=session_id,
                seq=seq + 1,
                kind="rate_change",
                at=at,
                actor="nurse.al",
                reason=reason,
                recorded_at=at,
                rate_ml_h=rate,
            )
        )


def add_effect_and_medication(clinic, session_id):
    with write(clinic, "nurse.al", T0 + timedelta(minutes=9)) as s:
        effect = SideEffectRow(
            session_id=session_id,
            kind_key="nausea",
            label="Nausea",
            other_text="",
            onset_at=T0 + timedelta(minutes=8),
            severity="moderate",
            note="",
            entered_by="nurse.al",
            entered_at=T0 + timedelta(minutes=9),
            status="current",
            status_reason="",
        )
        s.add(effect)
        s.flush()
        med = MedicationRow(
            session_id=session_id,
            drug="Ondansetron",
            dose=4,
            unit="mg",
            route="IV",
            given_at=T0 + timedelta(minutes=10),
            given_by="nurse.al",
            side_effect_id=effect.id,
            note="",
            entered_by="nurse.al",
            entered_at=T0 + timedelta(minutes=10),
            status="current",
            status_reason="",
        )
        s.add(med)
        s.flush()
        return effect.id, med.id


def test_timeline_has_side_effect_medication_rate_change_and_pause_with_who_and_when(
    clinic, clock, session_id
):
    effect_id, med_id = add_effect_and_medication(clinic, session_id)
    add_rate_change(clinic, session_id, T0 + timedelta(minutes=11), 60.0, "Patient anxious")
    clock.advance(minutes=13)  # T0 + 15
    clinic.sessions.pause(NURSE, session_id, "BP 182/104")
    void_at = T0 + timedelta(minutes=16)
    with write(clinic, "nurse.jo", void_at, "Entered twice") as s:
        row = s.get(MedicationRow, med_id)
        row.status, row.status_reason = "voided", "Entered twice"

    rows = [(e.at, e.kind, e.text, e.actor, e.reason) for e in clinic.record.timeline(session_id)]
    assert [r[2] for r in rows[:3]] == [
        "Checked in",
        "Vitals: BP 124/78 · HR 72 · SpO2 98% · RR 14",  # the baseline set
        "Infusion started",
    ]
    assert (
        T0 + timedelta(minutes=8),
        EntryKind.SIDE_EFFECT,
        "Side effect began: Nausea (moderate)",
        "nurse.al",
        "",
    ) in rows
    assert (
        T0 + timedelta(minutes=10),
        EntryKind.MEDICATION,
        "Medication given: Ondansetron 4 mg IV (for Nausea)",
        "nurse.al",
        "",
    ) in rows
    assert (
        T0 + timedelta(minutes=11),
        EntryKind.INFUSION,
        "Infusion rate changed to 60 mL/h",
        "nurse.al",
        "Patient anxious",
    ) in rows
    assert (
        T0 + timedelta(minutes=15),
        EntryKind.INFUSION,
        "Infusion paused",
        NURSE.username,
        "BP 182/104",
    ) in rows
    # the void: when and by whom from the audit trail, the reason kept
    assert rows[-1] == (
        void_at,
        EntryKind.MEDICATION,
        "Medication VOIDED: Ondansetron 4 mg IV",
        "nurse.jo",
        "Entered twice",
    )
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    # the void is on the audit trail, which is where the timeline read it
    with clinic.db.transaction(write=False) as s:
        audited = s.scalars(
            select(AuditRow).where(
                AuditRow.entity == "medication_given",
                AuditRow.entity_id == med_id,
                AuditRow.field == "status",
                AuditRow.action == "update",
            )
        ).all()
    assert [(a.actor, a.new_value) for a in audited] == [("nurse.jo", "voided")]
    assert effect_id


def test_resolution_and_severity_change_are_attributed(clinic, clock, session_id):
    effect_id, _ = add_effect_and_medication(clinic, session_id)
    with write(clinic, "nurse.jo", T0 + timedelta(minutes=12), "worse") as s:
        s.get(SideEffectRow, effect_id).severity = "severe"
    with write(clinic, "dr.kim", T0 + timedelta(minutes=31)) as s:
        s.get(SideEffectRow, effect_id).resolved_at = T0 + timedelta(minutes=30)
    effect_rows = [
        (e.at, e.text, e.actor, e.severity)
        for e in clinic.record.timeline(session_id)
        if e.kind is EntryKind.SIDE_EFFECT
    ]
    assert effect_rows == [
        (T0 + timedelta(minutes=8), "Side effect began: Nausea (moderate)", "nurse.al", "moderate"),
        (
            T0 + timedelta(minutes=12),
            "Side effect Nausea: severity now SEVERE",
            "nurse.jo",
            "severe",
        ),
        (T0 + timedelta(minutes=30), "Side effect resolved: Nausea", "dr.kim", ""),
    ]


def test_markers_one_per_item_and_unknown_kinds_are_readable(clinic, clock, session_id):
    add_effect_and_medication(clinic, session_id)
    add_rate_change(clinic, session_id, T0 + timedelta(minutes=11), 90.0, "Per plan")
    clock.advance(minutes=13)
    clinic.sessions.pause(NURSE, session_id, "nausea")
    clock.advance(minutes=2)
    clinic.sessions.resume(NURSE, session_id)
    markers = clinic.record.markers(session_id)
    assert [(m.kind, m.label) for m in markers] == [
        (EntryKind.INFUSION, "Start"),
        (EntryKind.SIDE_EFFECT, "Nausea"),
        (EntryKind.MEDICATION, "Ondansetron 4 mg IV"),
        (EntryKind.INFUSION, "90 mL/h"),
        (EntryKind.INFUSION, "Pause"),
        (EntryKind.INFUSION, "Resume"),
    ]
    with pytest.raises(NotFound):
        clinic.record.timeline(999)


def test_the_timeline_tells_every_vitals_set_its_correction_void_and_acknowledgement(
    clinic, clock, session_id
):
    """Issue 16: Timeline lacked vitals sets and acknowledgements."""
    from ketamon.domain.side_effects import Severity
    from ketamon.domain.vitals import VitalsDraft

    clock.advance(minutes=5)
    red = clinic.vitals.record(
        NURSE,
        session_id,
        VitalsDraft(systolic=186, diastolic=101, heart_rate=96, spo2=97, resp_rate=14),
    )
    clock.advance(minutes=1)
    clinic.vitals.acknowledge(NURSE, red.id)
    clock.advance(minutes=1)
    wrong = clinic.vitals.record(
        NURSE,
        session_id,
        VitalsDraft(systolic=130, diastolic=80, heart_rate=70, spo2=98, resp_rate=14),
    )
    clinic.vitals.correct(
        NURSE,
        wrong.id,
        VitalsDraft(systolic=130, diastolic=80, heart_rate=77, spo2=98, resp_rate=14),
        "Heart rate typed wrongly",
    )
    twice = clinic.vitals.record(
        NURSE,
        session_id,
        VitalsDraft(systolic=128, diastolic=82, heart_rate=71, spo2=99, resp_rate=14),
    )
    clinic.vitals.void(NURSE, twice.id, "Entered twice")
    effect = clinic.side_effects.tick(NURSE, session_id, "vomiting", severity=Severity.SEVERE)
    clock.advance(minutes=1)
    clinic.side_effects.acknowledge(NURSE, effect.id)

    rows = [
        (e.kind, e.text, e.actor, e.reason, e.voided) for e in clinic.record.timeline(session_id)
    ]
    who = NURSE.username
    expected = [
        (EntryKind.VITALS, "Vitals: BP 186/101 · HR 96 · SpO2 97% · RR 14", who, "", False),
        (
            EntryKind.VITALS,
            "RED vitals acknowledged: BP 186/101 · HR 96 · SpO2 97% · RR 14",
            who,
            "",
            False,
        ),
        (
            EntryKind.VITALS,
            "Vitals: BP 130/80 · HR 70 · SpO2 98% · RR 14 (corrected later)",
            who,
            "",
            False,
        ),
        (
            EntryKind.VITALS,
            "Vitals corrected: BP 130/80 · HR 77 · SpO2 98% · RR 14",
            who,
            "Heart rate typed wrongly",
            False,
        ),
        (EntryKind.VITALS, "Vitals: BP 128/82 · HR 71 · SpO2 99% · RR 14", who, "", True),
        (
            EntryKind.VITALS,
            "Vitals VOIDED: BP 128/82 · HR 71 · SpO2 99% · RR 14",
            who,
            "Entered twice",
            True,
        ),
        (EntryKind.SIDE_EFFECT, "SEVERE side effect acknowledged: Vomiting", who, "", False),
    ]
    for row in expected:
        assert row in rows, row
    order = [rows.index(row) for row in expected]
    assert order == sorted(order)  # in the order they happened
