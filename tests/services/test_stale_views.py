"""No lost update: a form loaded on workstation A, while workstation B saved the same record,
is refused when A saves it (StaleRecord naming who changed it and when, in local time with
zone), and B's change is still there. Two real connections (two Clinic objects) on one
database, on SQLite and on PostgreSQL. Measured before record versions: A's stale
checklist wiped B's answers, escort verification included, on both backends."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from ketamon.domain.actors import Actor
from ketamon.domain.discharge import DischargeAnswers, Escort, Nausea
from ketamon.domain.errors import DomainError, StaleRecord
from ketamon.domain.side_effects import Severity
from ketamon.storage.audit import AuditContext
from ketamon.storage.models import DischargeRow
from tests.conftest import NURSE, add_user, draft, open_clinic

pytestmark = pytest.mark.both_backends
KIM = Actor("nurse.kim", "Kim Osei, RN")
KIM_ADMIN = NURSE  # settings need an administrator: Jo, on workstation B
CHANGED_BY_KIM = (
    "was changed by Kim Osei, RN at 15:05 CET on another workstation; it has been reloaded. "
    "Your entries are kept: check them and save again."
)


@pytest.fixture(autouse=True)
def _paris(monkeypatch: pytest.MonkeyPatch):
    """The workstations' local time: Central European (T0 14:00 UTC is 15:00 CET)."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def other(clinic, db_url, clock):
    """Workstation B: its own Clinic (engine, connections) on the same database."""
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse")
    b = open_clinic(db_url, clock)
    yield b
    b.close()


def _session(clinic) -> int:
    patient = clinic.patients.register(NURSE, draft("STALE-1", "Stale View"))
    chair = clinic.chairs.all()[0]
    return clinic.sessions.check_in(NURSE, chair.id, patient.id, 40).id


def test_a_stale_checklist_is_refused_and_keeps_the_escort_verification(
    clinic, other, clock
) -> None:
    session_id = _session(clinic)
    clinic.discharge.save_answers(NURSE, session_id, DischargeAnswers(oriented=True))
    seen = clinic.discharge.state(session_id)  # A opens the checklist
    clock.advance(minutes=5)
    verified = Escort("Maria Lopez", "Sister", "(212) 555-0143", True)
    b_answers = replace(seen.answers, escort=verified, nausea=Nausea.MINIMAL)
    b_state = other.discharge.save_answers(KIM, session_id, b_answers, version=seen.version)
    assert b_state.version == seen.version + 1

    clock.advance(minutes=2)
    stale = replace(seen.answers, steady_gait=True)  # A answers one more question and saves
    with pytest.raises(StaleRecord) as refused:
        clinic.discharge.save_answers(NURSE, session_id, stale, version=seen.version)
    assert str(refused.value) == f"The discharge checklist {CHANGED_BY_KIM}"

    now = clinic.discharge.state(session_id)
    assert now.answers.escort.present_verified and now.answers.escort.verified_by == "nurse.kim"
    assert now.answers.nausea is Nausea.MINIMAL and now.answers.steady_gait is None
    # Saved again on top of what is stored now (the dialog does this after reloading):
    again = replace(now.answers, steady_gait=True)
    saved = clinic.discharge.save_answers(NURSE, session_id, again, version=now.version)
    assert saved.answers.steady_gait and saved.answers.escort.present_verified
    assert clinic.audit.verify() == []


def test_a_checklist_created_on_another_workstation_meanwhile_is_not_overwritten(
    clinic, other, clock
) -> None:
    session_id = _session(clinic)
    seen = clinic.discharge.state(session_id)
    assert seen.version == 0  # nothing saved yet
    clock.advance(minutes=5)
    other.discharge.save_escort_plan(
        KIM, session_id, Escort("Maria Lopez", "Sister", "(212) 555-0100")
    )
    with pytest.raises(StaleRecord, match=f"^The discharge checklist {CHANGED_BY_KIM}$"):
        clinic.discharge.save_answers(
            NURSE, session_id, DischargeAnswers(oriented=True), version=seen.version
        )
    assert clinic.discharge.state(session_id).answers.escort.name == "Maria Lopez"


