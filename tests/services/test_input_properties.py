"""Anything given to the patient, session and vitals services is answered or refused with a
DomainError naming the field; what is stored, read back fresh, fits its column and equals
the input as the domain normalises it."""

from __future__ import annotations

import itertools
import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamon.domain.errors import FieldError
from ketamon.domain.patients import PatientDraft
from ketamon.domain.vitals import MEASURES, VitalsDraft
from ketamon.storage.models import PatientRow, SessionEventRow, VitalsRow
from tests.conftest import (
    NURSE,
    T0,
    ask_questionnaires,
    baseline,
    draft,
    free_the_chair,
    plan_dose,
    plan_escort,
)
from tests.services.inputs import (
    JUNK,
    PROPERTIES,
    REFUSED,
    answers_or_refuses,
    aware_between,
    entries,
    name_as_stored,
    named_fields,
    stored_rows,
    text_like,
    visible,
)

pytestmark = pytest.mark.both_backends

_mrns = itertools.count(1)


@PROPERTIES
@given(
    e=entries(
        mrn=st.builds(lambda: f"MRN{next(_mrns)}"),
        name=text_like("Ada Lovelace", "Grace  Hopper", "Zoë O'Brien-Łukasz"),
        dob=st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 3, 1)),
        weight=st.floats(20, 350) | st.integers(20, 350),
        allergies=text_like("", "penicillin", "latex\nsulfa"),
    )
)
def test_register_answers_or_names_the_field(clinic, e):
    mrn, name, dob, weight, allergies = e.values()
    typed = PatientDraft(mrn, name, dob, weight, allergies)
    with answers_or_refuses() as answered:
        patient = clinic.patients.register(NURSE, typed)
    if not answered:
        return
    (row,) = stored_rows(clinic, PatientRow, id=patient.id)
    assert clinic.patients.get(patient.id) == patient
    assert row["mrn"] == unicodedata.normalize("NFKC", visible(mrn))
    assert row["full_name"] == name_as_stored(name)
    assert row["date_of_birth"] == dob and row["weight_kg"] == float(weight)
    assert row["allergies"] == visible(allergies.replace("\r\n", "\n"))


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (PatientDraft("M1", "Ada", T0, 70), "date_of_birth"),  # a datetime for a date
        (PatientDraft(b"M1", "Ada", date(1980, 1, 1), 70), "mrn"),  # bytes, once a BLOB
        (PatientDraft("M\x001", "Ada", date(1980, 1, 1), 70), "mrn"),
        (PatientDraft("M1", "Ada\x1b[2J", date(1980, 1, 1), 70), "full_name"),
        (PatientDraft("M1", "Ada", date(1980, 1, 1), float("nan")), "weight_kg"),
        (PatientDraft("M1", "Ada", date(1980, 1, 1), 10**5000), "weight_kg"),
        (PatientDraft("M" * 33, "Ada", date(1980, 1, 1), 70), "mrn"),
    ],
)
def test_the_reported_registrations_are_refused_at_their_field(clinic, value, field):
    with pytest.raises(REFUSED) as refused:
        clinic.patients.register(NURSE, value)
    assert named_fields(refused.value) == {field}
    assert clinic.patients.search("Ada") == []


@PROPERTIES
@given(text=st.one_of(JUNK, text_like("Ada", "MRN", "%", "_", "\x00")))
def test_search_answers_or_refuses(clinic, text):
    with answers_or_refuses():
        found = clinic.patients.search(text)
        assert isinstance(found, list)


def test_search_control_characters_and_wildcards_match_nothing_by_themselves(clinic):
    ada = clinic.patients.register(NURSE, draft("MRN1", "Ada Lovelace"))
    clinic.patients.register(NURSE, draft("MRN2", "Grace Hopper"))
    for text in ("\x00", "\x00\x00", "%", "_", "\\", "%%", "a%", "\t", "\u2028"):
        assert clinic.patients.search(text) == [], text
    assert clinic.patients.search("Ada\x00") == [ada]  # the NUL only separates words
    assert clinic.patients.search("\x00Lovelace") == [ada]
    percent = clinic.patients.register(NURSE, draft("MRN3", "Ann 100% Kay"))
    assert clinic.patients.search("0%") == [percent]
    with pytest.raises(FieldError):
        clinic.patients.search(b"Ada")


