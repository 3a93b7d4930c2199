"""`ketamon audit verify --since-last-anchor` (issue 19): the chain recomputed only after
the newest anchor still held, everything else checked whole; what it does not see (an
edit of a row before the anchor) is said, and found by the whole verify."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ketamon.cli import main
from tests.conftest import NURSE, draft

pytestmark = pytest.mark.both_backends


def _history(clinic, clock, first: int, last: int) -> None:
    for n in range(first, last):
        clinic.patients.register(NURSE, draft(f"KM-{n}", f"Pat Number{n}"))
        clock.advance(minutes=1)


def _head(clinic) -> int:
    with clinic.db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT max(seq) FROM audit_log").scalar()


def test_the_chain_is_recomputed_after_the_newest_anchor_held(clinic, clock, _isolated_data_dir):
    _history(clinic, clock, 0, 3)
    anchored = clinic.anchors.anchor().seq
    _history(clinic, clock, 3, 6)
    report = clinic.audit.verify_report(since_last_anchor=True)
    assert report.intact and report.chain_after == anchored and report.head_seq > anchored
    [said] = [w.text for w in report.warnings if "recomputed" in w.text]
    assert said.startswith(f"the chain was recomputed after row {anchored} only (anchored ")
    assert clinic.audit.verify_report().chain_after is None  # the default: whole


def test_without_an_anchor_the_whole_chain_is_checked_and_said(clinic, clock, _isolated_data_dir):
    _history(clinic, clock, 0, 2)
    report = clinic.audit.verify_report(since_last_anchor=True)
    assert report.intact and report.chain_after is None
    assert any("whole chain was checked" in w.text for w in report.warnings)


def _tamper(clinic, seq: int) -> None:
    raw = sqlite3.connect(Path(clinic.location), isolation_level=None)
    raw.execute("DROP TRIGGER IF EXISTS audit_log_no_update")  # a determined attacker
    raw.execute("UPDATE audit_log SET actor = 'someone.else' WHERE seq = ?", (seq,))
    raw.close()


@pytest.mark.sqlite_only("drops SQLite triggers with sqlite3")
def test_an_edit_after_the_anchor_is_found_and_one_before_only_by_the_whole_verify(
    clinic, clock, _isolated_data_dir
):
    _history(clinic, clock, 0, 3)
    anchored = clinic.anchors.anchor().seq
    _history(clinic, clock, 3, 6)
    after = _head(clinic) - 1
    _tamper(clinic, after)
    quick = clinic.audit.verify_report(since_last_anchor=True)
    assert [p.text for p in quick.problems][:1] == [f"audit row {after} was altered"]

    _tamper(clinic, anchored - 2)  # before the anchor: the quick check does not recompute it
    quick = [p.text for p in clinic.audit.verify_report(since_last_anchor=True).problems]
    assert f"audit row {anchored - 2} was altered" not in quick
    whole = [p.text for p in clinic.audit.verify_report().problems]
    assert f"audit row {anchored - 2} was altered" in whole


@pytest.mark.sqlite_only("drops SQLite triggers with sqlite3")
def test_an_anchor_whose_row_was_rewritten_is_not_a_starting_point(
    clinic, clock, _isolated_data_dir
):
    """The anchored row itself altered and re-hashed is no longer held: the quick check
    starts from an older anchor (or the first row), and the anchor check reports it."""
    _history(clinic, clock, 0, 2)
    first = clinic.anchors.anchor().seq
    _history(clinic, clock, 2, 4)
    second = clinic.anchors.anchor().seq
    raw = sqlite3.connect(Path(clinic.location), isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET row_hash = 'forged' WHERE seq = ?", (second,))
    raw.close()
    report = clinic.audit.verify_report(since_last_anchor=True)
    assert report.chain_after == first
    texts = [p.text for p in report.problems]
    assert any(t.startswith(f"audit row {second} is not the row anchored") for t in texts)


def test_the_command_says_where_the_chain_was_recomputed_from(
    clinic, clock, _isolated_data_dir, capsys
):
    _history(clinic, clock, 0, 3)
    anchored = clinic.anchors.anchor().seq
    url = str(clinic.db.url.render_as_string(hide_password=False))
    assert main(["audit", "verify", "--since-last-anchor", "--db", url]) == 0
    out = capsys.readouterr().out
    assert f"recomputed after row {anchored})" in out
    assert "warning: the chain was recomputed after row" in out