def test_a_stale_escort_plan_and_next_appointment_are_refused(clinic, other, clock) -> None:
    session_id = _session(clinic)
    seen = clinic.discharge.save_escort_plan(
        NURSE, session_id, Escort("Maria Lopez", "Sister", "(212) 555-0100")
    )
    clock.advance(minutes=5)
    other.discharge.save_escort_plan(
        KIM, session_id, Escort("Maria Lopez", "Sister", "(212) 555-0143"), version=seen.version
    )
    with pytest.raises(StaleRecord, match=CHANGED_BY_KIM):
        clinic.discharge.save_escort_plan(
            NURSE, session_id, Escort("M. Lopez", "Sister", "(212) 555-0100"), version=seen.version
        )
    with pytest.raises(StaleRecord, match=CHANGED_BY_KIM):
        clinic.discharge.set_next_appointment(
            NURSE, session_id, clock() + timedelta(days=7), version=seen.version
        )
    assert clinic.discharge.state(session_id).answers.escort.phone.endswith("555-0143")


def test_an_update_that_finds_the_row_saved_since_it_was_read_is_refused_in_words(
    clinic, other, clock
) -> None:
    """The ORM's own guard (UPDATE ... WHERE version = the one read), for a write path that
    read the row without locking it: the StaleDataError reads as the same refusal."""
    session_id = _session(clinic)
    clock.advance(minutes=5)
    other.discharge.save_escort_plan(
        KIM, session_id, Escort("Maria Lopez", "Sister", "(212) 555-0100")
    )
    with pytest.raises(StaleRecord, match=f"^The discharge checklist {CHANGED_BY_KIM}$"):
        with clinic.db.transaction(audit=AuditContext("nurse.jo", clock())) as tx:
            row = tx.get(DischargeRow, session_id)
            assert row is not None
            # saved meanwhile (here on the same connection, so SQLite's one writer allows it)
            tx.execute(text("UPDATE discharge_record SET version = version + 1"))
            row.escort_name = "Somebody Else"
            tx.flush()
    assert clinic.discharge.state(session_id).answers.escort.name == "Maria Lopez"


def test_a_stale_patient_correction_is_refused_and_keeps_the_newer_allergies(
    clinic, other, clock
) -> None:
    patient = clinic.patients.register(NURSE, draft("STALE-P", "Lena Park"))
    seen = clinic.patients.get(patient.id)  # A opens Edit patient details
    clock.advance(minutes=5)
    on_b = other.patients.get(patient.id)
    allergic = replace(on_b.as_draft(), allergies="Penicillin (rash)")
    after_b = other.patients.correct(KIM, patient.id, allergic, "Told us", version=on_b.version)
    assert after_b.version == seen.version + 1
    renamed = replace(seen.as_draft(), full_name="Lena Parker")
    with pytest.raises(StaleRecord) as refused:
        clinic.patients.correct(NURSE, patient.id, renamed, "Typo", version=seen.version)
    assert str(refused.value) == (
        "The patient's details were changed by Kim Osei, RN at 15:05 CET on another "
        "workstation; they have been reloaded. Your entries are kept: check them and save again."
    )
    now = clinic.patients.get(patient.id)
    assert (now.full_name, now.allergies) == ("Lena Park", "Penicillin (rash)")


def test_a_stale_dose_plan_is_refused_and_keeps_the_newer_lot(clinic, other, clock) -> None:
    session_id = _session(clinic)
    assert clinic.dose.get(session_id) is None  # A opens the dose record: no plan yet (0)
    clock.advance(minutes=5)
    b = other.dose.plan(KIM, session_id, 72.5, 0.5, 10.0, "LOT-B", version=0)
    with pytest.raises(StaleRecord, match=f"^The dose record {CHANGED_BY_KIM}$"):
        clinic.dose.plan(NURSE, session_id, 70.0, 0.5, 10.0, "LOT-A", version=0)
    assert clinic.dose.get(session_id).lot_number == "LOT-B"
    again = clinic.dose.plan(NURSE, session_id, 70.0, 0.5, 10.0, "LOT-B", version=b.version)
    assert (again.weight_kg, again.version) == (70.0, b.version + 1)