@pytest.fixture
def checked_in(clinic, clock):
    patient = clinic.patients.register(NURSE, draft())
    session = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    clock.advance(minutes=30)
    return session.id


def _measure(key: str) -> st.SearchStrategy:
    m = MEASURES[key]
    low, high = (100, 200) if key == "systolic" else (40, 99) if key == "diastolic" else (0, 0)
    if m.integer:
        valid = st.integers(low or int(m.low), high or int(m.high))
    else:
        valid = st.floats(m.low, m.high)
    return valid if m.required else st.none() | valid


@PROPERTIES
@given(
    e=entries(
        **{k: _measure(k) for k in MEASURES},
        note=text_like("", "patient comfortable", "line one\nline two"),
        taken=st.none() | aware_between(T0, T0 + timedelta(minutes=30)),
    )
)
def test_record_vitals_answers_or_names_the_field(clinic, checked_in, e):
    note, taken = e.pop("note"), e.pop("taken")
    values = e
    with answers_or_refuses() as answered:
        saved = clinic.vitals.record(NURSE, checked_in, VitalsDraft(**values, note=note), taken)
    if not answered:
        return
    (row,) = stored_rows(clinic, VitalsRow, id=saved.id)
    for key, value in values.items():
        if value is not None:  # a whole number stays one: 72.0 is stored as 72
            value = round(value, 1) if key == "temperature" else int(value)
        assert row[key] == value and type(row[key]) is type(value), key
    assert row["note"] == visible(note)
    assert [s for s in clinic.vitals.for_session(checked_in) if s.id == saved.id] == [saved]


@PROPERTIES
@given(
    e=entries(
        **{k: _measure(k) for k in ("systolic", "heart_rate", "pain")},
        reason=text_like("typo", "wrong patient"),
    )
)
def test_correct_and_void_answer_or_name_the_field(clinic, checked_in, e):
    reason, values = e.pop("reason"), e
    first = baseline(clinic, checked_in)
    typed = VitalsDraft(**(first.values.values() | values))  # type: ignore[arg-type]
    with answers_or_refuses() as answered:
        fixed = clinic.vitals.correct(NURSE, first.id, typed, reason)
    if answered:
        (row,) = stored_rows(clinic, VitalsRow, id=first.id)
        assert row["status_reason"] == visible(reason)
        stored_rows(clinic, VitalsRow, id=fixed.id)
    with answers_or_refuses() as answered:
        clinic.vitals.void(NURSE, (fixed if answered else first).id, reason)
    stored_rows(clinic, VitalsRow, session_id=checked_in)


@pytest.mark.parametrize(
    "values",
    [
        {"pain": 5.5},  # once stored as 5.5 in an integer column
        {"heart_rate": 10**4400},  # once a ValueError turning it into text
        {"temperature": float("nan")},
        {"spo2": "98"},
        {"resp_rate": b"14"},
    ],
    ids=["pain 5.5", "huge int", "nan", "text", "bytes"],
)
def test_the_reported_vitals_are_refused_at_their_field(clinic, checked_in, values):
    normal = dict(systolic=124, diastolic=78, heart_rate=72, spo2=98, resp_rate=14)
    with pytest.raises(REFUSED) as refused:
        clinic.vitals.record(NURSE, checked_in, VitalsDraft(**(normal | values)))
    assert named_fields(refused.value) == set(values)
    assert clinic.vitals.for_session(checked_in) == []


