"""Statuses, phases and outcomes are spelled once, in their enum: no string literal in
ketamon/ equal to one of their stored values (outside the enum's own module and the
migrations, which freeze the schema as it was), and every value has a label."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ketamon
from ketamon.domain.audit import AnchorState
from ketamon.domain.board import DoseLine
from ketamon.domain.discharge import Outcome
from ketamon.domain.review import ReviewStatus
from ketamon.domain.sessions import Phase
from ketamon.domain.side_effects import Severity
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.vitals import VitalPhase

PACKAGE = Path(ketamon.__file__).parent

# value -> the module that defines it (where the literal belongs)
GUARDED = {
    **{s.value: "domain/statuses.py" for s in RecordStatus},
    VitalPhase.PRE_DISCHARGE.value: "domain/vitals.py",
    **{s.value: "domain/review.py" for s in ReviewStatus},
    Outcome.AMA.value: "domain/discharge.py",
    DoseLine.PLANNED.value: "domain/board.py",
    DoseLine.UNPLANNED.value: "domain/board.py",
    AnchorState.UNREADABLE.value: "domain/audit.py",
    # the pre-discharge phase was once also spelled these ways
    "preDischarge": "domain/vitals.py",
    "Pre-discharge": "domain/vitals.py",
}
# The same word meaning something else (not a record status), by file
OTHER_MEANINGS = {
    ("ui/dialogs/accounts.py", "current"),  # the current-password field's key
    ("ui/dialogs/history.py", "voided"),  # the audit action "void", as a past participle
    # FHIR's own status codes (Observation "corrected", Encounter "planned"): HL7's words
    ("domain/fhir.py", "corrected"),
    ("domain/fhir.py", "planned"),
}


def _literals(root: Path = PACKAGE) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if "migrations/" in name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                home = GUARDED.get(node.value)
                if home and home != name and (name, node.value) not in OTHER_MEANINGS:
                    found.append((name, node.lineno, node.value))
    return found


def test_no_status_or_phase_literal_outside_its_enum():
    assert _literals() == []


def test_the_scan_finds_a_literal_that_comes_back(tmp_path):
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "bad.py").write_text(
        'if s.status == "current":\n    box.setObjectName("preDischarge")\n'
    )
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "old.py").write_text('DEFAULT = "current"\n')
    assert _literals(tmp_path) == [("ui/bad.py", 1, "current"), ("ui/bad.py", 2, "preDischarge")]


def test_stored_values_are_unchanged():
    assert [s.value for s in RecordStatus] == ["current", "corrected", "voided"]
    assert VitalPhase.PRE_DISCHARGE.value == "pre_discharge"
    assert [o.value for o in Outcome] == ["discharged", "ama"]


@pytest.mark.parametrize(
    "enum", [RecordStatus, VitalPhase, Phase, ReviewStatus, Outcome, Severity], ids=repr
)
def test_every_value_has_one_label(enum):
    labels = [member.label for member in enum]
    assert all(isinstance(label, str) and label.strip() for label in labels)
    assert len(set(labels)) == len(labels)  # no two values read the same


def test_labels_read_as_before():
    assert [s.label for s in RecordStatus] == ["current", "corrected", "VOIDED"]
    assert [p.label for p in VitalPhase] == ["Baseline", "Infusion", "Recovery", "Pre-discharge"]
    assert Outcome.AMA.label == "Left against medical advice"
