"""Patient registration and correction rules, and the patient's allergy status.

Allergy status is explicit: a list typed by the nurse, "No known drug allergies" ticked
as a deliberate answer, or neither, which is "Allergies not recorded" and is shown as a
warning wherever the patient's details are shown. `allergy_text` gives the words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, tzinfo
from enum import IntEnum, StrEnum

from ketamon.domain import fields
from ketamon.domain.errors import DomainError, FieldError, ValidationErrors

MIN_WEIGHT_KG = 20.0
MAX_WEIGHT_KG = 350.0
EARLIEST_BIRTH_YEAR = 1900
MAX_MRN_LENGTH = fields.MRN_LENGTH
MAX_NAME_LENGTH = fields.PERSON_NAME_LENGTH


@dataclass(frozen=True)
class PatientDraft:
    """What a nurse types when registering a patient."""

    mrn: str
    full_name: str
    date_of_birth: date | None
    weight_kg: float | None
    allergies: str = ""
    no_known_allergies: bool = False  # the nurse's explicit "No known drug allergies"
    spo2_scale2: bool = False  # NEWS2 SpO2 scale 2 (hypercapnic; a physician's decision)


class AllergyStatus(StrEnum):
    RECORDED = "recorded"  # allergies listed
    NONE_KNOWN = "none_known"  # "No known drug allergies", ticked by the nurse
    NOT_RECORDED = "not_recorded"  # neither: a warning

    @property
    def warning(self) -> bool:
        """Whether the status should stand out: allergies to heed, or none recorded."""
        return self is not AllergyStatus.NONE_KNOWN


NKDA_TEXT = "No known drug allergies"
NOT_RECORDED_TEXT = "ALLERGIES NOT RECORDED: ask the patient before giving any drug"


def allergy_status(allergies: str, no_known_allergies: bool) -> AllergyStatus:
    if fields.trim(allergies):  # only invisible characters: nothing recorded
        return AllergyStatus.RECORDED
    return AllergyStatus.NONE_KNOWN if no_known_allergies else AllergyStatus.NOT_RECORDED


def allergy_text(allergies: str, no_known_allergies: bool) -> str:
    """The words shown everywhere (session header, check-in, Give medication, summary):
    "ALLERGIES: Penicillin (rash); Latex", "No known drug allergies", or the warning
    "ALLERGIES NOT RECORDED: ...". Several lines are joined with "; "."""
    status = allergy_status(allergies, no_known_allergies)
    if status is AllergyStatus.RECORDED:
        items = [fields.trim(line) for line in allergies.splitlines() if fields.trim(line)]
        return "ALLERGIES: " + "; ".join(items)
    return NKDA_TEXT if status is AllergyStatus.NONE_KNOWN else NOT_RECORDED_TEXT


@dataclass(frozen=True)
class Patient:
    id: int
    mrn: str
    full_name: str
    date_of_birth: date
    weight_kg: float
    allergies: str
    no_known_allergies: bool = False
    spo2_scale2: bool = False
    version: int = 0  # the stored row's (storage/versions.py): passed back with a correction

    @property
    def allergy_status(self) -> AllergyStatus:
        return allergy_status(self.allergies, self.no_known_allergies)

    @property
    def allergy_text(self) -> str:
        return allergy_text(self.allergies, self.no_known_allergies)

    def as_draft(self) -> PatientDraft:
        """The patient's details as a form holds them (to correct them)."""
        return PatientDraft(
            self.mrn,
            self.full_name,
            self.date_of_birth,
            self.weight_kg,
            self.allergies,
            self.no_known_allergies,
            self.spo2_scale2,
        )


# What a nurse might type for "none" in the allergies field: the checkbox says it instead,
# so "None" is never shown as if it were an allergy.
_NONE_TYPED = frozenset(
    {
        "none", "nil", "no", "nkda", "nka", "nkma", "n/a", "na", "-", "--", "0",
        "none known", "no known allergies", "no known drug allergies", "no allergies",
        "no allergy", "no drug allergies", "not known", "nothing",
    }
)  # fmt: skip


