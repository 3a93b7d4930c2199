"""Reading and verifying the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, or_, select

from ketamon.domain import fields
from ketamon.domain.audit import AnchorState, AuditEntry
from ketamon.services.base import Service
from ketamon.services.signatures import check_signatures
from ketamon.storage import anchors, protections
from ketamon.storage.audit import Problem, entries_of
from ketamon.storage.models import (
    AddendumRow,
    AuditRow,
    MedicationRow,
    OutcomeRow,
    SessionEventRow,
    SessionRow,
    SideEffectRow,
    SignatureRow,
    VitalsRow,
)
from ketamon.storage.verify import verify as verify_trail


@dataclass(frozen=True)
class AnchorFileChecked:
    path: Path
    anchors: int  # anchors of this database found in it (0: none yet, or unreadable)
    state: AnchorState


@dataclass(frozen=True)
class VerifyReport:
    """Everything `ketamon audit verify` found: failures, warnings, and the anchor files."""

    problems: tuple[Problem, ...]  # failures: the record cannot be trusted as it is
    warnings: tuple[Problem, ...]  # what could not be checked (no anchors yet, old secrets)
    anchor_files: tuple[AnchorFileChecked, ...]
    head_seq: int | None  # the chain's newest row
    chain_after: int | None = None  # --since-last-anchor: the chain recomputed after this row

    @property
    def intact(self) -> bool:
        return not self.problems


def _partial_warning(start: anchors.Anchor | None) -> Problem:
    if start is None:
        return Problem(
            None,
            "no anchor of this chain is held to start from: the whole chain was checked",
            warning=True,
        )
    when = start.at.isoformat(timespec="seconds")
    return Problem(
        start.seq,
        f"the chain was recomputed after row {start.seq} only (anchored {when}); rows 1-"
        f"{start.seq} were not, and an edit of their content is found by a whole verify "
        "(without --since-last-anchor)",
        warning=True,
    )


class AuditService(Service):
    def session_history(self, session_id: int) -> list[AuditEntry]:
        """Every audited change to a session and everything recorded in it (events, vitals
        sets, side effects, medications given, the dose plan and record, the discharge
        checklist's answers, questionnaires, the signature and addenda), and every
        correction of its patient's details (whenever made: they show on this session's
        record), oldest first."""
        with self.db.transaction(write=False) as tx:
            patient_id = select(SessionRow.patient_id).where(SessionRow.id == session_id)
            event_ids = select(SessionEventRow.id).where(SessionEventRow.session_id == session_id)
            vitals_ids = select(VitalsRow.id).where(VitalsRow.session_id == session_id)
            effect_ids = select(SideEffectRow.id).where(SideEffectRow.session_id == session_id)
            by_id = {
                "medication_given": select(MedicationRow.id).where(
                    MedicationRow.session_id == session_id
                ),
                "outcome_score": select(OutcomeRow.id).where(OutcomeRow.session_id == session_id),
                "signature": select(SignatureRow.id).where(SignatureRow.session_id == session_id),
                "addendum": select(AddendumRow.id).where(AddendumRow.session_id == session_id),
            }
            keyed_by_session = ("dose_record", "discharge_record")  # one row per session
            rows = tx.scalars(
                select(AuditRow)
                .where(
                    or_(
                        and_(
                            AuditRow.entity == "infusion_session", AuditRow.entity_id == session_id
                        ),
                        and_(AuditRow.entity == "session_event", AuditRow.entity_id.in_(event_ids)),
                        and_(AuditRow.entity == "vitals_set", AuditRow.entity_id.in_(vitals_ids)),
                        and_(AuditRow.entity == "side_effect", AuditRow.entity_id.in_(effect_ids)),
                        *(
                            and_(AuditRow.entity == entity, AuditRow.entity_id.in_(ids))
                            for entity, ids in by_id.items()
                        ),
                        and_(
                            AuditRow.entity.in_(keyed_by_session), AuditRow.entity_id == session_id
                        ),
                        and_(
                            AuditRow.entity == "patient",
                            AuditRow.action == "update",
                            AuditRow.entity_id.in_(patient_id),
                        ),
                    )
                )
                .order_by(AuditRow.seq)
            )
            return [e for r in rows for e in entries_of(r)]

    def exports(self, limit: int = 50) -> list[AuditEntry]:
        """The exports made (each a disclosure of health information), newest first."""
        limit = fields.integer("limit", limit, 1, 10_000, label="Exports listed")
        with self.db.transaction(write=False) as tx:
            rows = tx.scalars(
                select(AuditRow)
                .where(AuditRow.action == "export")
                .order_by(AuditRow.seq.desc())
                .limit(limit)
            )
            return [e for r in rows for e in entries_of(r)]

    def verify(self) -> list[Problem]:
        """The failures found (empty when the trail, the records, the protections and the
        anchors agree); verify_report() has the warnings and the anchor files too."""
        return list(self.verify_report().problems)

    def verify_report(
        self, extra_anchors: list[Path] | None = None, *, since_last_anchor: bool = False
    ) -> VerifyReport:
        """The chain, every audited record against it, every trigger KetaMon installs, every
        digital signature and addendum against its signer's public key, and every anchor of
        this database in the anchor files (data folder, copy folder, and `extra_anchors`),
        all read in one transaction.

        since_last_anchor: the chain is recomputed only after the newest anchor still held
        (its row has the anchored hash); the rows up to it are not, so an edit of their
        content is found by a whole verify only (said as a warning). Without such an
        anchor the whole chain is checked."""
        found: list[Problem] = []
        checked = []
        with self.db.transaction(write=False) as tx:
            connection = tx.connection()
            head = anchors.head(connection, self.db.location)
            files = [anchors.read(path) for path in anchors.folder_files(files=extra_anchors)]
            start = None
            if since_last_anchor and head is not None:
                start = anchors.newest_held(connection, head, files)
                found.append(_partial_warning(start))
            found += verify_trail(tx, (start.seq, start.row_hash) if start else None)
            found += protections.missing_protections(connection)
            # Each signature and addendum checked with its signer's public key.
            found += [Problem(None, f"SIGNATURE INVALID: {p}") for p in check_signatures(tx)]
            for file in files:
                path = file.path
                found += anchors.check(connection, self.db.location, head, file)
                mine = [a for a in file.anchors if head is not None and a.applies_to(head)]
                state = (
                    AnchorState.UNREADABLE
                    if file.error
                    else AnchorState.CHECKED
                    if file.exists
                    else AnchorState.MISSING
                )
                checked.append(AnchorFileChecked(path, len(mine), state))
        return VerifyReport(
            tuple(p for p in found if not p.warning),
            tuple(p for p in found if p.warning),
            tuple(checked),
            head.seq if head else None,
            start.seq if start else None,
        )
