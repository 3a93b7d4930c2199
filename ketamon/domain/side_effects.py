"""Side effects: the clinic's catalog of checkboxes, and the rules for recording them.

The catalog is a clinic setting (defaults from CLINICAL.md). Entries are never removed,
only retired, and a recorded side effect keeps the name it had, so old records read right.

A ticked side effect has an onset time (not before check-in, never in the future), a
severity (mild by default, changeable later), an optional resolution time (not before the
onset, never in the future) and a note. A severe one that is current and not yet
acknowledged puts an alert on the chair tile, in words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from ketamon.domain import fields
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.statuses import RecordStatus


@dataclass(frozen=True)
class SideEffectKind:
    key: str
    name: str
    retired: bool = False
    free_text: bool = False  # "other": the nurse says what


DEFAULT_SIDE_EFFECTS: tuple[SideEffectKind, ...] = (
    SideEffectKind("nausea", "Nausea"),
    SideEffectKind("vomiting", "Vomiting"),
    SideEffectKind("dizziness", "Dizziness"),
    SideEffectKind("headache", "Headache"),
    SideEffectKind("blurred_vision", "Blurred vision"),
    SideEffectKind("diplopia_nystagmus", "Diplopia / nystagmus"),
    SideEffectKind("dissociation", "Dissociation"),
    SideEffectKind("hallucinations", "Hallucinations / perceptual disturbance"),
    SideEffectKind("anxiety", "Anxiety"),
    SideEffectKind("emergence", "Dysphoria / agitation (emergence reaction)"),
    SideEffectKind("elevated_bp", "Elevated BP"),
    SideEffectKind("tachycardia", "Tachycardia"),
    SideEffectKind("sedation", "Sedation / somnolence"),
    SideEffectKind("taste_change", "Taste change"),
    SideEffectKind("paresthesia", "Numbness / paresthesia"),
    SideEffectKind("hypersalivation", "Hypersalivation"),
    SideEffectKind("speech", "Difficulty speaking"),
    SideEffectKind("other", "Other", free_text=True),
)

MAX_NAME_LENGTH = fields.SIDE_EFFECT_NAME_LENGTH  # SideEffectRow.label
MAX_KEY_LENGTH = fields.SIDE_EFFECT_KEY_LENGTH  # SideEffectRow.kind_key
MAX_OTHER_LENGTH = 200
MAX_NOTE_LENGTH = fields.NOTE_LENGTH


def catalog_from_stored(stored: object) -> tuple[SideEffectKind, ...]:
    """The catalog from its JSON form (a list of objects)."""
    return tuple(
        SideEffectKind(
            key=str(item["key"]),
            name=str(item["name"]),
            retired=bool(item.get("retired", False)),
            free_text=bool(item.get("free_text", False)),
        )
        for item in stored  # type: ignore[attr-defined]
    )


def catalog_to_stored(catalog: Sequence[SideEffectKind]) -> list[dict[str, object]]:
    """The JSON form of the catalog (the clinic_setting row 'side_effect_catalog')."""
    return [
        {"key": k.key, "name": k.name, "retired": k.retired, "free_text": k.free_text}
        for k in catalog
    ]


# -- the catalog: add, rename, retire (a new tuple each time; keys never change) ----------
def _clean_name(name: object) -> str:
    return fields.one_line_text(
        "name", name, MAX_NAME_LENGTH, label="Side effect name", required=True, collapse=True
    )


def _check_unique_name(catalog: Sequence[SideEffectKind], name: str, key: str = "") -> None:
    for kind in catalog:
        if kind.key != key and not kind.retired and kind.name.casefold() == name.casefold():
            raise FieldError("name", f"{name!r} is already on the side effects list")


def key_for(name: str, taken: set[str]) -> str:
    """A stable key for a new entry, from its name and unique among `taken`."""
    base = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")[: MAX_KEY_LENGTH - 4]
    base = base or "effect"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def find_kind(catalog: Sequence[SideEffectKind], key: object) -> SideEffectKind:
    fields.one_line_text("kind_key", key, MAX_KEY_LENGTH, label="Side effect key")
    for kind in catalog:
        if kind.key == key:
            return kind
    raise DomainError(f"There is no side effect {key!r} on the clinic's list")


def add_kind(catalog: Sequence[SideEffectKind], name: str) -> tuple[SideEffectKind, ...]:
    """Add an entry at the end; it gets a new key never used before in this catalog.
    (Adding back the name of a retired entry brings that entry back instead.)"""
    clean = _clean_name(name)
    _check_unique_name(catalog, clean)
    for kind in catalog:
        if kind.retired and kind.name.casefold() == clean.casefold():
            return tuple(replace(k, retired=False) if k is kind else k for k in catalog)
    new = SideEffectKind(key_for(clean, {k.key for k in catalog}), clean)
    return (*catalog, new)


def rename_kind(
    catalog: Sequence[SideEffectKind], key: str, name: str
) -> tuple[SideEffectKind, ...]:
    """A new name, same key: records already made keep the name they had."""
    find_kind(catalog, key)
    clean = _clean_name(name)
    _check_unique_name(catalog, clean, key)
    return tuple(replace(k, name=clean) if k.key == key else k for k in catalog)


def retire_kind(catalog: Sequence[SideEffectKind], key: str) -> tuple[SideEffectKind, ...]:
    """No longer offered for new ticks; stays in the catalog and on old records."""
    find_kind(catalog, key)
    return tuple(replace(k, retired=True) if k.key == key else k for k in catalog)


def validate_catalog(catalog: Sequence[SideEffectKind]) -> None:
    keys = [k.key for k in catalog]
    if len(set(keys)) != len(keys):
        raise FieldError("side_effect_catalog", "Side effect keys must be unique")
    for kind in catalog:
        if (
            not isinstance(kind.key, str)
            or not kind.key
            or len(kind.key) > MAX_KEY_LENGTH
            or fields.controls_as_spaces(kind.key) != kind.key
        ):
            raise FieldError("side_effect_catalog", "Bad side effect key")
        _clean_name(kind.name)


# -- recording -----------------------------------------------------------------------------
class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return self.value.upper() if self is Severity.SEVERE else self.value.capitalize()


@dataclass(frozen=True)
class SideEffect:
    """One ticked side effect, as recorded (immutable snapshot of a SideEffectRow)."""

    id: int
    session_id: int
    kind_key: str
    label: str  # the catalog name when it was ticked
    other_text: str
    onset_at: datetime
    severity: Severity
    resolved_at: datetime | None
    note: str
    entered_by: str
    status: RecordStatus  # current or voided
    status_reason: str = ""
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    # A physician's documented decision to let the patient go with this SEVERE effect open.
    physician_decision: str = ""
    physician_decision_by: str | None = None
    physician_decision_at: datetime | None = None
    version: int = 0  # the stored row's (storage/versions.py): passed back with a change

    @property
    def display_name(self) -> str:
        if self.other_text:
            return f"{self.label}: {self.other_text}"
        return self.label

    @property
    def current(self) -> bool:
        return self.status == RecordStatus.CURRENT

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def severe_open(self) -> bool:
        """Not voided, SEVERE and not resolved: it blocks discharge without a physician's
        documented decision."""
        return self.current and self.severity is Severity.SEVERE and not self.resolved

    @property
    def physician_decided(self) -> bool:
        return bool(self.physician_decision) and self.physician_decision_by is not None

    @property
    def needs_acknowledgement(self) -> bool:
        """A severe side effect, not voided, that nobody has acknowledged yet."""
        return self.current and self.severity is Severity.SEVERE and self.acknowledged_by is None


SEVERITY_ORDER = (Severity.MILD, Severity.MODERATE, Severity.SEVERE)


def check_severity_change(effect: SideEffect, severity: Severity, reason: object) -> str:
    """The reason (cleaned) a change of severity needs, "" when none is needed.

    Raising the severity is a new observation (the patient got worse): no reason. Lowering
    it says the earlier grade was wrong or is over, and the grade feeds the alert on the
    board and the discharge checks (a SEVERE one open blocks discharge): it is a correction,
    and a correction keeps who, when and why."""
    clean = fields.optional_reason(reason)
    if SEVERITY_ORDER.index(severity) >= SEVERITY_ORDER.index(effect.severity):
        return clean
    if not clean:
        raise FieldError(
            "reason",
            f"A reason is required to lower the severity of {effect.display_name} from "
            f"{effect.severity.value} to {severity.value}",
        )
    return clean


def check_onset(onset_at: datetime, checked_in_at: datetime, now: datetime) -> datetime:
    if onset_at > now:
        raise FieldError("onset_at", "Onset time cannot be in the future")
    if onset_at < checked_in_at:
        raise FieldError("onset_at", "Onset time cannot be before the patient checked in")
    return onset_at


def check_resolution(resolved_at: datetime, onset_at: datetime, now: datetime) -> datetime:
    if resolved_at > now:
        raise FieldError("resolved_at", "Resolution time cannot be in the future")
    if resolved_at < onset_at:
        raise FieldError("resolved_at", "Resolution time cannot be before the onset")
    return resolved_at


def check_other_text(kind: SideEffectKind, other_text: object) -> str:
    """Free-text kinds ("Other") need the nurse to say what; others take no text."""
    text = fields.one_line_text(
        "other_text",
        other_text,
        MAX_OTHER_LENGTH,
        label=f"{kind.name}: the description",
        collapse=True,
    )
    if not kind.free_text:
        return ""
    if not text:
        raise FieldError("other_text", f"{kind.name}: say what the side effect is")
    return text


def check_note(note: object) -> str:
    return fields.multiline_text("note", note, MAX_NOTE_LENGTH, label="Note")


def check_can_tick(kind: SideEffectKind, existing: Sequence[SideEffect]) -> None:
    """A retired kind is not offered; a kind ticked and unresolved cannot be ticked again.
    After it resolves it may recur (a new entry)."""
    if kind.retired:
        raise DomainError(f"{kind.name} is retired from the side effects list")
    for effect in existing:
        if effect.current and effect.kind_key == kind.key and not effect.resolved:
            raise DomainError(
                f"{effect.display_name} is already ticked and not resolved: "
                "resolve it first, or change the entry"
            )


MAX_DECISION_LENGTH = fields.REASON_LENGTH


def check_physician_decision(effect: SideEffect, decision: object) -> str:
    """A physician's decision is documented on a SEVERE side effect that is still open, once;
    its text is required (returned clean)."""
    text = fields.multiline_text(
        "physician_decision", decision, MAX_DECISION_LENGTH, label="The physician's decision"
    )
    if not effect.current:
        raise DomainError(f"{effect.display_name} was voided: no decision can be recorded on it")
    if effect.severity is not Severity.SEVERE:
        raise DomainError(
            f"{effect.display_name} is {effect.severity.value}: only a SEVERE side effect "
            "needs a physician's decision"
        )
    if effect.resolved:
        raise DomainError(f"{effect.display_name} is resolved: no decision is needed")
    if effect.physician_decided:
        raise DomainError(
            f"{effect.display_name} already has a physician's decision "
            f"(by {effect.physician_decision_by})"
        )
    if not text:
        raise FieldError(
            "physician_decision",
            "The physician's decision is required: what was decided, and why the patient may "
            "leave with it",
        )
    return text


def severe_alert_text(effects: Sequence[SideEffect]) -> str:
    """ "SEVERE SIDE EFFECT: Vomiting" (names every one needing acknowledgement), or ""."""
    names = []
    for effect in sorted(effects, key=lambda e: e.onset_at):
        if effect.needs_acknowledgement and effect.display_name not in names:
            names.append(effect.display_name)
    if not names:
        return ""
    plural = "S" if len(names) > 1 else ""
    return f"SEVERE SIDE EFFECT{plural}: {', '.join(names)}"
