"""Anything given to the user, chair, settings, side-effect list and review services is
answered or refused with a DomainError naming the field; what is stored, read back fresh,
fits its column and equals the input as the domain normalises it."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ketamon.domain.actors import Actor
from ketamon.services.review import ReviewFilter
from ketamon.storage.models import AddendumRow, ChairRow, ClinicSetting, SignatureRow, UserRow
from tests.conftest import NURSE, PASSWORD, add_user, draft
from tests.services.inputs import (
    JUNK,
    NAIVE,
    PROPERTIES,
    REFUSED,
    answers_or_refuses,
    entries,
    mixed,
    name_as_stored,
    named_fields,
    stored_rows,
    text_like,
    visible,
)

pytestmark = pytest.mark.both_backends

_names = itertools.count(1)
FEW = PROPERTIES.__class__(PROPERTIES, max_examples=25)  # argon2 hashes are slow by design


@FEW
@given(
    e=entries(
        username=st.builds(lambda: f"nurse.{next(_names)}"),
        full_name=text_like("Kim Osei", "Zoë  Ng"),
        credentials=text_like("RN", "MD, PhD", ""),
        roles=st.sampled_from(["nurse", "physician", "nurse,admin", ["nurse"]]),
        password=st.just("long enough password"),
    )
)
# Found by hypothesis: a soft hyphen alone shows nothing, so no credentials are stored.
@example(e=dict(username="nurse.x", full_name="Kim Osei", credentials="\xad", roles="nurse",
                password="long enough password"))  # fmt: skip
def test_adding_users_answers_or_names_the_field(clinic, e):
    with answers_or_refuses() as answered:
        user = clinic.users.add(NURSE, **e)
    if not answered:
        return
    (row,) = stored_rows(clinic, UserRow, id=user.id)
    assert row["full_name"] == name_as_stored(e["full_name"])
    assert row["credentials"] == name_as_stored(e["credentials"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credentials": "R" * 33}, "credentials"),  # once cut to 32 without a word
        ({"full_name": "Kim\x00Osei"}, "full_name"),
        ({"username": b"kim"}, "username"),
        ({"roles": 10**5000}, "roles"),
        ({"password": None}, "password"),
    ],
    ids=["credentials 33", "NUL", "bytes", "huge int", "None"],
)
def test_the_reported_user_values_are_refused(clinic, change, field):
    typed = dict(
        username="kim", full_name="Kim Osei", credentials="RN", roles="nurse", password=PASSWORD
    )
    with pytest.raises(REFUSED) as refused:
        clinic.users.add(NURSE, **(typed | change))
    assert named_fields(refused.value) == {field}
    assert [u.username for u in clinic.users.all()] == ["nurse.jo"]


@PROPERTIES
@given(username=st.one_of(JUNK, text_like("nurse.jo")), password=mixed(st.just(PASSWORD)))
def test_sign_in_answers_or_refuses(clinic, username, password):
    with answers_or_refuses():
        clinic.auth.sign_in(username, password)
    stored_rows(clinic, UserRow)


@FEW
@given(password=st.one_of(JUNK, st.just("another long password"), text_like("short")))
def test_resetting_a_password_answers_or_names_the_field(clinic, password):
    if not [u for u in clinic.users.all() if u.username == "nurse.kim"]:
        add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse")
    with answers_or_refuses() as answered:
        clinic.users.reset_password(NURSE, "nurse.kim", password)
    stored_rows(clinic, UserRow)
    if answered:
        assert clinic.auth.sign_in("nurse.kim", password).username == "nurse.kim"


@PROPERTIES
@given(
    e=entries(
        username=st.sampled_from(["nobody", "nurse.jo"]),
        reason=text_like("left the clinic"),
    )
)
def test_deactivating_answers_or_names_the_field(clinic, e):
    with answers_or_refuses():
        clinic.users.deactivate(NURSE, e["username"], e["reason"])
    stored_rows(clinic, UserRow)


@PROPERTIES
@given(name=mixed(text_like("Recliner 7", "Chair  A")), offset=mixed(st.integers(-2, 2)))
def test_chairs_answer_or_name_the_field(clinic, name, offset):
    chair = clinic.chairs.all()[0]
    with answers_or_refuses() as answered:
        added = clinic.chairs.add(NURSE, name)
    if answered:
        (row,) = stored_rows(clinic, ChairRow, id=added.id)
        assert row["name"] == name_as_stored(name)
        clinic.chairs.retire(NURSE, added.id)  # the name may come again
    with answers_or_refuses():
        clinic.chairs.rename(NURSE, chair.id, name)
    with answers_or_refuses():
        clinic.chairs.move(NURSE, chair.id, offset)
    stored_rows(clinic, ChairRow)


SETTINGS = st.sampled_from(
    [
        ("clinic_name", text_like("Riverside Infusion")),
        ("clinic_phone", text_like("+1 212 555 0100")),
        ("default_target_minutes", st.integers(0, 300)),
        ("target_choices", st.lists(st.integers(0, 300), max_size=3).map(tuple)),
        ("baseline_bp_warning", st.tuples(st.integers(0, 320), st.integers(0, 220))),
        ("dose_default_mg_per_kg", st.floats(0, 3)),
        ("dose_mg_per_kg_range", st.tuples(st.floats(0, 6), st.floats(0, 6))),
        ("medication_choices", st.lists(text_like("ketorolac"), max_size=3).map(tuple)),
        ("signature_meanings", st.lists(text_like("Reviewed"), max_size=2).map(tuple)),
        ("discharge_instructions", text_like("Rest at home.\nNo driving.")),
        ("vital_bands", st.just({"pain": [None, None, 4.0, float("nan")]})),
    ]
)


@PROPERTIES
@given(data=st.data(), setting=SETTINGS)
def test_settings_answer_or_name_the_field(clinic, data, setting):
    key, valid = setting
    value = data.draw(mixed(valid), label=key)
    with answers_or_refuses() as answered:
        updated = clinic.settings.update(NURSE, **{key: value})
    rows = stored_rows(clinic, ClinicSetting)
    assert clinic.settings.get() == (updated if answered else clinic.settings.get())
    for row in rows:
        json.loads(row["value"], parse_constant=lambda c: pytest.fail(f"{c} stored"))


@PROPERTIES
@given(name=mixed(text_like("Tinnitus", "Dry  mouth")), key=mixed(st.just("nausea")))
def test_the_side_effect_list_answers_or_names_the_field(clinic, name, key):
    with answers_or_refuses():
        clinic.side_effects.add_kind(NURSE, name)
    with answers_or_refuses():
        clinic.side_effects.rename_kind(NURSE, key, name)
    for kind in clinic.side_effects.catalog():
        assert kind.name == name_as_stored(kind.name) and len(kind.name) <= 120


@pytest.fixture
def signed(clinic) -> int:
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician")
    patient = clinic.patients.register(NURSE, draft())
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id
    clinic.sessions.cancel(NURSE, sid, "patient unwell")
    return sid


DR = Actor("dr.patel", "Priya Patel, MD")


@FEW
@given(comment=st.one_of(JUNK, text_like("", "Reviewed with the nurse", "two\nlines")))
def test_signing_answers_or_names_the_field(clinic, signed, comment):
    with answers_or_refuses() as answered:
        clinic.review.sign(
            DR, signed, PASSWORD, "Reviewed", comment, reviewed=clinic.review.record_digest(signed)
        )
    rows = stored_rows(clinic, SignatureRow, session_id=signed)
    if answered:
        assert rows[0]["comment"] == visible(comment)


@PROPERTIES
@given(e=entries(text=text_like("Called the patient: well."), reason=text_like("follow-up")))
def test_addenda_answer_or_name_the_field(clinic, signed, e):
    if clinic.review.signature(signed) is None:
        clinic.review.sign(
            DR, signed, PASSWORD, "Reviewed", reviewed=clinic.review.record_digest(signed)
        )
    with answers_or_refuses() as answered:
        added = clinic.review.add_addendum(DR, signed, e["text"], e["reason"], PASSWORD)
    if answered:
        (row,) = stored_rows(clinic, AddendumRow, id=added.id)
        assert (row["text"], row["reason"]) == (visible(e["text"]), visible(e["reason"]))


@PROPERTIES
@given(
    e=entries(
        since=st.none(),
        patient=text_like("", "Ada", "%", "_"),
        chair_id=st.none() | st.integers(1, 6),
        nurse=st.sampled_from(["", "nurse.jo"]),
        status=st.sampled_from(["", "signed", "awaiting_review"]),
    ),
    naive=NAIVE,
)
def test_the_review_list_filter_answers_or_names_the_field(clinic, signed, e, naive):
    with answers_or_refuses():
        rows = clinic.review.page(ReviewFilter(**e), 0, 50)
        assert clinic.review.count(ReviewFilter(**e)) >= len(rows)
    with answers_or_refuses() as answered:
        clinic.review.page(ReviewFilter(since=naive), 0, 50)
    assert not answered


def test_review_list_wildcards_and_controls_are_literal(clinic, signed):
    assert len(clinic.review.page(ReviewFilter(patient="Ada"), 0, 50)) == 1
    for text in ("%", "_", "a%", "\\"):
        assert clinic.review.page(ReviewFilter(patient=text), 0, 50) == [], text
    # a control character is no text: the filter is blank (every session), as when empty
    everything = clinic.review.page(ReviewFilter(), 0, 50)
    assert clinic.review.page(ReviewFilter(patient="\x00"), 0, 50) == everything
    assert clinic.review.page(ReviewFilter(patient="Ada\x00"), 0, 50) == everything
