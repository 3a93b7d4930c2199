"""The clock time a nurse types for when something happened at the chair, read once.

Vitals "Time taken", a medication's "Time given", a side effect's onset and resolution all
read what is typed the same way, relative to an injected `now` and the clinic's local zone
(`tz`; None: this computer's zone), on today's date:

- ""  or "now" (any case, spaces around ignored): now; returned as None, so the service
  stamps its own clock;
- "-10": that many whole minutes ago (1 to 3 digits, a space after the minus allowed);
- "14:05", "9:05", "1405", "905" (and "14.05", "14h05"): today at that local time, hours
  0-23, minutes 00-59, seconds zero.

A time later than `now` is refused (a time today that has not come yet is a typing slip,
never "yesterday"); so is anything else. Refusals are FieldError naming the field and the
allowed forms, so the dialog shows them under the field.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

from ketamon.domain.errors import FieldError

_MINUTES_AGO = re.compile(r"-\s*(\d{1,3})")
_CLOCK = re.compile(r"(\d{1,2})[:.h]?(\d{2})")
_HOURS = 24
_MINUTES = 60


def allowed_forms(what: str) -> str:
    """The refusal for an unreadable time: "Time taken: type HH:MM (e.g. 14:05), ...\"."""
    return f"{what}: type HH:MM (e.g. 14:05), or -10 for ten minutes ago"


def parse_clinical_time(
    text: str, now: datetime, field: str, what: str, tz: tzinfo | None = None
) -> datetime | None:
    """What `text` says, as an aware datetime, or None for now. `field` names the input
    (FieldError.field), `what` is its label in the message ("Time taken")."""
    if now.tzinfo is None:
        raise ValueError(f"naive now {now!r}: the clinical time needs a time zone")
    typed = text.strip()
    if not typed or typed.lower() == "now":
        return None
    ago = _MINUTES_AGO.fullmatch(typed)
    if ago:
        return now - timedelta(minutes=int(ago[1]))
    clock = _CLOCK.fullmatch(typed)
    if clock is None or int(clock[1]) >= _HOURS or int(clock[2]) >= _MINUTES:
        raise FieldError(field, allowed_forms(what))
    local = now.astimezone(tz)
    at = local.replace(hour=int(clock[1]), minute=int(clock[2]), second=0, microsecond=0)
    if at > now:
        raise FieldError(field, f"{what} cannot be in the future ({typed} has not come yet)")
    return at