def test_a_stale_setting_is_refused_and_other_settings_are_not_a_conflict(
    clinic, other, clock
) -> None:
    _settings, versions = clinic.settings.snapshot()  # A opens the settings
    clock.advance(minutes=5)
    other.settings.update(KIM_ADMIN, versions=versions, overrun_alert_minutes=9)
    with pytest.raises(StaleRecord) as refused:
        clinic.settings.update(NURSE, versions=versions, overrun_alert_minutes=7)
    assert str(refused.value) == (
        "The clinic settings were changed by Jo Rivera, RN at 15:05 CET on another "
        "workstation; they have been reloaded. Your entries are kept: check them and save again."
    )
    assert clinic.settings.get().overrun_alert_minutes == 9
    # another setting, unchanged on B since A loaded it, saves
    clinic.settings.update(NURSE, versions=versions, idle_lock_minutes=12)
    assert clinic.settings.get().idle_lock_minutes == 12


def test_a_stale_chair_rename_is_refused_but_a_move_is_no_conflict(clinic, other, clock) -> None:
    first, second = clinic.chairs.all()[:2]  # A's list of chairs
    clock.advance(minutes=5)
    other.chairs.rename(NURSE, first.id, "Window", version=first.version)
    other.chairs.move(NURSE, second.id, -1)  # the order, from what is stored: no conflict
    with pytest.raises(StaleRecord, match="^The chair was changed by Jo Rivera, RN at 15:05 CET"):
        clinic.chairs.rename(NURSE, first.id, "Door", version=first.version)
    renamed = clinic.chairs.rename(NURSE, second.id, "Corner", version=second.version)
    assert {c.name for c in clinic.chairs.all()} >= {"Window", "Corner"}
    assert renamed.version == second.version + 1


def test_a_password_reset_from_a_stale_list_is_refused(clinic, other, clock) -> None:
    [kim] = [u for u in clinic.users.all() if u.username == "nurse.kim"]  # A's list
    clock.advance(minutes=5)
    other.users.reset_password(NURSE, "nurse.kim", "temporary from B 1", version=kim.version)
    with pytest.raises(StaleRecord, match="^The user account was changed by Jo Rivera, RN at"):
        clinic.users.reset_password(NURSE, "nurse.kim", "temporary from A 1", version=kim.version)
    with pytest.raises(StaleRecord):
        clinic.users.deactivate(NURSE, "nurse.kim", "Left the clinic", version=kim.version)
    [now] = [u for u in clinic.users.all() if u.username == "nurse.kim"]
    assert now.active and now.must_change_password and now.version == kim.version + 1
    assert clinic.users.deactivate(NURSE, "nurse.kim", "Left", version=now.version).active is False


def test_a_failed_sign_in_meanwhile_does_not_make_the_account_stale(clinic, other) -> None:
    [kim] = [u for u in clinic.users.all() if u.username == "nurse.kim"]
    with pytest.raises(DomainError):
        other.auth.sign_in("nurse.kim", "not the password")  # the lockout count only
    user = clinic.users.reset_password(
        NURSE, "nurse.kim", "temporary from A 1", version=kim.version
    )
    assert user.must_change_password


def test_a_stale_side_effect_note_is_refused_and_keeps_the_newer_note(clinic, other, clock) -> None:
    session_id = _session(clinic)
    effect = clinic.side_effects.tick(NURSE, session_id, "nausea", severity=Severity.MILD)
    clock.advance(minutes=5)
    other.side_effects.set_note(KIM, effect.id, "Settled after water", version=effect.version)
    with pytest.raises(StaleRecord, match=f"^The side effect {CHANGED_BY_KIM}$"):
        clinic.side_effects.set_note(NURSE, effect.id, "Vomited once", version=effect.version)
    with pytest.raises(StaleRecord):
        clinic.side_effects.set_severity(
            NURSE, effect.id, Severity.MODERATE, version=effect.version
        )
    [now] = clinic.side_effects.for_session(session_id)
    assert (now.note, now.severity) == ("Settled after water", Severity.MILD)
