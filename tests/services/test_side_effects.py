"""SideEffectService over a real database: tick, grade, resolve, correct, void, acknowledge,
the board's alert, and the clinic's catalog; with the audit rows each writes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from ketamon.domain.actors import Actor
from ketamon.domain.audit import AuditEntry
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.side_effects import Severity
from ketamon.storage.models import ClinicSetting
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    draft,
    free_the_chair,
    plan_dose,
    plan_escort,
    trail_entries,
)

pytestmark = pytest.mark.both_backends

KIM = Actor("nurse.kim", "Kim Osei, RN")


@pytest.fixture
def session_id(clinic, clock):
    patient = clinic.patients.register(NURSE, draft())
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id
    baseline(clinic, sid)
    plan_dose(clinic, sid)
    plan_escort(clinic, sid)
    ask_questionnaires(clinic, sid)
    clinic.sessions.start(NURSE, sid)
    clock.advance(minutes=10)
    return sid


def audit_rows(clinic, effect_id: int) -> list[AuditEntry]:
    return trail_entries(clinic, entity="side_effect", entity_id=effect_id)


def test_tick_records_onset_now_mild_by_default_with_the_catalog_name(clinic, clock, session_id):
    ticked = clinic.side_effects.tick(NURSE, session_id, "nausea", note="after 10 min")
    assert (ticked.label, ticked.severity, ticked.onset_at) == ("Nausea", Severity.MILD, clock())
    assert (ticked.entered_by, ticked.status, ticked.resolved_at) == ("nurse.jo", "current", None)
    assert clinic.side_effects.for_session(session_id) == [ticked]
    created = {a.field: (a.action, a.actor, a.new_value) for a in audit_rows(clinic, ticked.id)}
    assert created["kind_key"] == ("create", "nurse.jo", "nausea")
    assert created["severity"] == ("create", "nurse.jo", "mild")
    assert created["note"] == ("create", "nurse.jo", "after 10 min")


def test_onset_may_go_back_to_check_in_but_not_before_nor_into_the_future(
    clinic, clock, session_id
):
    earlier = clinic.side_effects.tick(
        NURSE, session_id, "dizziness", onset_at=clock() - timedelta(minutes=5)
    )
    assert earlier.onset_at == clock() - timedelta(minutes=5)
    with pytest.raises(FieldError, match="future") as future:
        clinic.side_effects.tick(NURSE, session_id, "nausea", onset_at=clock() + timedelta(1))
    assert future.value.field == "onset_at"
    with pytest.raises(FieldError, match="before the patient checked in"):
        clinic.side_effects.tick(
            NURSE, session_id, "nausea", onset_at=clock() - timedelta(minutes=11)
        )
    assert [e.kind_key for e in clinic.side_effects.for_session(session_id)] == ["dizziness"]


def test_other_needs_text_and_retired_or_unknown_kinds_are_refused(clinic, session_id):
    with pytest.raises(FieldError, match="say what"):
        clinic.side_effects.tick(NURSE, session_id, "other")
    other = clinic.side_effects.tick(NURSE, session_id, "other", other_text="Hiccups")
    assert other.display_name == "Other: Hiccups"
    with pytest.raises(DomainError, match="no side effect"):
        clinic.side_effects.tick(NURSE, session_id, "not_a_kind")
    clinic.side_effects.retire_kind(NURSE, "speech")
    with pytest.raises(DomainError, match="retired"):
        clinic.side_effects.tick(NURSE, session_id, "speech")


def test_a_kind_ticked_and_unresolved_cannot_be_ticked_twice_but_may_recur(
    clinic, clock, session_id
):
    first = clinic.side_effects.tick(NURSE, session_id, "vomiting")
    with pytest.raises(DomainError, match="already ticked and not resolved"):
        clinic.side_effects.tick(NURSE, session_id, "vomiting")
    clock.advance(minutes=3)
    clinic.side_effects.resolve(NURSE, first.id)
    clock.advance(minutes=4)
    again = clinic.side_effects.tick(NURSE, session_id, "vomiting")
    assert again.id != first.id
    listed = clinic.side_effects.for_session(session_id)
    assert [e.id for e in listed] == [first.id, again.id]  # onset order
    assert listed[0].resolved_at == clock() - timedelta(minutes=4)


def test_severity_and_note_are_ordinary_audited_updates(clinic, clock, session_id):
    ticked = clinic.side_effects.tick(NURSE, session_id, "headache")
    clock.advance(minutes=1)
    clinic.side_effects.set_severity(NURSE, ticked.id, Severity.MODERATE)
    clinic.side_effects.set_note(NURSE, ticked.id, "paracetamol offered")
    updates = [
        (a.field, a.old_value, a.new_value, a.reason)
        for a in audit_rows(clinic, ticked.id)
        if a.action == "update"
    ]
    assert updates == [
        ("severity", "mild", "moderate", ""),
        ("note", "", "paracetamol offered", ""),
    ]
    with pytest.raises(FieldError, match="mild, moderate or severe"):
        clinic.side_effects.set_severity(NURSE, ticked.id, "terrible")


@pytest.mark.parametrize(
    ("first", "lowered"),
    [
        (Severity.SEVERE, Severity.MILD),
        (Severity.SEVERE, Severity.MODERATE),
        (Severity.MODERATE, Severity.MILD),
    ],
)
def test_lowering_a_severity_is_a_correction_that_needs_a_reason(
    clinic, clock, session_id, first, lowered
):
    # Found by an attack battery: SEVERE nausea quietly set to mild, no reason asked, and
    # the patient was discharged with nothing on the record saying why it was not severe.
    ticked = clinic.side_effects.tick(NURSE, session_id, "nausea", severity=first)
    clock.advance(minutes=2)
    for blank in ("", "   ", "\u200b"):
        with pytest.raises(FieldError, match=f"reason is required to lower .*{first.value}") as e:
            clinic.side_effects.set_severity(NURSE, ticked.id, lowered, reason=blank)
        assert e.value.field == "reason"
    [still] = clinic.side_effects.for_session(session_id)
    assert still.severity is first and still.version == ticked.version  # nothing written
    lowered_to = clinic.side_effects.set_severity(
        NURSE, ticked.id, lowered, reason="Graded too high: a mistake", version=ticked.version
    )
    assert lowered_to.severity is lowered
    [change] = [
        (a.old_value, a.new_value, a.reason, a.actor)
        for a in audit_rows(clinic, ticked.id)
        if a.field == "severity" and a.action == "update"
    ]
    assert change == (first.value, lowered.value, "Graded too high: a mistake", NURSE.username)


def test_raising_a_severity_needs_no_reason(clinic, session_id):
    ticked = clinic.side_effects.tick(NURSE, session_id, "dizziness")
    moderate = clinic.side_effects.set_severity(NURSE, ticked.id, Severity.MODERATE)
    severe = clinic.side_effects.set_severity(NURSE, ticked.id, "severe", version=moderate.version)
    assert severe.severity is Severity.SEVERE and severe.needs_acknowledgement


def test_resolution_bounds_and_no_second_resolution(clinic, clock, session_id):
    ticked = clinic.side_effects.tick(NURSE, session_id, "nausea")
    with pytest.raises(FieldError, match="before the onset"):
        clinic.side_effects.resolve(NURSE, ticked.id, ticked.onset_at - timedelta(minutes=1))
    clock.advance(minutes=5)
    with pytest.raises(FieldError, match="future"):
        clinic.side_effects.resolve(NURSE, ticked.id, clock() + timedelta(minutes=1))
    resolved = clinic.side_effects.resolve(NURSE, ticked.id, clock() - timedelta(minutes=2))
    assert resolved.resolved_at == clock() - timedelta(minutes=2)
    with pytest.raises(DomainError, match="already resolved"):
        clinic.side_effects.resolve(NURSE, ticked.id)


def test_time_corrections_need_a_reason_which_the_audit_keeps(clinic, clock, session_id):
    ticked = clinic.side_effects.tick(NURSE, session_id, "anxiety")
    clock.advance(minutes=6)
    clinic.side_effects.resolve(NURSE, ticked.id)
    with pytest.raises(FieldError, match="reason") as no_reason:
        clinic.side_effects.correct_times(
            NURSE, ticked.id, onset_at=ticked.onset_at - timedelta(minutes=2), reason=" "
        )
    assert no_reason.value.field == "reason"
    with pytest.raises(FieldError, match="before the onset"):
        clinic.side_effects.correct_times(
            NURSE, ticked.id, resolved_at=ticked.onset_at - timedelta(minutes=1), reason="typo"
        )
    corrected = clinic.side_effects.correct_times(
        NURSE,
        ticked.id,
        onset_at=ticked.onset_at - timedelta(minutes=2),
        resolved_at=clock() - timedelta(minutes=1),
        reason="Recorded late: this is when it happened",
    )
    assert corrected.onset_at == ticked.onset_at - timedelta(minutes=2)
    assert corrected.resolved_at == clock() - timedelta(minutes=1)
    changes = {a.field: a.reason for a in audit_rows(clinic, ticked.id) if a.action == "update"}
    assert changes["onset_at"] == "Recorded late: this is when it happened"
    assert changes["resolved_at"] == "Recorded late: this is when it happened"


def test_void_needs_a_reason_keeps_the_row_and_frees_the_kind(clinic, session_id):
    ticked = clinic.side_effects.tick(NURSE, session_id, "tachycardia")
    with pytest.raises(FieldError, match="reason"):
        clinic.side_effects.void(NURSE, ticked.id, "")
    voided = clinic.side_effects.void(NURSE, ticked.id, "Ticked on the wrong line")
    assert (voided.status, voided.status_reason) == ("voided", "Ticked on the wrong line")
    status = [(a.field, a.new_value, a.reason) for a in audit_rows(clinic, ticked.id)][-2:]
    assert ("status", "voided", "Ticked on the wrong line") in status
    with pytest.raises(DomainError, match="voided"):
        clinic.side_effects.set_severity(NURSE, ticked.id, Severity.SEVERE)
    assert clinic.side_effects.for_session(session_id) == [voided]  # still in the record
    clinic.side_effects.tick(NURSE, session_id, "tachycardia")  # may be ticked again
    with clinic.db.engine.connect() as conn, pytest.raises(Exception, match="never|not allowed"):
        conn.execute(text("DELETE FROM side_effect"))


def test_severe_effect_alerts_the_board_until_acknowledged(clinic, clock, session_id):
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    ticked = clinic.side_effects.tick(NURSE, session_id, "vomiting")
    assert clinic.board.get().side_effects[session_id].unacknowledged_severe == ()
    with pytest.raises(DomainError, match="Only a severe"):
        clinic.side_effects.acknowledge(KIM, ticked.id)
    severe = clinic.side_effects.set_severity(NURSE, ticked.id, Severity.SEVERE)
    summary = clinic.board.get().side_effects[session_id]
    assert summary.unacknowledged_severe == (severe,)
    clock.advance(minutes=1)
    seen = clinic.side_effects.acknowledge(KIM, ticked.id)
    assert (seen.acknowledged_by, seen.acknowledged_at) == ("nurse.kim", clock())
    assert clinic.board.get().side_effects[session_id].unacknowledged_severe == ()
    acknowledged = [
        (a.actor, a.field, a.reason)
        for a in audit_rows(clinic, ticked.id)
        if a.field == "acknowledged_by" and a.action == "update"
    ]
    assert acknowledged == [("nurse.kim", "acknowledged_by", "severe side effect acknowledged")]
    # Lowered and raised again to severe: it must be acknowledged again.
    clinic.side_effects.set_severity(
        NURSE, ticked.id, Severity.MODERATE, reason="Eased: it is less now"
    )
    clinic.side_effects.set_severity(NURSE, ticked.id, Severity.SEVERE)
    assert [e.id for e in clinic.board.get().side_effects[session_id].unacknowledged_severe] == [
        ticked.id
    ]
    # Voided: no alert.
    clinic.side_effects.void(NURSE, ticked.id, "Entered for the wrong patient")
    assert clinic.board.get().side_effects[session_id].unacknowledged_severe == ()


def test_no_new_ticks_once_the_session_is_over(clinic, clock, session_id):
    ticked = clinic.side_effects.tick(NURSE, session_id, "nausea")
    free_the_chair(clinic, session_id)  # left against advice
    with pytest.raises(DomainError, match="no longer be ticked"):
        clinic.side_effects.tick(NURSE, session_id, "headache")
    clock.advance(minutes=1)
    assert clinic.side_effects.resolve(NURSE, ticked.id).resolved_at == clock()


def test_catalog_changes_are_admin_only_stored_as_json_and_audited(clinic, session_id):
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    ticked = clinic.side_effects.tick(NURSE, session_id, "nausea")
    with pytest.raises(DomainError, match="not allowed to manage clinic settings"):
        clinic.side_effects.add_kind(KIM, "Chills")
    clinic.side_effects.add_kind(NURSE, "Chills")
    clinic.side_effects.rename_kind(NURSE, "nausea", "Nausea / queasiness")
    catalog = clinic.side_effects.retire_kind(NURSE, "nausea")
    assert clinic.side_effects.catalog() == catalog
    assert clinic.settings.get().side_effect_catalog == catalog
    with clinic.db.transaction(write=False) as s:
        stored = json.loads(s.get(ClinicSetting, "side_effect_catalog").value)
    updates = trail_entries(clinic, entity="clinic_setting", field="side_effect_catalog.value")
    assert {"key": "chills", "name": "Chills", "retired": False, "free_text": False} in stored
    assert {
        "key": "nausea",
        "name": "Nausea / queasiness",
        "retired": True,
        "free_text": False,
    } in stored
    assert len(updates) == 3 and {a.actor for a in updates} == {"nurse.jo"}
    # The old record keeps the name it had; the retired kind stays readable.
    assert clinic.side_effects.for_session(session_id)[0].label == "Nausea" == ticked.label
    assert clinic.side_effects.tick(NURSE, session_id, "chills").label == "Chills"


def test_tile_alert_names_red_vitals_and_severe_side_effects_together(clinic, clock, session_id):
    from ketamon.domain.board import tile_view
    from ketamon.domain.vitals import VitalsDraft

    clinic.vitals.record(
        NURSE,
        session_id,
        VitalsDraft(systolic=124, diastolic=78, heart_rate=72, spo2=88, resp_rate=14),
    )
    effect = clinic.side_effects.tick(
        NURSE, session_id, "other", other_text="Chest pain", severity=Severity.SEVERE
    )
    board = clinic.board.get()
    chair = board.chairs[0]
    session = board.sessions[chair.id]
    view = tile_view(
        chair,
        session,
        board.settings,
        clock(),
        board.vitals[session_id],
        board.side_effects[session_id],
    )
    assert view.alert_text == (
        "RED VITALS: SpO2 88%; SEVERE SIDE EFFECT: Other: Chest pain — acknowledge (A)"
    )
    assert view.severe_effect_ids == (effect.id,) and len(view.red_set_ids) == 1


def test_session_history_includes_side_effect_changes_with_reasons(clinic, session_id):
    ticked = clinic.side_effects.tick(NURSE, session_id, "nausea")
    clinic.side_effects.void(NURSE, ticked.id, "Ticked by mistake")
    history = [
        (e.entity, e.field, e.new_value, e.reason)
        for e in clinic.audit.session_history(session_id)
        if e.entity == "side_effect"
    ]
    assert ("side_effect", "kind_key", "nausea", "") in history
    assert ("side_effect", "status", "voided", "Ticked by mistake") in history
