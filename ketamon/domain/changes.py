"""What a committed unit of work changed, and who started it (after Anki's OpChanges).

A `Change` is named once, where every write passes (the audit layer sees each flushed
row), so no write can forget or misname it. The screens refresh only what it touches; the
screen that started it (`initiator`) already shows its result and is not refreshed twice.
Changes from other workstations come through the same channel: `to_json`/`from_json` carry
everything but the initiator, a UI object that means nothing elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum

LOCAL = "local"  # origin of a change made at this workstation


class Kind(Enum):
    PHASE = "phase"
    VITALS = "vitals"
    SIDE_EFFECTS = "side_effects"
    MEDICATIONS = "medications"
    DOSE = "dose"
    CHECKLIST = "checklist"
    SIGNATURE = "signature"
    PATIENT = "patient"
    SETTINGS = "settings"
    CHAIRS = "chairs"
    USERS = "users"
    OUTCOMES = "outcomes"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Kind.PHASE: "Phase",
    Kind.VITALS: "Vitals",
    Kind.SIDE_EFFECTS: "Side effects",
    Kind.MEDICATIONS: "Medications",
    Kind.DOSE: "Dose",
    Kind.CHECKLIST: "Discharge checklist",
    Kind.SIGNATURE: "Signature",
    Kind.PATIENT: "Patient details",
    Kind.SETTINGS: "Clinic settings",
    Kind.CHAIRS: "Chairs",
    Kind.USERS: "Users",
    Kind.OUTCOMES: "Outcome scores",
}

# Kinds that belong to no one session: every screen showing them follows.
CLINIC_WIDE = frozenset({Kind.SETTINGS, Kind.CHAIRS, Kind.USERS})


@dataclass(frozen=True)
class Change:
    sessions: frozenset[int] = frozenset()  # infusion sessions touched
    kinds: frozenset[Kind] = frozenset()
    patients: frozenset[int] = frozenset()
    by: str = ""  # username of the acting user
    initiator: object | None = field(default=None, compare=False)  # the UI object, or None
    origin: str = LOCAL  # "local", or the workstation it came from

    def __bool__(self) -> bool:
        return bool(self.kinds or self.sessions or self.patients)

    def touches(self, session_id: int | None = None, *kinds: Kind) -> bool:
        """Whether this change concerns `session_id` (None: any session, or none) and, if
        kinds are named, one of them. A clinic-wide change (settings, chairs, users)
        concerns every session."""
        if kinds and not self.kinds.intersection(kinds):
            return False
        if session_id is None:
            return bool(self)
        return session_id in self.sessions or bool(self.kinds & CLINIC_WIDE)

    def started_by(self, obj: object) -> bool:
        """Whether `obj` (a window, a dialog) started this change: it shows the result."""
        return obj is not None and self.initiator is obj

    def with_initiator(self, initiator: object | None) -> Change:
        return replace(self, initiator=initiator)

    def to_json(self) -> str:
        return json.dumps(
            {
                "sessions": sorted(self.sessions),
                "kinds": sorted(k.value for k in self.kinds),
                "patients": sorted(self.patients),
                "by": self.by,
                "origin": self.origin,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str, *, origin: str | None = None) -> Change:
        """A change read back (from another workstation: `origin` names it); no initiator."""
        data = json.loads(text)
        return cls(
            frozenset(int(i) for i in data.get("sessions", ())),
            frozenset(Kind(k) for k in data.get("kinds", ())),
            frozenset(int(i) for i in data.get("patients", ())),
            str(data.get("by", "")),
            None,
            origin if origin is not None else str(data.get("origin", LOCAL)),
        )


def everything(origin: str) -> Change:
    """A change that concerns every screen: each reloads all it shows (a workstation whose
    news of other workstations' changes may have missed some, or that is too long to tell)."""
    return Change(kinds=frozenset(Kind), origin=origin)


def merge(changes: Iterable[Change]) -> Change:
    """One change covering several (one user action that took several units of work). The
    first initiator, acting user and origin found are kept."""
    items = list(changes)
    if not items:
        return Change()
    return Change(
        frozenset().union(*(c.sessions for c in items)),
        frozenset().union(*(c.kinds for c in items)),
        frozenset().union(*(c.patients for c in items)),
        next((c.by for c in items if c.by), ""),
        next((c.initiator for c in items if c.initiator is not None), None),
        items[0].origin,
    )