def validate_patient(draft: PatientDraft, today: date) -> PatientDraft:
    """Return a cleaned draft or raise ValidationErrors naming each refused field."""
    errors: dict[str, str] = {}
    mrn = fields.collect(
        errors,
        lambda: fields.one_line_text("mrn", draft.mrn, MAX_MRN_LENGTH, label="MRN", required=True),
    )
    name = fields.collect(
        errors,
        lambda: fields.one_line_text(
            "full_name",
            draft.full_name,
            MAX_NAME_LENGTH,
            label="Full name",
            required=True,
            collapse=True,
            letters=True,
        ),
    )
    dob = fields.collect(errors, lambda: _date_of_birth(draft.date_of_birth, today))
    weight = fields.collect(errors, lambda: _weight(draft.weight_kg))
    allergies = fields.collect(
        errors,
        lambda: fields.multiline_text(
            "allergies", draft.allergies, fields.LONG_TEXT_LENGTH, label="Allergies"
        ),
    )
    nkda = fields.collect(
        errors,
        lambda: fields.flag(
            "no_known_allergies", draft.no_known_allergies, label="No known drug allergies"
        ),
    )
    scale2 = fields.collect(
        errors, lambda: fields.flag("spo2_scale2", draft.spo2_scale2, label="SpO2 scale 2")
    )
    if allergies and allergies.strip(" .!").casefold() in _NONE_TYPED:
        errors.setdefault(
            "allergies",
            f"Allergies: “{allergies}” is not an allergy. Leave the field empty and tick "
            "“No known drug allergies” instead",
        )
    elif allergies and nkda:
        errors.setdefault(
            "no_known_allergies",
            "Allergies are listed and “No known drug allergies” is ticked: clear one of the two",
        )
    if errors:
        raise ValidationErrors(errors)
    return PatientDraft(mrn, name, dob, weight, allergies, nkda, scale2)  # type: ignore[arg-type]


CORRECTABLE = (
    "full_name",
    "date_of_birth",
    "weight_kg",
    "allergies",
    "no_known_allergies",
    "spo2_scale2",
)
FIELD_LABELS = {
    "mrn": "MRN",
    "full_name": "Full name",
    "date_of_birth": "Date of birth",
    "weight_kg": "Weight (kg)",
    "allergies": "Allergies",
    "no_known_allergies": "No known drug allergies",
    "spo2_scale2": "SpO2 scale 2",
}


MRN_CHARACTERS = "letters A–Z, digits, dashes, dots, slashes or underscores, no spaces"


def validate_new_patient(draft: PatientDraft, today: date) -> PatientDraft:
    """A registration: validate_patient, and an MRN that cannot pass for another one.

    The MRN is the patient's identity across every record, so a new one is written in
    characters that look like themselves only: "MRN\u200b1001" (a zero-width space),
    "MRN\u00a01001" (a no-break space) or "MRN１００１" (fullwidth digits) all print as
    MRN1001 and would open a second chart for the same patient. Fullwidth and other
    compatibility forms are read as the plain ones (so MRN１００１ is MRN1001, and taken);
    anything else outside the allowed characters is refused. Patients registered before
    keep their MRN as it is."""
    mrn_error = _new_mrn_error(draft.mrn)
    try:
        clean = validate_patient(draft, today)
    except ValidationErrors as refused:  # every field's message at once
        if mrn_error is not None and "mrn" not in refused.errors:
            raise ValidationErrors(refused.errors | {"mrn": mrn_error}) from None
        raise
    if mrn_error is not None:
        raise ValidationErrors({"mrn": mrn_error})
    return replace(clean, mrn=unicodedata.normalize("NFKC", clean.mrn))


