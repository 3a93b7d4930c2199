"""The field validators: the type, then finiteness, whole numbers, lengths and control
characters; every refusal a FieldError naming the field and what is allowed."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamon.domain import fields
from ketamon.domain.errors import FieldError

HUGE = pytest.param(10**5000, id="10**5000")
MINUS_HUGE = pytest.param(-(10**5000), id="-10**5000")


def refused(check, *args, **kwargs) -> FieldError:
    with pytest.raises(FieldError) as error:
        check(*args, **kwargs)
    return error.value


@pytest.mark.parametrize("value", [None, b"abc", 12, 1.5, ["a"], datetime.now(UTC)])
def test_text_must_be_text(value):
    error = refused(fields.one_line_text, "mrn", value, 32, label="MRN")
    assert (error.field, error.message) == ("mrn", "MRN must be text")


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85", "\u2028", "\ud800", "\t", "\n"])
def test_one_line_text_refuses_control_characters(char):
    error = refused(fields.one_line_text, "mrn", f"M{char}1", 32, label="MRN")
    assert (
        error.message == f"MRN must be one line of text without control characters "
        f"(found U+{ord(char):04X})"
    )


def test_names_collapse_whitespace_but_refuse_other_controls():
    assert fields.one_line_text("n", " Ada\t King\n", 20, label="Name", collapse=True) == (
        "Ada King"
    )
    assert refused(fields.one_line_text, "n", "Ada\x00", 20, label="Name", collapse=True)


def test_lengths_count_after_trimming_and_name_the_limit():
    assert fields.one_line_text("p", "  " + "1" * 32 + " ", 32, label="Phone") == "1" * 32
    error = refused(fields.one_line_text, "p", "1" * 33, 32, label="Phone")
    assert error.message == "Phone must be at most 32 characters"
    assert refused(fields.one_line_text, "p", " ", 32, label="Phone", required=True).message == (
        "Phone is required"
    )


def test_multiline_text_keeps_line_breaks_and_tabs_only():
    assert fields.multiline_text("note", " a\r\nb\tc ", 10, label="Note") == "a\nb\tc"
    assert "U+0000" in refused(fields.multiline_text, "note", "a\x00", 10, label="Note").message
    assert refused(fields.multiline_text, "note", "x" * 11, 10, label="Note").message == (
        "Note must be at most 10 characters"
    )


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "72", b"72", True, None])
def test_numbers_are_finite_numbers(value):
    error = refused(fields.number, "weight_kg", value, 20, 350, label="Weight", unit="kg")
    assert error.message == "Weight must be a number, 20–350 kg"


@pytest.mark.parametrize("value", [HUGE, MINUS_HUGE, 19.99, 350.01])
def test_numbers_out_of_range_name_the_range_without_overflowing(value):
    error = refused(fields.number, "weight_kg", value, 20, 350, label="Weight", unit="kg")
    assert error.message == "Weight must be 20–350 kg"


def test_a_number_above_an_exclusive_low():
    assert fields.number("dose", 0.5, 0, 10, label="Dose", unit="mg", low_inclusive=False) == 0.5
    error = refused(fields.number, "dose", 0, 0, 10, label="Dose", unit="mg", low_inclusive=False)
    assert error.message == "Dose must be a number above 0 and up to 10 mg"


@pytest.mark.parametrize("value", [5.5, math.nan, math.inf, "5", True])
def test_integers_are_whole_numbers(value):
    error = refused(fields.integer, "pain", value, 0, 10, label="Pain")
    assert error.message == "Pain must be a whole number, 0–10"


def test_integers_in_range_huge_ones_refused_whole_floats_accepted():
    assert fields.integer("pain", 7.0, 0, 10, label="Pain") == 7
    assert type(fields.integer("pain", 7.0, 0, 10, label="Pain")) is int
    assert refused(fields.integer, "pain", 10**5000, 0, 10, label="Pain").message == (
        "Pain must be 0–10"
    )
    assert refused(fields.integer, "spo2", 101, 50, 100, label="SpO2", unit="%").message == (
        "SpO2 must be 50–100%"
    )


def test_datetimes_carry_their_zone_and_come_back_in_utc():
    plus2 = datetime(2026, 3, 2, 16, 0, tzinfo=timezone(timedelta(hours=2)))
    assert fields.aware_datetime("at", plus2, label="Time") == datetime(2026, 3, 2, 14, tzinfo=UTC)
    assert refused(
        fields.aware_datetime, "at", plus2.replace(tzinfo=None), label="Time"
    ).message == ("Time must carry its time zone")
    for value in (date(2026, 3, 2), "2026-03-02T14:00Z", 0, None):
        assert refused(fields.aware_datetime, "at", value, label="Time").field == "at"


def test_dates_are_dates_not_datetimes():
    assert fields.date_only("dob", date(1980, 5, 17), label="Date of birth") == date(1980, 5, 17)
    error = refused(
        fields.date_only, "dob", datetime(1980, 5, 17, tzinfo=UTC), label="Date of birth"
    )
    assert error.message == "Date of birth must be a date (YYYY-MM-DD)"


@pytest.mark.parametrize("value", [0, -1, 2**31, 2**63, HUGE, 1.0, "1", True, None])
def test_record_ids_fit_the_database(value):
    assert refused(fields.record_id, "session_id", value, label="Session").field == "session_id"


def test_the_largest_record_id_is_the_largest_an_integer_column_holds_on_postgresql():
    assert fields.record_id("session_id", 2**31 - 1, label="Session") == 2**31 - 1


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("4", 4.0),
        (" 0,5 ", 0.5),
        ("nan", None),
        ("inf", None),
        ("1e400", None),
        ("", None),
        ("abc", None),
        (None, None),
    ],
)
def test_parse_number_gives_only_finite_numbers(typed, value):
    assert fields.parse_number(typed) == value


def test_negative_zero_is_zero():
    """-0.0 passes a 0–n range; it comes back as 0.0, so the trail and the column agree."""
    assert math.copysign(1, fields.number("x", -0.0, 0, 10, label="X")) == 1
    typed = fields.parse_number("-0")
    assert typed is not None and math.copysign(1, typed) == 1


# -- invisible text: a field made only of characters that print nothing is empty -----------
INVISIBLE = (
    "\u200b",  # zero-width space
    "\u200c\u200d",  # zero-width (non-)joiners
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u200e\u200f",  # bidi marks
    "\u00a0\u2003\u3000",  # no-break, em and ideographic spaces
    "\u3164",  # Hangul filler
    "\u115f\u1160\uffa0",  # more Hangul fillers
    "\u2800",  # Braille blank
    "\u034f",  # combining grapheme joiner
    "\u180e",  # Mongolian vowel separator
)


@pytest.mark.parametrize("blank", INVISIBLE)
def test_a_required_field_of_only_invisible_characters_is_empty(blank):
    error = refused(fields.one_line_text, "n", f" {blank} ", 20, label="Name", required=True)
    assert (error.field, error.message) == ("n", "Name is required")
    assert refused(fields.multiline_text, "r", blank, 20, label="Reason", required=True)
    with pytest.raises(FieldError, match="^A reason is needed$"):
        fields.reason(blank + "\n" + blank, missing="A reason is needed")


@given(
    st.lists(st.sampled_from("".join(INVISIBLE) + " \t"), max_size=8).map("".join),
    st.text(alphabet=st.characters(categories=("L",)), min_size=1, max_size=10),
    st.lists(st.sampled_from("".join(INVISIBLE) + " \t"), max_size=8).map("".join),
)
def test_trimming_removes_only_the_invisible_ends(before, word, after):
    assert fields.trim(before + word + after) == fields.trim(word)
    assert fields.one_line_text("n", before + word + after, 40, label="N", collapse=True) == (
        " ".join(fields.trim(word).split())
    )
    assert fields.trim(before + after) == ""


def test_a_name_must_contain_letters_of_any_script():
    for name in ("Ada King", "李小龍", "Zoë O'Brien-Ríos", "محمد"):
        assert fields.one_line_text("n", name, 40, label="Escort name", letters=True) == name
    for junk in (".", "-", "123", "?!"):
        error = refused(fields.one_line_text, "n", junk, 40, label="Escort name", letters=True)
        assert error.message == f"Escort name must contain letters (found {junk!r})"
    assert fields.one_line_text("n", "\u200b", 40, label="Escort name", letters=True) == ""
