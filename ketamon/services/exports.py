"""Exports (issue 18): the record of a period as CSV files a spreadsheet or an EHR reads.

One file per kind of record (ketamon.domain.exports.CSV_FILES), RFC 4180 through the `csv`
module, a header row, every time in UTC (ISO 8601, `_utc`) and in the clinic's local time
with its zone (`_local`), numbers unformatted, voided and corrected rows present with their
status. All files come from one snapshot; they are written beside their names first and
take them only once the export is on the audit trail, so no export leaves unrecorded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlalchemy import Connection, select

from ketamon.domain.actors import Actor
from ketamon.domain.errors import FieldError
from ketamon.domain.exports import (
    CSV_FILES,
    PROGRESS_EVERY,
    ExportCancelled,
    Progress,
    cell,
    export_words,
    local_text,
    period,
    period_bounds,
    period_words,
    require_export,
    utc_text,
)
from ketamon.domain.substance_log import SubstanceEntry, SubstanceLog, ordered
from ketamon.services.base import acting_user, retried
from ketamon.services.fhir_export import FhirExportService
from ketamon.services.summary import local_zone
from ketamon.storage.audit import write_entries
from ketamon.storage.models import DoseRecordRow, PatientRow, SessionRow
from ketamon.storage.reads.exports import columns, stream
from ketamon.storage.reads.users import user_names
from ketamon.storage.types import UTCDateTime


@dataclass(frozen=True)
class CsvExport:
    files: dict[str, Path]  # file kind -> the file written
    counts: dict[str, int]  # file kind -> data rows in it


def header(table: str) -> list[str]:
    """A table's CSV header: each time column twice (UTC, local), the patient's MRN last."""
    out: list[str] = []
    for column in columns(table):
        if isinstance(column.type, UTCDateTime):
            out += [f"{column.key}_utc", f"{column.key}_local"]
        else:
            out.append(column.key)
    return [*out, "patient_mrn"]


class ExportService(FhirExportService):
    """CSV and the controlled-substance log here; FHIR in FhirExportService."""

    @retried
    def csv(
        self,
        actor: Actor,
        since: date,
        until: date,
        out_dir: Path | str,
        *,
        bom: bool = False,
        tz: tzinfo | None = None,
        progress: Progress | None = None,
    ) -> CsvExport:
        """Write the period's records to `out_dir` (created if missing; files there
        already are never overwritten); `bom`: a UTF-8 byte order mark for spreadsheets.
        `progress(kind, rows so far)` is called as rows are written; returning False
        cancels (ExportCancelled: nothing written, nothing recorded)."""
        first, last = period(since, until)
        zone = tz or local_zone()
        folder = Path(out_dir)
        with self.db.transaction(write=False) as tx:
            require_export(acting_user(tx, actor, None))
        targets = {kind: folder / f"{kind}.csv" for kind, _table in CSV_FILES}
        taken = [p.name for p in targets.values() if p.exists()]
        if taken:
            raise FieldError(
                "out", f"{folder} already has {', '.join(taken)}: choose an empty folder"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FieldError("out", f"Cannot create {folder}: {error.strerror}") from None
        parts = {kind: path.with_name(f".{path.name}.part") for kind, path in targets.items()}
        counts: dict[str, int] = {}
        start, end = period_bounds(first, last, zone)
        try:
            with self.db.reading() as connection:  # one snapshot for every file
                for kind, table in CSV_FILES:
                    counts[kind] = self._write(
                        connection, table, parts[kind], (start, end), zone, bom, kind, progress
                    )
            with self.db.transaction() as tx:  # the disclosure, on the trail
                acting_user(tx, actor, None)
                words = export_words("csv", period_words(first, last), counts)
                write_entries(
                    tx.connection(),
                    self.audit(actor, f"to {folder}"),
                    [("export", "export", None, "", None, words)],
                )
        except BaseException:
            for part in parts.values():
                part.unlink(missing_ok=True)
            raise
        for kind, part in parts.items():
            part.replace(targets[kind])
        return CsvExport(targets, counts)

    @retried
    def substance_log(
        self, actor: Actor, since: date, until: date, *, tz: tzinfo | None = None
    ) -> SubstanceLog:
        """Every ketamine dose record of the sessions checked in within the period, read in
        one snapshot and recorded on the audit trail as a disclosure."""
        first, last = period(since, until)
        zone = tz or local_zone()
        start, end = period_bounds(first, last, zone)
        with self.db.transaction() as tx:
            require_export(acting_user(tx, actor, None))
            names = user_names(tx)

            def who(username: str | None) -> str:  # display name (the username if unknown)
                return names.get(username or "", username or "")

            rows = tx.execute(
                select(DoseRecordRow, PatientRow.full_name, PatientRow.mrn)
                .join(SessionRow, SessionRow.id == DoseRecordRow.session_id)
                .join(PatientRow, PatientRow.id == SessionRow.patient_id)
                .where(SessionRow.checked_in_at >= start, SessionRow.checked_in_at < end)
            ).all()
            entries = ordered(
                [
                    SubstanceEntry(
                        session_id=dose.session_id,
                        at=dose.completed_at or dose.planned_at,
                        patient_name=name,
                        mrn=mrn,
                        concentration_mg_ml=dose.concentration_mg_ml,
                        lot=dose.lot_number or "",
                        planned_mg=dose.planned_mg,
                        given_mg=dose.actual_mg,
                        wasted_mg=dose.wasted_mg,
                        nurse=who(dose.completed_by or dose.planned_by),
                        witness=who(dose.witness),
                    )
                    for dose, name, mrn in rows
                ]
            )
            counts = {"dose records": len(entries)}
            words = export_words("controlled-substance log", period_words(first, last), counts)
            write_entries(
                tx.connection(), self.audit(actor), [("export", "export", None, "", None, words)]
            )
        return SubstanceLog(first, last, zone, self.now(), entries)

    @staticmethod
    def _write(
        connection: Connection,
        table: str,
        path: Path,
        bounds: tuple[datetime, datetime],
        zone: tzinfo,
        bom: bool,
        kind: str,
        progress: Progress | None,
    ) -> int:
        times = {c.key for c in columns(table) if isinstance(c.type, UTCDateTime)}
        count = 0
        try:
            handle = path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8")
        except OSError as error:
            raise FieldError("out", f"Cannot write {path.parent}: {error.strerror}") from None
        with handle:
            writer = csv.writer(handle)
            writer.writerow(header(table))
            if progress is not None and not progress(kind, 0):
                raise ExportCancelled
            for row in stream(connection, table, *bounds):
                values: list[object] = []
                for column in columns(table):
                    value = row[column.key]
                    if column.key in times:
                        values += [utc_text(value), local_text(value, zone)]
                    else:
                        values.append(cell(value))
                values.append(row["patient_mrn"])
                writer.writerow(values)
                count += 1
                if (
                    progress is not None
                    and count % PROGRESS_EVERY == 0
                    and not progress(kind, count)
                ):
                    raise ExportCancelled
        return count
