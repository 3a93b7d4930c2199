"""Patient details: allergy status registered explicitly, corrections with a reason (the
trail keeps the old value; the session's History shows it), the weight of the day, a drug
named in the allergies recorded only with a reason, and signatures that survive a
correction but not an edit made outside the application."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date

import pytest

from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, ValidationErrors
from ketamon.domain.interventions import AllergyConflict, MedicationDraft
from ketamon.domain.patients import AllergyStatus
from ketamon.reports.summary_html import build_html
from ketamon.services.review import ReviewService
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    draft,
    plan_escort,
    trail_entries,
)
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends

DOC = Actor("dr.patel", "Priya Patel, MD")


def _registered(clinic, **kw):
    return clinic.patients.register(NURSE, draft("KM-1", "Ada Lovlace", **kw))


# -- registration ------------------------------------------------------------------------------
def test_register_keeps_nkda_and_scale2(clinic) -> None:
    p = _registered(clinic, no_known_allergies=True, spo2_scale2=True)
    assert clinic.patients.get(p.id) == p
    assert (p.no_known_allergies, p.spo2_scale2) == (True, True)
    assert p.allergy_status is AllergyStatus.NONE_KNOWN
    q = clinic.patients.register(NURSE, draft("KM-2", "Bo"))
    assert q.allergy_status is AllergyStatus.NOT_RECORDED


def test_a_list_and_nkda_together_are_refused_and_not_stored(clinic) -> None:
    with pytest.raises(ValidationErrors) as refused:
        _registered(clinic, allergies="Latex", no_known_allergies=True)
    assert list(refused.value.errors) == ["no_known_allergies"]
    assert clinic.patients.search("KM-1") == []


# -- correction --------------------------------------------------------------------------------
def _trail(clinic, patient_id: int):
    from sqlalchemy import select

    from ketamon.storage.models import AuditRow

    with clinic.db.transaction(write=False) as session:
        rows = session.scalars(
            select(AuditRow)
            .where(AuditRow.entity == "patient", AuditRow.entity_id == patient_id)
            .where(AuditRow.action == "update")
            .order_by(AuditRow.seq)
        )
        return [(r.field, r.old_value, r.new_value, r.actor, r.reason) for r in rows]


def test_correct_with_a_reason_keeps_the_old_values_in_the_trail(clinic, clock) -> None:
    p = _registered(clinic, allergies="Latex")
    clock.advance(minutes=5)
    typed = draft(
        "KM-1", "Ada Lovelace", date_of_birth=date(1980, 5, 18), weight_kg=70, allergies=""
    )
    typed = typed.__class__(**{**typed.__dict__, "no_known_allergies": True})  # fmt: skip
    with pytest.raises(ValidationErrors):  # the list still typed beside the tick: refused
        clinic.patients.correct(
            NURSE, p.id, draft("KM-1", allergies="Latex", no_known_allergies=True), "x"
        )
    corrected = clinic.patients.correct(NURSE, p.id, typed, " Typo at registration ")
    assert clinic.patients.get(p.id) == corrected
    assert (corrected.full_name, corrected.date_of_birth, corrected.weight_kg) == (
        "Ada Lovelace",
        date(1980, 5, 18),
        70.0,
    )
    assert corrected.allergy_status is AllergyStatus.NONE_KNOWN
    reason = "Typo at registration"
    assert _trail(clinic, p.id) == [
        ("full_name", "Ada Lovlace", "Ada Lovelace", "nurse.jo", reason),
        ("date_of_birth", "1980-05-17", "1980-05-18", "nurse.jo", reason),
        ("weight_kg", "72.5", "70.0", "nurse.jo", reason),
        ("allergies", "Latex", "", "nurse.jo", reason),
        ("no_known_allergies", "false", "true", "nurse.jo", reason),
    ]
    assert clinic.audit.verify() == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_correction_without_a_reason_changes_nothing(clinic, reason) -> None:
    p = _registered(clinic)
    with pytest.raises(DomainError, match="A reason is required to correct patient details"):
        clinic.patients.correct(NURSE, p.id, draft("KM-1", "Ada Lovelace"), reason)
    assert clinic.patients.get(p.id).full_name == "Ada Lovlace"
    assert _trail(clinic, p.id) == []


def test_a_correction_is_refused_for_a_bad_value_or_a_new_mrn(clinic) -> None:
    p = _registered(clinic)
    with pytest.raises(ValidationErrors) as refused:
        clinic.patients.correct(NURSE, p.id, draft("KM-1", weight_kg=500), "Weighed again")
    assert refused.value.errors == {"weight_kg": "Weight must be 20–350 kg"}
    with pytest.raises(ValidationErrors) as refused:
        clinic.patients.correct(NURSE, p.id, draft("KM-9", "Ada Lovlace"), "Wrong MRN")
    assert list(refused.value.errors) == ["mrn"]
    assert _trail(clinic, p.id) == []


def test_the_sessions_history_shows_the_correction(clinic, clock) -> None:
    p = _registered(clinic)
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, p.id, 40)
    clock.advance(minutes=3)
    clinic.patients.correct(NURSE, p.id, draft("KM-1", "Ada Lovelace"), "Typo")
    [entry] = [e for e in clinic.audit.session_history(s.id) if e.entity == "patient"]
    assert (entry.field, entry.old_value, entry.new_value) == (
        "full_name",
        "Ada Lovlace",
        "Ada Lovelace",
    )
    assert (entry.actor, entry.reason, entry.at) == ("nurse.jo", "Typo", clock())
    assert clinic.sessions.get(s.id).patient_name == "Ada Lovelace"


# -- weight of the day -------------------------------------------------------------------------
def test_a_weight_correction_leaves_a_past_dose_record_alone(clinic, clock) -> None:
    s = discharged_session(clinic, clock, sets=8)
    patient_id = clinic.sessions.get(s.id).patient_id
    before = clinic.dose.get(s.id)
    clinic.patients.correct(
        NURSE, patient_id, draft("KM-20001", "Maria Gonzalez", weight_kg=90), "Re-weighed"
    )
    assert clinic.dose.get(s.id) == before and before.weight_kg == 72.5


def test_the_plan_starts_from_the_latest_weight(clinic, clock) -> None:
    s1 = discharged_session(clinic, clock, sets=8)
    patient = clinic.patients.get(clinic.sessions.get(s1.id).patient_id)
    chair = clinic.chairs.all()[0].id
    clock.advance(days=7)
    s2 = clinic.sessions.check_in(NURSE, chair, patient.id, 40)
    # the first session was planned as the patient was registered: not a newer weight
    assert clinic.dose.defaults(s2.id).weight_source == "registered weight 72.5 kg"
    clinic.dose.plan(NURSE, s2.id, 80.0, 0.5, 10, "L2")
    baseline(clinic, s2.id)
    clinic.sessions.cancel(NURSE, s2.id, "Patient unwell")
    clock.advance(days=7)
    s3 = clinic.sessions.check_in(NURSE, chair, patient.id, 40)
    defaults = clinic.dose.defaults(s3.id)
    assert defaults.weight_kg == 80.0  # the session of last week
    assert defaults.weight_source.startswith("weight of the last session (2026-03-")
    clock.advance(minutes=1)
    fixed = draft("KM-20001", "Maria Gonzalez", weight_kg=78)
    clinic.patients.correct(NURSE, patient.id, fixed, "Weighed on the clinic scale")
    defaults = clinic.dose.defaults(s3.id)  # the registered weight is now the newer one
    assert (defaults.weight_kg, defaults.weight_source) == (78.0, "registered weight 78 kg")


# -- a drug in the allergy list ----------------------------------------------------------------
@pytest.fixture
def allergic_infusing(clinic, clock):
    p = clinic.patients.register(NURSE, draft("KM-5", "Lena Park", allergies="Ondansetron (rash)"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, p.id, 40)
    baseline(clinic, s.id)
    clinic.dose.plan(NURSE, s.id, 72.5, 0.5, 10, "L1")
    plan_escort(clinic, s.id)
    ask_questionnaires(clinic, s.id)
    clinic.sessions.start(NURSE, s.id)
    clock.advance(minutes=5)
    return s


def test_a_drug_in_the_allergies_is_refused_without_a_reason(clinic, allergic_infusing) -> None:
    s = allergic_infusing
    with pytest.raises(AllergyConflict) as refused:
        clinic.interventions.give(NURSE, s.id, MedicationDraft("ondansetron", 4, "mg", "IV"))
    assert refused.value.matched == "Ondansetron (rash)"
    assert clinic.interventions.for_session(s.id) == []
    # another drug needs no reason, and a stray one is not stored
    other = MedicationDraft("midazolam", 1, "mg", "IV", allergy_override_reason="stray")
    assert clinic.interventions.give(NURSE, s.id, other).allergy_override_reason == ""


def test_with_a_reason_it_is_stored_audited_signed_and_printed(clinic, clock, allergic_infusing):
    s = allergic_infusing
    reason = "Rash only; physician ordered, benefit outweighs"
    med = clinic.interventions.give(
        NURSE, s.id, MedicationDraft("ondansetron", 4, "mg", "IV", allergy_override_reason=reason)
    )
    assert med.allergy_override_reason == reason
    assert clinic.interventions.for_session(s.id) == [med]
    stored = trail_entries(
        clinic, entity="medication_given", entity_id=med.id, field="allergy_override_reason"
    )
    assert [e.new_value for e in stored] == [reason]
    html = build_html(clinic.summary.snapshot(s.id, tz=UTC), chart=False)
    assert "ALLERGIES: Ondansetron (rash)" in html
    assert f"Named in the patient's allergies; given because:</b> {reason}" in html


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"no_known_allergies": True}, "No known drug allergies"),
        ({}, "ALLERGIES NOT RECORDED"),
    ],
)
def test_the_summary_shows_the_allergy_status(clinic, kw, words) -> None:
    p = clinic.patients.register(NURSE, draft("KM-7", "Bo Lin", **kw))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, p.id, 40)
    assert words in build_html(clinic.summary.snapshot(s.id, tz=UTC), chart=False)


# -- signatures --------------------------------------------------------------------------------
@pytest.fixture
def signed(clinic, clock):
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    s = discharged_session(clinic, clock, sets=8)
    review = ReviewService(clinic.db, clinic.clock)
    review.sign(
        DOC, s.id, PASSWORD, "Reviewed and approved", "", reviewed=review.record_digest(s.id)
    )
    assert review.signature(s.id).valid
    return s, review


def test_a_correction_after_signing_keeps_the_signature_valid_and_shows(clinic, clock, signed):
    s, review = signed
    patient_id = clinic.sessions.get(s.id).patient_id
    clock.advance(hours=1)
    typed = draft("KM-20001", "Maria Gonzales", date_of_birth=date(1980, 5, 18))
    clinic.patients.correct(NURSE, patient_id, typed, "Spelling from her ID card")
    signature = review.signature(s.id)
    assert signature.valid and review.check_signatures() == []
    assert [(c.field, c.old, c.new, c.reason) for c in signature.corrected_after] == [
        ("full_name", "Maria Gonzalez", "Maria Gonzales", "Spelling from her ID card"),
        ("date_of_birth", "1980-05-17", "1980-05-18", "Spelling from her ID card"),
    ]
    html = build_html(clinic.summary.snapshot(s.id, tz=UTC), chart=False)
    assert "Patient details corrected after signing" in html
    assert "Full name: Maria Gonzalez → Maria Gonzales (" in html
    # corrected twice: back through both
    clinic.patients.correct(NURSE, patient_id, draft("KM-20001", "Maria Gonzalez"), "Undo")
    assert review.signature(s.id).valid and clinic.audit.verify() == []


@pytest.mark.parametrize(
    ("field", "value"), [("full_name", "Mary Gonzales"), ("date_of_birth", "1981-05-17")]
)
@pytest.mark.sqlite_only(reason="a raw sqlite3 edit of the file, behind the triggers")
def test_a_raw_sql_edit_of_the_patient_is_invalid_and_verify_names_it(
    clinic, clock, signed, field, value
):
    s, review = signed
    patient_id = clinic.sessions.get(s.id).patient_id
    raw = sqlite3.connect(str(clinic.db.path))
    for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        raw.execute(f"DROP TRIGGER {name}")
    raw.execute(f"UPDATE patient SET {field} = ? WHERE id = ?", (value, patient_id))
    raw.commit()
    raw.close()
    signature = review.signature(s.id)
    assert not signature.valid and "changed after signing" in signature.problem
    problems = [p.text for p in clinic.audit.verify()]
    assert any("SIGNATURE INVALID: signature" in p for p in problems)
    assert any("patient" in p and "SIGNATURE" not in p and "protection" not in p for p in problems)


@pytest.mark.sqlite_only(reason="a raw sqlite3 edit of the file, behind the triggers")
def test_a_raw_edit_after_a_correction_is_not_undone(clinic, clock, signed):
    s, review = signed
    patient_id = clinic.sessions.get(s.id).patient_id
    clinic.patients.correct(NURSE, patient_id, draft("KM-20001", "Maria Gonzales"), "Spelling")
    raw = sqlite3.connect(str(clinic.db.path))
    for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        raw.execute(f"DROP TRIGGER {name}")
    raw.execute("UPDATE patient SET full_name = 'Eve Forger' WHERE id = ?", (patient_id,))
    raw.commit()
    raw.close()
    assert not review.signature(s.id).valid
