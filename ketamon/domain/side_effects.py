"""Side effects: the clinic's catalog of checkboxes, and the rules for recording them.

The catalog is a clinic setting (defaults from CLINICAL.md). Entries are never removed,
only retired, and a recorded side effect keeps the name it had, so old records read right.
"""

from __future__ import annotations

from dataclasses import dataclass


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
