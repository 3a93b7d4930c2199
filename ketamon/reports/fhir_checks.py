"""KetaMon's own checks of a FHIR Bundle (issue 18), beyond structure: a structural
validator (fhir.resources, in the tests) accepts an unknown status code, a vital sign
without its category or patient, and a heart rate in the wrong unit. These do not.

Per entry: the resource type, its status code, an Observation's code (every coding its
kind needs), category, unit (UCUM, the right code), subject, effective time and value; an
Encounter's class and period; a MedicationAdministration's medication, dose unit, rate
unit and route; an AdverseEvent's actuality, severity and outcome; a Provenance's target
and signature. Across the Bundle: full URLs unique and every reference resolving to an
entry of the type it names (or to a resource contained in the same entry).

The export runs them while it streams: `BundleChecks` keeps the URLs of lasting entries
(patients, staff) for the whole export and those of one session only until the session
ends, so its memory does not grow with the number of sessions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from ketamon.domain import fhir as codes

Resource = dict[str, Any]
# Fields that name another entry, by resource type -> field -> the type it must be.
_REFERENCES = {
    "Observation": {"subject": "Patient", "encounter": "Encounter", "performer": "Practitioner"},
    "Encounter": {"subject": "Patient"},
    "MedicationAdministration": {"subject": "Patient", "context": "Encounter"},
    "AdverseEvent": {
        "subject": "Patient",
        "encounter": "Encounter",
        "recorder": "Practitioner",
        "suspectEntity": "MedicationAdministration",
    },
    "Provenance": {"agent": "Practitioner", "signature": "Practitioner"},
}
_REQUIRED_REFERENCES = {
    "Observation": ("subject",),
    "Encounter": ("subject",),
    "MedicationAdministration": ("subject",),
    "AdverseEvent": ("subject",),
}


def _when(value: object) -> bool:
    """A FHIR dateTime with a time carries its zone."""
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def _codes(concept: object) -> set[tuple[str, str]]:
    if not isinstance(concept, dict):
        return set()
    return {
        (c.get("system", ""), c.get("code", ""))
        for c in concept.get("coding", [])
        if isinstance(c, dict)
    }


def _quantity(value: object, unit: str) -> str:
    """'' when `value` is a UCUM quantity in `unit`, else what is wrong."""
    if not isinstance(value, dict):
        return "has no quantity"
    number = value.get("value")
    if isinstance(number, bool) or not isinstance(number, int | float):
        return "has no numeric value"
    if value.get("system") != codes.UCUM:
        return f"unit is not UCUM ({value.get('system')!r})"
    if value.get("code") != unit:
        return f"unit is {value.get('code')!r}, not {unit!r}"
    return ""


def _references(node: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (field path, reference) in a resource, contained resources left out."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "contained":
                continue
            if key == "reference" and isinstance(value, str):
                yield path, value
            else:
                yield from _references(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item, path)


class BundleChecks:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.lasting: dict[str, str] = {}  # full URL -> resource type, for the whole export
        self.group: dict[str, str] = {}  # the same, for the session being written
        self.pending: list[tuple[str, str, str]] = []  # (where, reference, expected type)

    def say(self, where: str, problem: str) -> None:
        if len(self.problems) < 200:  # enough to see what is wrong, never a flood
            self.problems.append(f"{where}: {problem}")

    def entry(self, entry: object, *, lasting: bool = False) -> None:
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            self.say("entry", "has no resource")
            return
        url = entry.get("fullUrl")
        resource: Resource = entry["resource"]
        kind = resource.get("resourceType", "")
        where = f"{kind} {url}"
        if not isinstance(url, str) or not url.startswith("urn:uuid:"):
            self.say(where, "fullUrl is not a urn:uuid")
        elif url in self.lasting or url in self.group:
            self.say(where, "fullUrl appears twice")
        else:
            (self.lasting if lasting else self.group)[url] = kind
        if kind not in codes.RESOURCE_TYPES:
            self.say(where, f"resource type {kind!r} is not one KetaMon writes")
            return
        allowed = codes.STATUSES.get(kind)
        if allowed is not None and resource.get("status") not in allowed:
            self.say(where, f"status {resource.get('status')!r} is not a {kind} status")
        getattr(self, f"_{kind.lower()}")(where, resource)
        self._collect(where, kind, resource)

    def _collect(self, where: str, kind: str, resource: Resource) -> None:
        fields = _REFERENCES.get(kind, {})
        for name in _REQUIRED_REFERENCES.get(kind, ()):
            if not isinstance(resource.get(name), dict):
                self.say(where, f"has no {name}")
        contained = {
            f"#{c.get('id')}": c.get("resourceType", "")
            for c in resource.get("contained", [])
            if isinstance(c, dict)
        }
        for path, reference in _references(resource):
            field = path.split(".")[0]
            expected = fields.get(field, "")
            if path.startswith("performer.actor"):
                expected = "Practitioner"
            if reference.startswith("#"):
                if reference not in contained:
                    self.say(where, f"{path} {reference} is not contained in it")
                continue
            self.pending.append((f"{where} {path}", reference, expected))

    def end_group(self) -> None:
        """Resolve the references of the entries since the last group; forget its URLs."""
        for where, reference, expected in self.pending:
            found = self.group.get(reference) or self.lasting.get(reference)
            if found is None:
                self.say(where, f"{reference} is not in the Bundle")
            elif expected and found != expected:
                self.say(where, f"{reference} is a {found}, not a {expected}")
        self.pending.clear()
        self.group.clear()

    def finish(self) -> list[str]:
        self.end_group()
        return self.problems

    # -- one resource type each ---------------------------------------------------------------
    def _patient(self, where: str, r: Resource) -> None:
        ids = [i for i in r.get("identifier", []) if i.get("system") == codes.MRN_SYSTEM]
        if not ids or not ids[0].get("value"):
            self.say(where, "has no MRN identifier")
        try:
            date.fromisoformat(str(r.get("birthDate")))
        except ValueError:
            self.say(where, "birthDate is not a date")
        if not r.get("name"):
            self.say(where, "has no name")

    def _practitioner(self, where: str, r: Resource) -> None:
        if not any(i.get("system") == codes.USERNAME_SYSTEM for i in r.get("identifier", [])):
            self.say(where, "has no username identifier")

    def _encounter(self, where: str, r: Resource) -> None:
        klass = r.get("class", {})
        if (klass.get("system"), klass.get("code")) != (codes.ACT_CODE, "AMB"):
            self.say(where, "class is not ambulatory (v3-ActCode AMB)")
        period = r.get("period", {})
        if not _when(period.get("start")):
            self.say(where, "period has no start time with its zone")
        end = period.get("end")
        if end is not None and (not _when(end) or end < period.get("start", "")):
            self.say(where, "period ends before it starts, or without a zone")

    def _observation(self, where: str, r: Resource) -> None:
        found = _codes(r.get("code"))
        known = codes.OBSERVATION_KINDS
        kind = next(
            (known[c] for s, c in sorted(found) if c in known and known[c].system == s), None
        )
        if kind is None:
            self.say(where, f"code {sorted(found)} is not one KetaMon writes")
            return
        needed = {(s, c) for s, c, _d in kind.codes}
        if not needed <= found:
            self.say(where, f"code lacks {sorted(needed - found)}")
        categories = set().union(*(_codes(c) for c in r.get("category", [])))
        if (codes.OBSERVATION_CATEGORY, kind.category) not in categories:
            self.say(where, f"category is not {kind.category}")
        if kind.profile and kind.profile not in r.get("meta", {}).get("profile", []):
            self.say(where, f"does not claim its vital-signs profile {kind.profile}")
        if not _when(r.get("effectiveDateTime")):
            self.say(where, "has no effective time with its zone")
        if kind is codes.BP_PANEL:
            parts = r.get("component", [])
            if not parts:
                self.say(where, "blood pressure panel without systolic or diastolic")
            for part in parts:
                part_codes = _codes(part.get("code"))
                sub = next(
                    (codes.COMPONENT_KINDS[c] for s, c in part_codes if s == codes.LOINC
                     and c in codes.COMPONENT_KINDS),
                    None,
                )  # fmt: skip
                if sub is None:
                    self.say(where, f"component {sorted(part_codes)} is not systolic or diastolic")
                elif wrong := _quantity(part.get("valueQuantity"), sub.unit):
                    self.say(where, f"{sub.display} {wrong}")
            if "valueQuantity" in r:
                self.say(where, "a blood pressure panel carries its values in components")
        elif wrong := _quantity(r.get("valueQuantity"), kind.unit):
            self.say(where, f"{kind.display} {wrong}")

    def _medicationadministration(self, where: str, r: Resource) -> None:
        started = r.get("effectivePeriod", {}).get("start")
        if not (_when(r.get("effectiveDateTime")) or _when(started)):
            self.say(where, "has no effective time with its zone")
        if "medicationCodeableConcept" not in r and "medicationReference" not in r:
            self.say(where, "names no medication")
        dosage = r.get("dosage", {})
        dose = dosage.get("dose")
        if dose is not None and (
            dose.get("system") != codes.UCUM or dose.get("code") not in codes.DOSE_UNITS.values()
        ):
            self.say(where, f"dose unit {dose.get('code')!r} is not a UCUM dose unit")
        rate = dosage.get("rateQuantity")
        if rate is not None and (wrong := _quantity(rate, codes.RATE_UNIT)):
            self.say(where, f"rate {wrong}")
        route = _codes(dosage.get("route"))
        snomed = {(codes.SNOMED, code) for code, _d in codes.ROUTES.values()}
        if route and not route & snomed:
            self.say(where, f"route {sorted(route)} is not a SNOMED CT route KetaMon uses")
        if r.get("status") == "completed" and dose is None:
            self.say(where, "completed without a dose")

    def _adverseevent(self, where: str, r: Resource) -> None:
        if r.get("actuality") not in codes.AE_ACTUALITY:
            self.say(where, f"actuality {r.get('actuality')!r} is not actual or potential")
        if not _codes(r.get("event")) and not r.get("event", {}).get("text"):
            self.say(where, "names no event")
        if not _when(r.get("date")):
            self.say(where, "has no onset date with its zone")
        severity = _codes(r.get("severity"))
        if not {(codes.AE_SEVERITY, s) for s in codes.AE_SEVERITIES} & severity:
            self.say(where, f"severity {sorted(severity)} is not mild, moderate or severe")
        outcome = _codes(r.get("outcome"))
        if outcome and not {(codes.AE_OUTCOME, o) for o in codes.AE_OUTCOMES} & outcome:
            self.say(where, f"outcome {sorted(outcome)} is not an adverse-event outcome")

    def _provenance(self, where: str, r: Resource) -> None:
        if not r.get("target"):
            self.say(where, "has no target")
        if not _when(r.get("recorded")):
            self.say(where, "has no recorded time with its zone")
        for sig in r.get("signature", []):
            if not _when(sig.get("when")) or not isinstance(sig.get("who"), dict):
                self.say(where, "a signature lacks when or who")


def check_bundle(bundle: object) -> list[str]:
    """Every problem of a whole Bundle (as parsed JSON), in words; [] when there is none."""
    checks = BundleChecks()
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return ["not a Bundle"]
    if bundle.get("type") != "collection":
        checks.say("Bundle", f"type {bundle.get('type')!r} is not collection")
    for item in bundle.get("entry", []):
        checks.entry(item, lasting=True)
    return checks.finish()
