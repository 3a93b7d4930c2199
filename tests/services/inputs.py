"""What the input property tests share: strategies for anything a caller might pass (None,
text with control characters, bytes, NaN, ±inf, huge integers, naive datetimes, dates for
datetimes and datetimes for dates), the one rule every call must obey (answer, or refuse
with a DomainError), and a check of every stored column against its declared type."""

from __future__ import annotations

import math
import unicodedata
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Date, Float, Integer, String, Text, select

from ketamon.domain.errors import DomainError, FieldError, ValidationErrors
from ketamon.storage.types import UTCDateTime

# Each test shares one clinic database across its examples (building one per example would
# cost a migration each), so state carries over: the tests are written for that.
PROPERTIES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HUGE = st.sampled_from([10**5000, -(10**5000), 2**63, -(2**63) - 1, 2**64, 10**400])
NAUGHTY_CHARS = st.sampled_from(
    ["\x00", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\ud800", "%", "_"]
)
NAUGHTY_TEXT = st.lists(st.one_of(st.characters(), NAUGHTY_CHARS), max_size=12).map("".join)
LONG_TEXT = st.integers(1, 12).map(lambda n: "x" * (n * 40))  # 40 to 480 characters
NAIVE = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1))
FLOATS = st.floats(allow_nan=True, allow_infinity=True)

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE,
    FLOATS,
    st.sampled_from([math.nan, math.inf, -math.inf, 5.5, -0.0, 1e308]),
    st.text(max_size=20),
    NAUGHTY_TEXT,
    LONG_TEXT,
    st.binary(max_size=8),
    st.dates(),
    NAIVE,
    st.lists(st.integers(), max_size=2),
)


def mixed(valid: st.SearchStrategy) -> st.SearchStrategy:
    """A valid value or, as often, junk (for a test of one or two fields)."""
    return st.one_of(valid, JUNK)


def entries(**valid: st.SearchStrategy) -> st.SearchStrategy:
    """field -> value: every value valid, or one or two of them junk (so that many calls
    succeed and their rows are read back, and each refusal can be traced to its field)."""
    return st.tuples(
        st.fixed_dictionaries(valid),
        st.fixed_dictionaries(dict.fromkeys(valid, JUNK)),
        st.sets(st.sampled_from(sorted(valid)), max_size=2),
    ).map(lambda t: {k: t[1][k] if k in t[2] else t[0][k] for k in valid})  # in order


# What the fields keep of typed text, stated here apart from ketamon.domain.fields: no
# whitespace or character that shows nothing (format characters such as the soft hyphen
# and zero-width space, spaces, controls, the Hangul and Braille blanks) at either end.
_SHOWS_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e\u17b4\u17b5")


def _shows_nothing(char: str) -> bool:
    return (
        char.isspace()
        or char in _SHOWS_NOTHING
        or unicodedata.category(char) in {"Cf", "Cc", "Zs", "Zl", "Zp"}
    )


def visible(text: str) -> str:
    """`text` as a field stores it: what shows nothing cut from both ends."""
    chars = list(text)
    while chars and _shows_nothing(chars[0]):
        chars.pop(0)
    while chars and _shows_nothing(chars[-1]):
        chars.pop()
    return "".join(chars)


def name_as_stored(text: str) -> str:
    """A name as stored: each run of whitespace one space, then `visible`."""
    return visible(" ".join(text.split()))


def text_like(*examples: str) -> st.SearchStrategy:
    """Valid text for a field: the examples as typed, with stray spaces, or in any script."""
    base = st.sampled_from(examples)
    return st.one_of(
        base,
        base.map(lambda t: f"  {t} "),
        st.text(st.characters(categories=["L", "N", "Zs", "P"]), max_size=20),
    )


def aware_between(low: datetime, high: datetime) -> st.SearchStrategy:
    return st.datetimes(
        min_value=low.replace(tzinfo=None), max_value=high.replace(tzinfo=None)
    ).map(lambda d: d.replace(tzinfo=UTC))


@contextmanager
def answers_or_refuses():
    """A service call either answers or raises DomainError (a FieldError or ValidationErrors
    naming the field, or a rule's refusal): never TypeError, ValueError, OverflowError,
    AttributeError or a database error. Yields a list holding True when the call answered."""
    outcome: list[bool] = []
    try:
        yield outcome
    except DomainError as refusal:
        assert str(refusal), "a refusal says why"
        outcome.clear()
    else:
        outcome.append(True)


REFUSED = (FieldError, ValidationErrors)


def named_fields(error: DomainError) -> set[str]:
    """The fields a FieldError or ValidationErrors names."""
    if isinstance(error, ValidationErrors):
        return set(error.errors)
    assert isinstance(error, FieldError), error
    return {error.field}


def _one_line(value: str) -> bool:
    return not any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in value)


def _multiline(value: str) -> bool:
    return not any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" for c in value)


def check_value(column, value: object) -> None:
    """`value`, read back from `column`, is what the column declares (SQLite would keep a
    BLOB in a text column, 5.5 in an integer one, 300 characters in a VARCHAR(32))."""
    name = f"{column.table.name}.{column.name}"
    if value is None:
        assert column.nullable, f"{name} is NULL"
        return
    kind = column.type
    if isinstance(kind, String) and not isinstance(kind, Text):
        assert isinstance(value, str), f"{name} holds {type(value).__name__}"
        assert len(value) <= kind.length, f"{name}: {len(value)} > {kind.length} characters"
        assert _one_line(value), f"{name} holds a control character: {value!r}"
    elif isinstance(kind, Text):
        assert isinstance(value, str), f"{name} holds {type(value).__name__}"
        assert _multiline(value), f"{name} holds a control character: {value!r}"
    elif isinstance(kind, Boolean):
        assert isinstance(value, bool), f"{name} holds {value!r}"
    elif isinstance(kind, Integer):
        assert isinstance(value, int) and not isinstance(value, bool), f"{name} holds {value!r}"
    elif isinstance(kind, Float):
        assert isinstance(value, float) and math.isfinite(value), f"{name} holds {value!r}"
    elif isinstance(kind, UTCDateTime):
        assert isinstance(value, datetime) and value.utcoffset() == timedelta(0), name
    elif isinstance(kind, Date):
        assert isinstance(value, date) and not isinstance(value, datetime), name


def stored_rows(clinic, model, **where) -> list[dict]:
    """The rows of `model` matching `where`, read fresh from the database, each column
    checked against its declared type, size and characters."""
    table = model.__table__
    with clinic.db.transaction(write=False) as session:
        query = select(table)
        for key, value in where.items():
            query = query.where(table.c[key] == value)
        rows = [dict(r) for r in session.execute(query).mappings()]
    for row in rows:
        for column in table.columns:
            check_value(column, row[column.name])
    return rows
