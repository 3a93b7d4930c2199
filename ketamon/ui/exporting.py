"""The export a worker thread runs for the Export dialog, in words when done."""

from __future__ import annotations

from collections.abc import Callable

from ketamon.domain.actors import Actor
from ketamon.domain.errors import FieldError
from ketamon.reports.substance_log import write_substance_csv, write_substance_pdf
from ketamon.services.clinic import Clinic
from ketamon.ui.dialogs.export import ExportRequest


def run_export(
    clinic: Clinic,
    actor: Actor,
    request: ExportRequest,
    progress: Callable[[str, int], bool],
) -> str:
    """Run one export (the services check who may, and record it); what was written."""
    kind, since, until, where = request.kind, request.since, request.until, request.where
    if kind == "csv":
        if since is None or until is None:
            raise FieldError("from", "From and To: the period to export")
        result = clinic.exports.csv(actor, since, until, where, progress=progress)
        rows = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in result.counts.items())
        return f"Wrote {len(result.files)} files to {where}: {rows}. Recorded on the audit trail."
    if kind == "fhir":
        if where.suffix.lower() != ".json":
            where = where.with_name(f"{where.name}.json")
        bundle = clinic.exports.fhir(
            actor, where, mrn=request.mrn, since=since, until=until, progress=progress
        )
        unsigned = f"; {bundle.unsigned} not signed yet (no Provenance)" if bundle.unsigned else ""
        return (
            f"Wrote the FHIR bundle to {where}: {bundle.sessions} "
            f"session{'s' if bundle.sessions != 1 else ''}, "
            f"{sum(bundle.counts.values())} resources{unsigned}. Recorded on the audit trail."
        )
    if since is None or until is None:
        raise FieldError("from", "From and To: the period to export")
    log = clinic.exports.substance_log(actor, since, until)
    if kind == "substance_pdf":
        pages = write_substance_pdf(log, where)
        written = f"{where} ({pages} page{'s' if pages != 1 else ''})"
    else:
        written = f"{where} ({write_substance_csv(log, where)} dose records)"
    missing = f"; {log.incomplete} incomplete, listed first" if log.incomplete else ""
    return f"Wrote the controlled-substance log to {written}{missing}. Recorded on the audit trail."