def test_a_naive_time_taken_is_refused_at_its_field(clinic, checked_in):
    with pytest.raises(FieldError, match="time zone") as refused:
        baseline_values = VitalsDraft(124, 78, 72, 98, 14)
        clinic.vitals.record(NURSE, checked_in, baseline_values, T0.replace(tzinfo=None))
    assert refused.value.field == "taken_at"


@PROPERTIES
@given(
    e=entries(
        target=st.integers(5, 240),
        chair=st.just("first"),
        reason=text_like("patient unwell", "wrong chair"),
    )
)
def test_check_in_and_cancel_answer_or_name_the_field(clinic, e):
    target, chair, reason = e.values()
    patient = clinic.patients.search("Ada") or [clinic.patients.register(NURSE, draft())]
    chair_id = clinic.chairs.all()[0].id if chair == "first" else chair
    with answers_or_refuses() as answered:
        session = clinic.sessions.check_in(NURSE, chair_id, patient[0].id, target)
    if not answered:
        return
    assert session.target_minutes == target
    with answers_or_refuses() as answered:
        clinic.sessions.cancel(NURSE, session.id, reason)
    if not answered:  # free the chair for the next example
        clinic.sessions.cancel(NURSE, session.id, "cleaning up")
    else:
        (row,) = stored_rows(clinic, SessionEventRow, session_id=session.id, kind="cancel")
        assert row["reason"] == visible(reason.replace("\r\n", "\n"))


@pytest.fixture
def infusing(clinic, checked_in):
    baseline(clinic, checked_in)
    plan_dose(clinic, checked_in)
    plan_escort(clinic, checked_in)
    ask_questionnaires(clinic, checked_in)
    clinic.sessions.start(NURSE, checked_in)
    return checked_in


@PROPERTIES
@given(
    e=entries(
        rate=st.floats(0.1, 999) | st.integers(1, 999),
        reason=text_like("pump alarm", "nausea"),
        pause_reason=text_like("bathroom"),
    )
)
def test_rate_changes_and_pauses_answer_or_name_the_field(clinic, infusing, e):
    rate, reason, pause_reason = e.values()
    with answers_or_refuses():
        clinic.sessions.rate_change(NURSE, infusing, rate, reason)
    with answers_or_refuses() as paused:
        clinic.sessions.pause(NURSE, infusing, pause_reason)
    if paused:
        clinic.sessions.resume(NURSE, infusing)
    stored_rows(clinic, SessionEventRow, session_id=infusing)


@pytest.mark.parametrize("rate", [10**400, float("inf"), float("nan"), "12", None])
def test_a_huge_or_non_number_pump_rate_is_refused_at_its_field(clinic, infusing, rate):
    with pytest.raises(FieldError) as refused:
        clinic.sessions.rate_change(NURSE, infusing, rate, "pump alarm")
    assert refused.value.field == "rate_ml_h"
    assert "0.1–999 mL/h" in refused.value.message


@PROPERTIES
@given(
    e=entries(
        no_plan=text_like("dose checked on the paper record"),
        no_baseline=text_like("baseline machine broken"),
        confirmed=st.booleans(),
        stop_reason=text_like("patient asked to stop", ""),
    )
)
def test_start_and_stop_answer_or_name_the_field(clinic, clock, e):
    patient = clinic.patients.search("Ada") or [clinic.patients.register(NURSE, draft())]
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient[0].id, 40).id
    plan_escort(clinic, sid)
    ask_questionnaires(clinic, sid)
    with answers_or_refuses() as started:
        clinic.sessions.start(
            NURSE,
            sid,
            no_plan_reason=e["no_plan"],
            no_baseline_reason=e["no_baseline"],
            high_bp_confirmed=e["confirmed"],
        )
    if started:
        with answers_or_refuses() as stopped:
            clinic.sessions.stop(NURSE, sid, e["stop_reason"])
        for row in stored_rows(clinic, SessionEventRow, session_id=sid):
            if row["kind"] == "stop":
                assert stopped and row["reason"] == visible(e["stop_reason"])
    free_the_chair(clinic, sid)
