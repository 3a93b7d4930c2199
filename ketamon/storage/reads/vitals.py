"""Vitals sets as the domain sees them (graded with the clinic's bands and NEWS2 chart
and the patient's SpO2 scale), and what the board needs of them per session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ketamon.domain.news2 import Chart, News2
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.vitals import (
    MEASURES,
    Band,
    Grade,
    VitalPhase,
    VitalsDraft,
    VitalsSet,
    grade_set,
    news2_of,
)
from ketamon.storage.models import PatientRow, SessionRow, VitalsRow
from ketamon.storage.reads.settings import load_chart, load_grading


@dataclass(frozen=True)
class VitalsSummary:
    """What the board needs per active session: when sets were taken, red values unseen.

    `taken` holds vitals sets only: sedation/dissociation scores recorded on their own do
    not satisfy a vitals reminder (their red values are still listed)."""

    taken: tuple[datetime, ...]
    unacknowledged_red: tuple[VitalsSet, ...]
    latest_news2: News2 | None = None  # of the latest current vitals set
    latest: VitalsSet | None = None  # the latest current vitals set itself, graded


def scale2_of(tx: Session, session_ids: Sequence[int]) -> dict[int, bool]:
    """Whether each session's patient is on NEWS2 SpO2 scale 2 (the patient's option):
    from the rows this transaction has loaded already (the board's), else one statement."""
    found: dict[int, bool] = {}
    for i in session_ids:
        session = tx.identity_map.get(identity_key(SessionRow, i))
        patient = (
            tx.identity_map.get(identity_key(PatientRow, session.patient_id))
            if isinstance(session, SessionRow)
            else None
        )
        if isinstance(patient, PatientRow):
            found[i] = bool(patient.spo2_scale2)
    missing = [i for i in session_ids if i not in found]
    if missing:
        rows = tx.execute(
            select(SessionRow.id, PatientRow.spo2_scale2)
            .join(PatientRow, PatientRow.id == SessionRow.patient_id)
            .where(SessionRow.id.in_(missing))
        )
        found.update({i: bool(flag) for i, flag in rows})
    return found


def to_set(
    row: VitalsRow,
    bands: dict[str, Band],
    names: dict[str, str] | None = None,
    chart: Chart | None = None,
    *,
    scale2: bool = False,
) -> VitalsSet:
    """The stored set as the domain sees it; `names` maps usernames to display names;
    `scale2`: the patient's SpO2 is graded and scored on NEWS2 scale 2."""
    values = VitalsDraft(
        **{k: getattr(row, k) for k in MEASURES}, note=row.note, oxygen=bool(row.oxygen)
    )
    return VitalsSet(
        id=row.id,
        session_id=row.session_id,
        taken_at=row.taken_at,
        phase=VitalPhase(row.phase),
        values=values,
        entered_by=row.entered_by,
        status=RecordStatus(row.status),
        corrects_id=row.corrects_id,
        grades=grade_set(values, bands, chart=chart, scale2=scale2),
        news2=news2_of(values, chart, scale2=scale2),
        scale2=scale2,
        status_reason=row.status_reason,
        acknowledged_by=row.acknowledged_by,
        entered_by_name=(names or {}).get(row.entered_by, ""),
    )


def summaries(
    tx: Session, session_ids: list[int], bands: dict[str, Band], chart: Chart | None = None
) -> dict[int, VitalsSummary]:
    """Per session: when sets were taken, red ones unacknowledged, the latest and its NEWS2
    (`chart`: the clinic's NEWS2 chart when the caller has read the settings already)."""
    if not session_ids:
        return {}
    rows = tx.scalars(
        select(VitalsRow)
        .where(
            VitalsRow.session_id.in_(session_ids), VitalsRow.status == RecordStatus.CURRENT.value
        )
        .order_by(VitalsRow.taken_at)
    )
    taken: dict[int, list[datetime]] = {i: [] for i in session_ids}
    red: dict[int, list[VitalsSet]] = {i: [] for i in session_ids}
    latest: dict[int, VitalsSet] = {}
    chart = chart if chart is not None else load_chart(tx)
    scale2 = scale2_of(tx, session_ids)
    for row in rows:
        snapshot = to_set(row, bands, chart=chart, scale2=scale2.get(row.session_id, False))
        if not snapshot.scores_only:
            taken[row.session_id].append(row.taken_at)
            latest[row.session_id] = snapshot
        if snapshot.worst is Grade.RED and row.acknowledged_by is None:
            red[row.session_id].append(snapshot)
    return {
        i: VitalsSummary(
            tuple(taken[i]),
            tuple(red[i]),
            latest[i].news2 if i in latest else None,
            latest.get(i),
        )
        for i in session_ids
    }


def graded(tx: Session, row: VitalsRow, names: dict[str, str] | None = None) -> VitalsSet:
    """One stored set graded with the clinic's bands and chart and its patient's scale."""
    scale2 = scale2_of(tx, [row.session_id]).get(row.session_id, False)
    bands, chart = load_grading(tx)
    return to_set(row, bands, names, chart, scale2=scale2)


def current_sets(
    tx: Session,
    session_id: int,
    bands: dict[str, Band],
    chart: Chart,
    *,
    scale2: bool,
) -> tuple[VitalsSet, ...]:
    """The session's current sets (not corrected or voided), in time order."""
    rows = tx.scalars(
        select(VitalsRow)
        .where(VitalsRow.session_id == session_id, VitalsRow.status == RecordStatus.CURRENT.value)
        .order_by(VitalsRow.taken_at, VitalsRow.id)
    )
    return tuple(to_set(v, bands, chart=chart, scale2=scale2) for v in rows)
