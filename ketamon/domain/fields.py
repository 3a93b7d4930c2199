"""Field validators: the one door every value a user typed goes through before it is stored.

Each takes the field's name (as the UI knows it), the value, and the allowed range or
length, and returns the clean value or raises FieldError whose message names the field
and what is allowed. They check the type first (a service may be called with anything),
then finiteness, whole numbers, lengths and control characters, and never raise anything
but FieldError: not TypeError, ValueError or OverflowError.

The column sizes of the database are defined here, once: storage/models.py declares its
String(n) columns with these constants, so a value accepted here always fits its column
(PostgreSQL refuses one that does not; SQLite would silently keep it).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TypeVar

from ketamon.domain.errors import FieldError

T = TypeVar("T")

# -- column sizes (characters) --------------------------------------------------------------
USERNAME_LENGTH = 64  # app_user.username and every "who" column (created_by, actor, ...)
PERSON_NAME_LENGTH = 200  # patient, user and escort names, the signature's printed name
MRN_LENGTH = 32
CREDENTIALS_LENGTH = 32  # "RN", "MD, PhD"
ROLES_LENGTH = 64
PASSWORD_HASH_LENGTH = 255
CHAIR_NAME_LENGTH = 64
SETTING_KEY_LENGTH = 64
CODE_LENGTH = 16  # enumerated codes: phase, kind, status, unit, route, nausea, ...
SEVERITY_LENGTH = 8
SIDE_EFFECT_KEY_LENGTH = 40
SIDE_EFFECT_NAME_LENGTH = 120
DRUG_NAME_LENGTH = 80
LOT_NUMBER_LENGTH = 64
RELATIONSHIP_LENGTH = 64
PHONE_LENGTH = 32
MEANING_LENGTH = 64  # a signature's meaning ("Reviewed and approved")
HASH_LENGTH = 64  # sha256 hex digests, and 32-byte keys and salts in hex
SIGNATURE_HEX_LENGTH = 128  # an Ed25519 signature in hex
NONCE_HEX_LENGTH = 32  # an AES-GCM nonce in hex (up to 16 bytes)
KDF_PARAMS_LENGTH = 200  # the argon2id parameters of a key, as JSON
AUDIT_ACTION_LENGTH = 32
AUDIT_NAME_LENGTH = 64  # the table and column names on the audit trail
INSTRUMENT_LENGTH = 16  # an outcome questionnaire's name ("PHQ-9")
ANSWERS_LENGTH = 64  # a questionnaire's item answers, comma-separated ("2,1,0,...")
CSSRS_LENGTH = 200  # the C-SSRS screener's answers, as JSON

# -- lengths of free text stored in TEXT columns (no column limit; a sane one) --------------
REASON_LENGTH = 1000
NOTE_LENGTH = 1000
LONG_TEXT_LENGTH = 10_000  # an addendum, the discharge instructions, an allergy list

# Characters that may not appear in one-line text: C0/C1 controls (NUL, tab, newline, ESC,
# DEL, ...), lone surrogates (not storable as UTF-8) and the line/paragraph separators.
_NOT_ONE_LINE = frozenset({"Cc", "Cs", "Zl", "Zp"})
_MULTILINE_ALLOWED = frozenset("\n\t")


def _bad_char(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    for char in text:
        if char not in allowed and unicodedata.category(char) in _NOT_ONE_LINE:
            return char
    return None


# Characters that show nothing: format characters (zero-width space and joiners, the BOM,
# bidi marks), spaces of every width, and the Hangul and Braille blanks and other letters
# or marks that print as nothing. A field made only of them is empty.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc"})
_BLANK_CHARS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e\u17b4\u17b5")


def _invisible(char: str) -> bool:
    return (
        char.isspace()
        or char in _BLANK_CHARS
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
    )


def trim(text: str) -> str:
    """`text` without the whitespace and invisible characters at either end."""
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def has_letters(text: str) -> bool:
    """A letter of any script (a name must have one: "." or "-" is not a name)."""
    return any(unicodedata.category(char).startswith("L") for char in text)


def controls_as_spaces(text: str) -> str:
    """`text` with every control character, separator or lone surrogate made a space."""
    return "".join(" " if unicodedata.category(c) in _NOT_ONE_LINE else c for c in text)


def _require_str(field: str, value: object, label: str) -> str:
    if not isinstance(value, str):
        raise FieldError(field, f"{label} must be text")
    return value


def one_line_text(
    field: str,
    value: object,
    max_length: int,
    *,
    label: str,
    required: bool = False,
    collapse: bool = False,
    letters: bool = False,
) -> str:
    """Text on one line, trimmed (of invisible characters too), of at most `max_length`
    characters, without control characters or line breaks. With `collapse` (names) every
    run of whitespace, tabs and line breaks included, becomes one space; other control
    characters are refused. With `letters` (a person's name) text that is there must
    contain a letter."""
    text = _require_str(field, value, label)
    if collapse:  # tabs and line breaks are spaces here, collapsed with the others
        text = " ".join(text.split())
    bad = _bad_char(text)
    if bad is not None:
        raise FieldError(
            field,
            f"{label} must be one line of text without control characters (found U+{ord(bad):04X})",
        )
    clean = trim(text)
    if required and not clean:
        raise FieldError(field, f"{label} is required")
    if len(clean) > max_length:
        raise FieldError(field, f"{label} must be at most {max_length} characters")
    if letters and clean and not has_letters(clean):
        raise FieldError(field, f"{label} must contain letters (found {clean!r})")
    return clean


def multiline_text(
    field: str, value: object, max_length: int, *, label: str, required: bool = False
) -> str:
    """Free text (notes, reasons): line breaks and tabs allowed (a typed \\r\\n is one line
    break), other control characters not; trimmed (of invisible characters too); at most
    `max_length` characters."""
    text = _require_str(field, value, label).replace("\r\n", "\n")
    bad = _bad_char(text, _MULTILINE_ALLOWED)
    if bad is not None:
        raise FieldError(
            field, f"{label} must not contain control characters (found U+{ord(bad):04X})"
        )
    clean = trim(text)
    if required and not clean:
        raise FieldError(field, f"{label} is required")
    if len(clean) > max_length:
        raise FieldError(field, f"{label} must be at most {max_length} characters")
    return clean


def reason(value: object, *, missing: str, field: str = "reason") -> str:
    """A required reason (for a correction, a void, a pause...): `missing` says what for."""
    text = multiline_text(field, value, REASON_LENGTH, label="Reason")
    if not text:
        raise FieldError(field, missing)
    return text


def optional_reason(value: object, *, field: str = "reason") -> str:
    """A reason that may be empty (given when a rule asks for one)."""
    return multiline_text(field, value, REASON_LENGTH, label="Reason")


def _range(low: float, high: float, unit: str) -> str:
    return f"{low:g}–{high:g}{' ' + unit if unit and unit != '%' else unit}"


def integer(field: str, value: object, low: int, high: int, *, label: str, unit: str = "") -> int:
    """A whole number within low–high (a float holding a whole number is accepted)."""
    allowed = _range(low, high, unit)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(field, f"{label} must be a whole number, {allowed}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise FieldError(field, f"{label} must be a whole number, {allowed}")
    if not low <= value <= high:  # exact for ints of any size: no conversion to float
        raise FieldError(field, f"{label} must be {allowed}")
    return int(value)


def number(
    field: str,
    value: object,
    low: float,
    high: float,
    *,
    label: str,
    unit: str = "",
    low_inclusive: bool = True,
) -> float:
    """A finite number within low–high (above `low` when not `low_inclusive`)."""
    if low_inclusive:
        allowed, not_number = _range(low, high, unit), f"{label} must be a number, "
    else:
        allowed = f"above {low:g} and up to {high:g}{' ' + unit if unit else ''}"
        not_number = f"{label} must be a number "
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(field, not_number + allowed)
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(field, not_number + allowed)
    too_low = value < low if low_inclusive else value <= low
    if too_low or value > high:  # compared before float(): a huge int cannot overflow
        raise FieldError(
            field, (not_number if not low_inclusive else f"{label} must be ") + allowed
        )
    return float(value) + 0.0  # -0.0 is stored and shown as 0


def optional_number(
    field: str,
    value: object,
    low: float,
    high: float,
    *,
    label: str,
    unit: str = "",
    low_inclusive: bool = True,
) -> float | None:
    if value is None:
        return None
    return number(field, value, low, high, label=label, unit=unit, low_inclusive=low_inclusive)


def aware_datetime(field: str, value: object, *, label: str) -> datetime:
    """A datetime that carries its time zone, returned in UTC."""
    if not isinstance(value, datetime):
        raise FieldError(field, f"{label} must be a date and time")
    offset = value.tzinfo.utcoffset(value) if value.tzinfo is not None else None
    if offset is None:
        raise FieldError(field, f"{label} must carry its time zone")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # datetime.min/max moved across the date line
        raise FieldError(field, f"{label} is out of range") from None


def optional_datetime(field: str, value: object, *, label: str) -> datetime | None:
    return None if value is None else aware_datetime(field, value, label=label)


def date_only(field: str, value: object, *, label: str) -> date:
    """A calendar date (a datetime is refused: its time and zone would be dropped)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise FieldError(field, f"{label} must be a date (YYYY-MM-DD)")
    return value


def flag(field: str, value: object, *, label: str, optional: bool = False) -> bool | None:
    """A yes/no answer (None = not answered, where `optional`)."""
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise FieldError(field, f"{label} must be yes or no")
    return value


MAX_RECORD_ID = 2**31  # exclusive


def record_id(field: str, value: object, *, label: str = "Record") -> int:
    """The id of a stored row: a positive integer the database can hold (the id columns
    are INTEGER: 32 bits on PostgreSQL, which refuses a larger one in words no nurse needs;
    found by hypothesis, a chair id of 2**31)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < MAX_RECORD_ID:
        raise FieldError(field, f"{label} id must be a positive whole number")
    return value


def optional_record_id(field: str, value: object, *, label: str = "Record") -> int | None:
    return None if value is None else record_id(field, value, label=label)


def parse_number(text: object) -> float | None:
    """A typed number ("4", "0.5", "4,0"), or None when it is not a finite number
    ("nan", "inf", "1e400", "abc", "")."""
    if not isinstance(text, str):
        return None
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value + 0.0 if math.isfinite(value) else None  # "-0" is 0


def collect(errors: dict[str, str], check: Callable[[], T]) -> T | None:
    """Run one field's check, adding its FieldError to `errors` instead of raising it (so
    a form's every refused field is named at once, as ValidationErrors)."""
    try:
        return check()
    except FieldError as error:
        errors.setdefault(error.field, error.message)
        return None
