"""A record's audit trail as a tree: one line per change, a created record's fields under it.

Every audit entry is shown, one per field (a record's creation is one audit row holding
all its fields, or one row per field in trails written before 0013: both read as one entry
per field); a creation's entries are grouped under one line ("created event 3 · kind:
pause") that opens to show them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import groupby

from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from ketamon.domain.audit import AuditEntry
from ketamon.domain.patients import FIELD_LABELS as PATIENT_FIELDS
from ketamon.domain.patients import shown_value as patient_value
from ketamon.ui.timefmt import local_time

COLUMNS = ("Time", "Who", "Action", "Record", "Field", "Old value → new value", "Reason")
ENTITY_NAMES = {
    "infusion_session": "session",
    "session_event": "event",
    "app_user": "user",
    "vitals_set": "vitals set",
    "side_effect": "side effect",
    "medication_given": "medication",
    "dose_record": "dose record",
    "discharge_record": "discharge checklist",
    "outcome_score": "questionnaire",
    "signature": "signature",
    "addendum": "addendum",
    "patient": "patient details",  # corrections (with a reason): old -> new
}
ACTION_NAMES = {"create": "created", "update": "changed", "void": "voided"}
SUMMARY_FIELDS = ("kind", "phase", "target_minutes")  # what a created record's line shows
VITALS_SUMMARY: tuple[tuple[str, str], ...] = (
    ("systolic", "BP "),
    ("diastolic", "/"),
    ("heart_rate", " · HR "),
)
VITALS_SUMMARY += (("spo2", " · SpO2 "), ("resp_rate", " · RR "))


def shown_value(value: str | None) -> str:
    """Stored values as a person reads them: times in local time, nothing as "(none)"."""
    if value is None:
        return "(none)"
    if len(value) >= 19 and value[4] == "-" and "T" in value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if parsed.tzinfo is not None:
            return local_time(parsed, with_date=True)
    return value


def record_name(entry: AuditEntry) -> str:
    name = ENTITY_NAMES.get(entry.entity, entry.entity)
    return f"{name} {entry.entity_id}" if entry.entity_id is not None else name


class HistoryTree(QTreeWidget):
    def __init__(self, entries: Iterable[AuditEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(COLUMNS)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        header = self.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.entries: list[AuditEntry] = []
        self.set_entries(entries)

    def set_entries(self, entries: Iterable[AuditEntry]) -> None:
        new = list(entries)
        if new == self.entries and self.topLevelItemCount():
            return
        self.clear()
        self.entries = new
        key = lambda e: (e.at, e.actor, e.action, e.entity, e.entity_id)  # noqa: E731
        for (_, _, action, _, _), group in groupby(self.entries, key=key):
            rows = list(group)
            if action == "create":
                self._add_created(rows)
            else:
                for entry in rows:
                    field = entry.field
                    if entry.entity == "patient":
                        field = PATIENT_FIELDS.get(field, field)
                    self.addTopLevelItem(self._item(entry, field, _change(entry)))

    def _add_created(self, rows: list[AuditEntry]) -> None:
        first = rows[0]
        values = {e.field: e.new_value for e in rows}
        summary = ", ".join(f"{f}: {values[f]}" for f in SUMMARY_FIELDS if values.get(f))
        if first.entity == "vitals_set":
            summary = "".join(f"{p}{values.get(f) or '–'}" for f, p in VITALS_SUMMARY)
        parent = self._item(first, f"{len(rows)} fields", summary)
        for entry in rows:
            child = QTreeWidgetItem(["", "", "", "", entry.field, shown_value(entry.new_value), ""])
            parent.addChild(child)
        self.addTopLevelItem(parent)

    @staticmethod
    def _item(entry: AuditEntry, field: str, change: str) -> QTreeWidgetItem:
        return QTreeWidgetItem(
            [
                local_time(entry.at, with_date=True),
                entry.actor,
                ACTION_NAMES.get(entry.action, entry.action),
                record_name(entry),
                field,
                change,
                entry.reason,
            ]
        )

    def rows(self) -> list[list[str]]:
        """The top-level lines' texts (tests and screen readers)."""
        lines = []
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            assert item is not None  # i < topLevelItemCount()
            lines.append([item.text(c) for c in range(len(COLUMNS))])
        return lines


def _change(entry: AuditEntry) -> str:
    if entry.action == "create":
        return shown_value(entry.new_value)
    if entry.entity == "patient":
        old = patient_value(entry.field, entry.old_value)
        return f"{old} → {patient_value(entry.field, entry.new_value)}"
    return f"{shown_value(entry.old_value)} → {shown_value(entry.new_value)}"
