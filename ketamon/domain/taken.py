"""The words a nurse reads when what she asked for is already someone else's: a chair with
a patient in it, a registered MRN, a username in use.

One wording whether the other workstation saved an hour ago or a moment ago (a race the
database settled): who has it, who did it and when, in local time with its zone. Within
JUST of now, "was just taken": the nurse could not have seen it on her screen yet.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

JUST = timedelta(minutes=2)


def moment(at: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """ "14:05 CET" today, "2026-03-01 14:05 CET" another day (local time unless tz)."""
    local, today = at.astimezone(tz), now.astimezone(tz)
    return local.strftime("%H:%M %Z" if local.date() == today.date() else "%Y-%m-%d %H:%M %Z")


def _just(at: datetime, now: datetime) -> bool:
    return abs(now - at) <= JUST


def chair_taken(
    chair: str, patient: str, by: str, at: datetime, now: datetime, tz: tzinfo | None = None
) -> str:
    """ "Chair 3 was just taken by Kim Lee (checked in by Jo Rivera, RN at 14:05 CET)"."""
    who = f"(checked in by {by} at {moment(at, now, tz)})"
    if _just(at, now):
        return f"{chair} was just taken by {patient} {who}"
    return f"{chair} already has a patient: {patient} {who}; one active session per chair"


def patient_elsewhere(
    patient: str, chair: str, by: str, at: datetime, now: datetime, tz: tzinfo | None = None
) -> str:
    just = "was just checked in" if _just(at, now) else "is already checked in"
    return f"{patient} {just} at {chair} (by {by} at {moment(at, now, tz)})"


def mrn_taken(
    mrn: str, patient: str, by: str, at: datetime, now: datetime, tz: tzinfo | None = None
) -> str:
    """ "MRN 1234 was just registered for Ada Lovelace (by Jo Rivera, RN at 14:05 CET)"."""
    when = f"(by {by} at {moment(at, now, tz)})"
    if _just(at, now):
        return f"MRN {mrn} was just registered for {patient} {when}"
    return f"MRN {mrn} is already registered for {patient} {when}"


def username_taken(
    username: str, by: str, at: datetime, now: datetime, tz: tzinfo | None = None
) -> str:
    when = f"(by {by} at {moment(at, now, tz)})"
    if _just(at, now):
        return f"Username {username!r} was just added {when}"
    return f"Username {username!r} is already taken {when}"
