"""The vitals popup's fields (labels, hints, tooltips) and the words it shows for what was
typed and saved: kept apart from the dialog (ketamon.ui.vitals_entry) so each reads in one
sitting. The hints in empty fields are ranges from the domain's limits ("20–300"), never a
plausible value that could pass for one typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamon.domain.vitals import (
    DISSOCIATION_LEVELS,
    MOAAS_LEVELS,
    Band,
    Grade,
    VitalsSet,
    default_bands,
    dissociation_words,
    moaas_words,
    range_hint,
)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    placeholder: str
    tooltip: str


CORE = (
    FieldSpec("bp", "BP (mmHg)", "sys/dia", "Blood pressure as systolic/diastolic, e.g. 128/84"),
    FieldSpec("heart_rate", "HR (/min)", range_hint("heart_rate"), "Heart rate, beats per minute"),
    FieldSpec("spo2", "SpO2 (%)", range_hint("spo2"), "Oxygen saturation, percent"),
    FieldSpec(
        "resp_rate", "RR (/min)", range_hint("resp_rate"), "Respiratory rate, breaths per minute"
    ),
)
OPTIONAL = (
    FieldSpec("temperature", "Temp (°C)", "optional", "Temperature in °C, e.g. 36.8"),
    FieldSpec("pain", "Pain 0–10", "optional", "Pain score: 0 none … 10 worst imaginable"),
)
SCORES = (
    FieldSpec(
        "sedation",
        "MOAA/S 0–5",
        "optional",
        "MOAA/S (Modified Observer's Assessment of Alertness/Sedation):\n"
        + "\n".join(f"{level}: {words}" for level, words in MOAAS_LEVELS),
    ),
    FieldSpec(
        "dissociation",
        "Dissociation 0–3",
        "optional",
        "Clinician-rated dissociation: "
        + " · ".join(f"{level} {words}" for level, words in DISSOCIATION_LEVELS),
    ),
    FieldSpec("cadss", "CADSS 0–92", "optional", "CADSS total score (0–92), where administered"),
)
NOTE = FieldSpec("note", "Note", "optional", "A short note about this set")
TAKEN = FieldSpec(
    "taken_at",
    "Time taken",
    "empty: now",
    "Empty: now. Or the time it was taken, HH:MM (e.g. 14:05), or -10 for ten minutes ago."
    " Never in the future, never before check-in.",
)
GRADE_NAMES = {Grade.NORMAL: "normal", Grade.AMBER: "amber", Grade.RED: "red"}


def saved_values(vitals_set: VitalsSet) -> list[tuple[str, str, Grade]]:
    """(key, "SpO2 89%", grade) for each value of a saved set, BP as one value."""
    v, grades = vitals_set.values, vitals_set.grades
    out = []
    if v.systolic is not None:
        out.append(
            (
                "bp",
                f"BP {v.systolic}/{v.diastolic}",
                max(grades.get("systolic", Grade.NORMAL), grades.get("diastolic", Grade.NORMAL)),
            )
        )
    for key, text in (
        ("heart_rate", "HR {}"),
        ("spo2", "SpO2 {}%"),
        ("resp_rate", "RR {}"),
        ("temperature", "Temp {} °C"),
        ("pain", "Pain {}/10"),
        ("sedation", "MOAA/S {}"),
        ("dissociation", "Dissociation {}"),
        ("cadss", "CADSS {}"),
    ):
        value = getattr(v, key)
        if value is not None:
            shown = text.format(f"{value:g}")
            if key == "dissociation":
                shown += f" ({dissociation_words(value)})"
            if key == "spo2" and vitals_set.scale2:
                shown += " (scale 2)"  # graded on the patient's NEWS2 scale 2
            out.append((key, shown, grades.get(key, Grade.NORMAL)))
    return out


def score_words(key: str, text: str, bands: dict[str, Band] | None = None) -> str:
    """What a typed MOAA/S or dissociation level means ("2 · responds only after mild
    prodding or shaking · AMBER"), "" while empty, or the allowed range if not a level."""
    typed = text.strip()
    if not typed:
        return ""
    levels = MOAAS_LEVELS if key == "sedation" else DISSOCIATION_LEVELS
    if not typed.isdecimal() or int(typed) not in dict(levels):
        top = max(dict(levels))
        return f"type a level 0–{top}"
    level = int(typed)
    if key == "dissociation":
        return f"{level} · {dissociation_words(level)}"
    words = f"{level} · {moaas_words(level)}"
    band = (bands if bands is not None else default_bands()).get("sedation")
    grade = band.grade(level) if band is not None else Grade.NORMAL
    return words if grade is Grade.NORMAL else f"{words} · {grade.label}"
