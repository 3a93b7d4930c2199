"""FHIR R4 export (issue 18): one session, one patient's sessions or a period's, as a
`collection` Bundle in one JSON file, for a clinic's EHR.

Streamed: the sessions are read in one snapshot, one at a time (each turned into
resources by ketamon.reports.fhir and forgotten by the unit of work before the next), and
written as they come, so memory does not grow with the number of sessions. Every entry
passes KetaMon's own checks (ketamon.reports.fhir_checks) on the way out; a Bundle that
fails them is not written. The file is written beside its name and takes it only once the
export is on the audit trail.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.exports import (
    ExportCancelled,
    FhirScope,
    Progress,
    export_words,
    fhir_scope,
    period_bounds,
    require_export,
)
from ketamon.domain.outcomes import OutcomeRecord
from ketamon.reports.fhir import (
    Entry,
    Refs,
    bundle_head,
    followup_entries,
    patient_entry,
    practitioner_entry,
    session_entries,
)
from ketamon.reports.fhir_checks import BundleChecks
from ketamon.services.base import Service, acting_user, retried
from ketamon.services.summary import local_zone, summary_of
from ketamon.storage.audit import write_entries
from ketamon.storage.models import OutcomeRow, PatientRow, SessionRow
from ketamon.storage.reads.outcomes import outcomes_where
from ketamon.storage.reads.patients import to_patient
from ketamon.storage.reads.settings import load_settings
from ketamon.storage.reads.users import user_names


@dataclass(frozen=True)
class FhirExport:
    path: Path
    sessions: int
    counts: dict[str, int]  # resource type -> entries of it
    unsigned: int  # sessions without a signature that verifies (no Provenance for them)


class _Bundle:
    """The Bundle being written: entries streamed into the file, checked on the way."""

    def __init__(self, handle: IO[str], refs: Refs) -> None:
        self.handle = handle
        self.refs = refs
        self.checks = BundleChecks()
        self.counts: Counter[str] = Counter()
        self.patients: set[int] = set()
        self.people: set[str] = set()

    def put(self, item: Entry, *, lasting: bool = False) -> None:
        self.checks.entry(item, lasting=lasting)
        self.handle.write(",\n" if self.counts.total() else "\n")
        self.handle.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        self.counts[item["resource"]["resourceType"]] += 1


class FhirExportService(Service):
    @retried
    def fhir(
        self,
        actor: Actor,
        out: Path | str,
        *,
        session_id: int | None = None,
        mrn: str | None = None,
        since: date | None = None,
        until: date | None = None,
        tz: tzinfo | None = None,
        progress: Progress | None = None,
    ) -> FhirExport:
        """Write the sessions named (exactly one of `session_id`, `mrn`, or `since` and
        `until`) to `out` as a FHIR R4 Bundle; a file there already is never overwritten.
        `progress("sessions", done)` after each session; returning False cancels
        (ExportCancelled: nothing written, nothing recorded)."""
        scope = fhir_scope(session_id, mrn, since, until)
        zone = tz or local_zone()
        target = Path(out)
        if target.exists():
            raise FieldError("out", f"{target} already exists: choose another file name")
        if not target.parent.is_dir():
            raise FieldError("out", f"{target.parent} is not a folder")
        part = target.with_name(f".{target.name}.part")
        now = self.now()
        refs = Refs()
        unsigned = 0
        try:
            try:
                handle = part.open("w", encoding="utf-8")
            except OSError as error:
                raise FieldError("out", f"Cannot write {target.parent}: {error.strerror}") from None
            with handle, self.db.transaction(write=False) as tx:
                require_export(acting_user(tx, actor, None))
                ids = _session_ids(tx, scope, zone)
                settings, names = load_settings(tx), user_names(tx)
                head = json.dumps(bundle_head(refs, now), ensure_ascii=False)
                handle.write(head[:-1] + ',"entry":[')
                bundle = _Bundle(handle, refs)
                if progress is not None and not progress("sessions", 0):
                    raise ExportCancelled
                for done, sid in enumerate(ids, start=1):
                    summary = summary_of(tx, sid, now, zone, settings, names)
                    entries = session_entries(refs, summary)
                    patient = summary.patient
                    assert patient is not None
                    if patient.id not in bundle.patients:
                        bundle.patients.add(patient.id)
                        bundle.put(patient_entry(refs, patient), lasting=True)
                    for username in sorted(refs.people - bundle.people):
                        bundle.people.add(username)
                        who = summary.who(username)
                        bundle.put(practitioner_entry(refs, username, who), lasting=True)
                    for item in entries:
                        bundle.put(item)
                    bundle.checks.end_group()
                    unsigned += not any(
                        e["resource"]["resourceType"] == "Provenance" for e in entries
                    )
                    tx.expunge_all()  # the session's rows: nothing grows with their number
                    if progress is not None and not progress("sessions", done):
                        raise ExportCancelled
                followups = _followups(tx, scope, zone)
                for patient_id, records in followups.items():
                    patient = to_patient(tx.get_one(PatientRow, patient_id))
                    if patient_id not in bundle.patients:
                        bundle.patients.add(patient_id)
                        bundle.put(patient_entry(refs, patient), lasting=True)
                    for item in followup_entries(refs, patient, records):
                        bundle.put(item)
                    bundle.checks.end_group()
                handle.write("\n]}\n")
            problems = bundle.checks.finish()
            if problems:
                raise DomainError(
                    "The FHIR export failed KetaMon's own checks, so nothing was written: "
                    + "; ".join(problems[:5])
                )
            counts = dict(sorted(bundle.counts.items()))
            with self.db.transaction() as tx:  # the disclosure, on the trail
                acting_user(tx, actor, None)
                words = export_words("fhir", scope.words, {"sessions": len(ids), **counts})
                write_entries(
                    tx.connection(),
                    self.audit(actor, f"to {target}"),
                    [("export", "export", None, "", None, words)],
                )
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        part.replace(target)
        return FhirExport(target, len(ids), counts, unsigned)


def _followups(tx: Session, scope: FhirScope, zone: tzinfo) -> dict[int, list[OutcomeRecord]]:
    """The current questionnaires taken at follow-ups (no session) the scope names, by
    patient: the patient's all, or those taken in the period (none for one session)."""
    if scope.session_id is not None:
        return {}
    if scope.mrn is not None:
        patient = select(PatientRow.id).where(PatientRow.mrn == scope.mrn).scalar_subquery()
        condition = OutcomeRow.patient_id == patient
    else:
        assert scope.first is not None and scope.last is not None
        start, end = period_bounds(scope.first, scope.last, zone)
        condition = (OutcomeRow.taken_at >= start) & (OutcomeRow.taken_at < end)
    found: dict[int, list[OutcomeRecord]] = {}
    for record in outcomes_where(tx, OutcomeRow.session_id.is_(None), condition):
        if record.current:
            found.setdefault(record.patient_id, []).append(record)
    return found


def _session_ids(tx: Session, scope: FhirScope, zone: tzinfo) -> list[int]:
    """The ids of the sessions the scope names, in check-in order (or it names none)."""
    query = select(SessionRow.id).order_by(SessionRow.checked_in_at, SessionRow.id)
    if scope.session_id is not None:
        ids = list(tx.scalars(query.where(SessionRow.id == scope.session_id)))
        if not ids:
            raise FieldError("session", f"There is no session {scope.session_id}")
        return ids
    if scope.mrn is not None:
        patient = tx.scalar(select(PatientRow.id).where(PatientRow.mrn == scope.mrn))
        if patient is None:
            raise FieldError("mrn", f"No patient has the MRN {scope.mrn}")
        return list(tx.scalars(query.where(SessionRow.patient_id == patient)))
    assert scope.first is not None and scope.last is not None
    start, end = period_bounds(scope.first, scope.last, zone)
    return list(
        tx.scalars(query.where(SessionRow.checked_in_at >= start, SessionRow.checked_in_at < end))
    )