def _allowed_in_mrn(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-./_")


def _new_mrn_error(value: object) -> str | None:
    if not isinstance(value, str):
        return None  # validate_patient says what is wrong
    mrn = unicodedata.normalize("NFKC", fields.trim(value))
    bad = next((c for c in mrn if not _allowed_in_mrn(c)), None)
    if bad is None:
        return None
    shown = repr(bad) if bad.isprintable() and not bad.isspace() else f"U+{ord(bad):04X}"
    return f"MRN: {MRN_CHARACTERS} (found {shown})"


def correction(current: Patient, draft: PatientDraft, today: date) -> dict[str, object]:
    """field -> new value of what a correction changes (validated like a registration).

    The MRN is the patient's identity across every record: it is not corrected here (a
    record under the wrong MRN belongs to another patient). Raises ValidationErrors for a
    refused field, DomainError when nothing would change."""
    clean = validate_patient(draft, today)
    if clean.mrn.casefold() != current.mrn.casefold():
        raise ValidationErrors({"mrn": "The MRN cannot be corrected here"})
    old = current.as_draft()
    changes = {
        f.name: getattr(clean, f.name)
        for f in dataclass_fields(PatientDraft)
        if f.name in CORRECTABLE and getattr(clean, f.name) != getattr(old, f.name)
    }
    if not changes:
        raise DomainError("Nothing was changed: correct a field, or cancel")
    return changes


def shown_value(field: str, value: str | None) -> str:
    """A stored (trail) value as a person reads it: yes/no for the ticks, "(none)"."""
    if field in ("no_known_allergies", "spo2_scale2") and value in ("true", "false"):
        return "yes" if value == "true" else "no"
    if value is None or value == "":
        return "(none)"
    return value


@dataclass(frozen=True)
class PatientCorrection:
    """One field of the patient's details corrected (from the audit trail)."""

    field: str
    old: str | None  # as the trail holds it
    new: str | None
    at: datetime
    actor: str
    reason: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    def text(self, tz: tzinfo | None = None) -> str:
        """ "Full name: Ada Lovlace → Ada Lovelace (2026-03-02 15:00 UTC, nurse.jo: typo)"."""
        when = self.at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
        old, new = shown_value(self.field, self.old), shown_value(self.field, self.new)
        return f"{self.label}: {old} → {new} ({when}, {self.actor}: {self.reason})"


def require_correction_reason(reason: object) -> str:
    return fields.reason(reason, missing="A reason is required to correct patient details")


# -- drug names in the allergy list ---------------------------------------------------------
_WORD = re.compile(r"[^\W_]+")
# Words of a drug's name that say its form, salt or route, not what it is.
_NOT_A_DRUG_WORD = frozenset(
    {
        "hcl", "hydrochloride", "sodium", "sulfate", "acetate", "odt", "iv", "im", "po",
        "sl", "sc", "in", "tablet", "tablets", "tab", "injection", "inj", "oral", "solution",
        "mg", "mcg", "ml", "er", "xr", "sr", "and", "with", "other", "drug", "the", "for",
    }
)  # fmt: skip
MIN_DRUG_WORD = 3
MIN_PREFIX = 5  # an allergy word this long also covers drugs it begins ("sulfa" drugs)


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _singular(word: str) -> str:
    return word[:-1] if len(word) > MIN_PREFIX and word.endswith("s") else word


def _word_matches(drug_word: str, allergy_word: str) -> bool:
    d, a = _singular(drug_word), _singular(allergy_word)
    return d == a or (len(a) >= MIN_PREFIX and d.startswith(a))


def allergy_match(drug: str, allergies: str) -> str | None:
    """The entry of the allergy list that names the drug, or None.

    Case-insensitive, word by word: a word of the drug's name (its form and salt words
    such as "HCl" or "ODT" left out) matches a word of an entry when they are equal, a
    plural "s" aside ("ondansetron" in "Ondansetron (rash)", "Penicillins"), or when the
    entry's word of 5 letters or more begins the drug's ("Sulfa drugs" for
    "sulfamethoxazole"). Entries are the lines of the list, or its parts between ";" or
    ",". Drug classes and brand names are not known: "benzodiazepines" does not match
    "midazolam", "Zofran" does not match "ondansetron"; the list is always shown beside
    the drug for the nurse to read."""
    wanted = [
        w
        for w in _words(drug)
        if len(w) >= MIN_DRUG_WORD and w not in _NOT_A_DRUG_WORD and not w.isdigit()
    ]
    if not wanted:
        return None
    for entry in re.split(r"[\n;,]", allergies):
        words = _words(entry)
        if any(_word_matches(d, a) for d in wanted for a in words):
            return entry.strip()
    return None


def _date_of_birth(value: object, today: date) -> date:
    if value is None:
        raise FieldError("date_of_birth", "Date of birth is required")
    dob = fields.date_only("date_of_birth", value, label="Date of birth")
    if dob > today:
        raise FieldError("date_of_birth", "Date of birth cannot be in the future")
    if dob.year < EARLIEST_BIRTH_YEAR:
        raise FieldError("date_of_birth", f"Date of birth cannot be before {EARLIEST_BIRTH_YEAR}")
    return dob


def _weight(value: object) -> float:
    if value is None:
        raise FieldError(
            "weight_kg", f"Weight is required ({MIN_WEIGHT_KG:g}–{MAX_WEIGHT_KG:g} kg)"
        )
    return fields.number(
        "weight_kg", value, MIN_WEIGHT_KG, MAX_WEIGHT_KG, label="Weight", unit="kg"
    )


MAX_SEARCH_LENGTH = 200


def search_words(text: object) -> list[str]:
    """The words of a patient search (by name or MRN). Control characters (a NUL, a tab
    pasted in) only separate words: they never match, and never match everything."""
    if not isinstance(text, str):
        raise FieldError("search", "Search must be text (a name or an MRN)")
    if len(text) > MAX_SEARCH_LENGTH:
        raise FieldError("search", f"Search must be at most {MAX_SEARCH_LENGTH} characters")
    return fields.controls_as_spaces(text).split()


class SearchMatch(IntEnum):
    """How well a patient matches a search, best first (see `search_rank`)."""

    NAME_PREFIX = 0  # every word starts the surname or a given name ("ros": Rossi)
    MRN_PREFIX = 1  # some word only starts the MRN
    SUBSTRING = 2  # some word only appears inside the name ("ros": Hiroshi)


def name_parts(full_name: str) -> tuple[str, str]:
    """(surname, given names) of a full name typed given names first: the surname is the
    last word ("Maria del Carmen Rossi" -> ("Rossi", "Maria del Carmen"))."""
    words = full_name.split()
    if not words:
        return "", ""
    return words[-1], " ".join(words[:-1])


def _name_words(full_name: str) -> list[str]:
    """The words a name prefix can start: split at spaces and hyphens ("Mary-Ann")."""
    return [w for w in re.split(r"[\s\-]+", full_name.casefold()) if w]


def search_date(word: str) -> date | None:
    """A search word that is a date of birth, written YYYY-MM-DD (the one unambiguous
    form: 03/04/1980 is March or April depending on the country); else None."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        return None
    try:
        return date.fromisoformat(word)
    except ValueError:
        return None


def search_rank(
    words: list[str], full_name: str, mrn: str, date_of_birth: date | None = None
) -> SearchMatch | None:
    """How `words` (from `search_words`) match a patient; None when one of them does not
    (each word must be the date of birth as YYYY-MM-DD, start a name word, start the MRN,
    or appear inside the name). The weakest word decides: "ada love" is a name-prefix
    match of Ada Lovelace; "rossi 1980-03-14" one of the Rossi born that day."""
    if not words:
        return None
    name = full_name.casefold()
    starts = _name_words(full_name)
    worst = SearchMatch.NAME_PREFIX
    for word in (w.casefold() for w in words):
        born = search_date(word)
        if born is not None and born == date_of_birth:
            match = SearchMatch.NAME_PREFIX  # as exact as a name: ranked with them
        elif any(part.startswith(word) for part in starts):
            match = SearchMatch.NAME_PREFIX
        elif mrn.casefold().startswith(word):
            match = SearchMatch.MRN_PREFIX
        elif word in name:
            match = SearchMatch.SUBSTRING
        else:
            return None
        worst = max(worst, match)
    return worst


def search_order(words: list[str], patients: list[Patient]) -> list[Patient]:
    """The patients that match `words`, best match first (`SearchMatch`), ties by
    surname, then given names, then MRN (case-insensitive)."""
    ranked = []
    for patient in patients:
        rank = search_rank(words, patient.full_name, patient.mrn, patient.date_of_birth)
        if rank is not None:
            surname, given = name_parts(patient.full_name)
            key = (rank, surname.casefold(), given.casefold(), patient.mrn.casefold())
            ranked.append((key, patient.id, patient))
    ranked.sort(key=lambda entry: entry[:2])
    return [patient for _, _, patient in ranked]
