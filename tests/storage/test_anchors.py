"""Anchors of the chain's head outside the database: written at clean shutdown, daily and on
demand, to the data folder and a copy folder; checked by verification."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ketamon.storage.anchors import ANCHOR_FILENAME, parse
from tests.conftest import NURSE, draft

pytestmark = pytest.mark.both_backends


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def _head(clinic) -> tuple[int, str]:
    with clinic.db.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT seq, row_hash FROM audit_log ORDER BY seq DESC")
        return tuple(row.first())


def _report(clinic, extra=None):
    report = clinic.audit.verify_report(extra)
    return [p.text for p in report.problems], [w.text for w in report.warnings], report


def test_a_clean_shutdown_appends_the_head_once(clinic, _isolated_data_dir, clock):
    anchors = _isolated_data_dir / ANCHOR_FILENAME
    clinic.close()
    [line] = _lines(anchors)
    anchor = parse(line)
    assert (anchor.seq, anchor.row_hash) == _head(clinic)
    assert anchor.at == clock() and anchor.location == clinic.location
    assert line.startswith("2026-03-02T14:00:00+00:00 seq=")
    clinic.close()  # nothing new in the chain: nothing appended
    assert len(_lines(anchors)) == 1
    clinic.patients.register(NURSE, draft())
    clinic.close()
    assert len(_lines(anchors)) == 2 and _lines(anchors)[0] == line  # appended, not rewritten


def test_verify_reports_no_anchors_yet_as_a_warning(clinic, _isolated_data_dir):
    problems, warnings, report = _report(clinic)
    assert problems == [] and report.intact
    assert warnings == [f"no anchors yet in {_isolated_data_dir / ANCHOR_FILENAME}"]
    clinic.anchors.anchor()
    problems, warnings, report = _report(clinic)
    assert problems == warnings == []
    assert [(f.anchors, f.state) for f in report.anchor_files] == [(1, "checked")]


def test_anchored_daily_while_the_app_runs(clinic, clock, _isolated_data_dir):
    anchors = _isolated_data_dir / ANCHOR_FILENAME
    assert clinic.anchors.anchor_if_due() is not None  # none yet: due at once
    first = _head(clinic)[0]
    clinic.patients.register(NURSE, draft())
    clock.advance(hours=23)
    assert clinic.anchors.anchor_if_due() is None
    clock.advance(hours=1)
    assert clinic.anchors.anchor_if_due().written == (anchors,)
    assert [parse(line).seq for line in _lines(anchors)] == [first, _head(clinic)[0]]


@pytest.mark.sqlite_only("edits the file with sqlite3")
def test_a_copy_folder_gets_every_anchor_and_is_checked(
    clinic, tmp_path, monkeypatch, _isolated_data_dir
):
    backup = tmp_path / "backup-drive"
    backup.mkdir()
    monkeypatch.setenv("KETAMON_ANCHOR_COPY", str(backup))
    clinic.close()
    assert _lines(backup / ANCHOR_FILENAME) == _lines(_isolated_data_dir / ANCHOR_FILENAME)
    # The data folder's anchors deleted by someone holding the machine: the copy still holds.
    (_isolated_data_dir / ANCHOR_FILENAME).unlink()
    raw = sqlite3.connect(clinic.db.path, isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_no_delete")
    last = _head(clinic)[0]
    raw.execute(f"DELETE FROM audit_log WHERE seq = {last}")
    raw.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'KetaMon: audit_log rows are never deleted'); END"
    )
    raw.close()
    problems, _warnings, _ = _report(clinic)
    assert any(
        p.startswith(f"audit rows {last}-{last} are gone: the chain ends at row {last - 1}")
        and str(backup) in p
        for p in problems
    ), problems


def test_a_copy_folder_not_connected_is_reported_and_the_data_folder_still_written(
    clinic, tmp_path, monkeypatch, _isolated_data_dir
):
    monkeypatch.setenv("KETAMON_ANCHOR_COPY", str(tmp_path / "not-mounted"))
    result = clinic.anchors.anchor()
    assert result.written == (_isolated_data_dir / ANCHOR_FILENAME,)
    [(path, why)] = result.failed
    assert path == tmp_path / "not-mounted" / ANCHOR_FILENAME and "not available" in why
    assert not (tmp_path / "not-mounted").exists()


def test_a_damaged_or_unreadable_anchor_file_is_reported(clinic, _isolated_data_dir, tmp_path):
    clinic.anchors.anchor()
    anchors = _isolated_data_dir / ANCHOR_FILENAME
    with anchors.open("a") as out:
        out.write("2026-03-02 edited by hand\n")
    problems, _, _ = _report(clinic)
    assert problems == [f"anchor file {anchors} line 2 is not an anchor (damaged or edited)"]
    folder = tmp_path / "a-folder-named-like-a-file"
    (folder / ANCHOR_FILENAME).mkdir(parents=True)  # a folder where the file should be
    problems, _, report = _report(clinic, [folder])
    assert problems[-1].startswith(f"anchor file {folder / ANCHOR_FILENAME} cannot be read:")
    assert report.anchor_files[-1].state == "unreadable"


def test_two_databases_in_one_data_folder_keep_their_anchors_apart(
    clinic, db_url, tmp_path, _isolated_data_dir
):
    from tests.conftest import open_clinic

    clinic.clock.advance(seconds=1)  # created at another moment: its chain begins otherwise
    other = open_clinic(f"sqlite:///{tmp_path / 'demo.sqlite3'}", clinic.clock)
    other.patients.register(NURSE, draft())
    other.close()
    clinic.close()
    anchors = [parse(line) for line in _lines(_isolated_data_dir / ANCHOR_FILENAME)]
    assert len({a.db_id for a in anchors}) == 2
    assert _report(clinic)[0] == [] and _report(other)[0] == []
    assert [f.anchors for f in clinic.audit.verify_report().anchor_files] == [1]


@pytest.mark.sqlite_only("moves the database file")
def test_a_database_replaced_at_the_same_location_is_reported(
    clinic, db_url, tmp_path, _isolated_data_dir
):
    from tests.conftest import open_clinic

    clinic.close()
    path = Path(db_url.removeprefix("sqlite:///"))
    shutil.move(path, tmp_path / "kept.sqlite3")
    clinic.clock.advance(days=1)
    fresh = open_clinic(db_url, clinic.clock)  # a new chain where the anchored one was
    try:
        [problem] = [p for p in fresh.audit.verify() if "began differently" in p.text]
    finally:
        fresh.close(anchor=False)
    assert "this chain was rewritten from its first row, or the database file was replaced" in (
        problem.text
    )


@pytest.mark.sqlite_only("empties the trail with sqlite3")
def test_an_emptied_trail_is_caught_by_its_anchors(clinic, _isolated_data_dir):
    clinic.anchors.anchor()
    raw = sqlite3.connect(clinic.db.path, isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_no_delete")
    raw.execute("DELETE FROM audit_log")
    raw.close()
    problems, _, _ = _report(clinic)
    assert any(p.startswith("the audit trail is empty but") for p in problems), problems


@pytest.mark.parametrize(
    "line",
    [
        "",
        "2026-03-02T14:00:00 seq=1 hash=" + "a" * 64 + " db=" + "b" * 16 + " location=x",
        "2026-03-02T14:00:00+00:00 seq=one hash=" + "a" * 64 + " db=" + "b" * 16 + " location=x",
        "2026-03-02T14:00:00+00:00 seq=1 hash=abc db=" + "b" * 16 + " location=x",
    ],
)
def test_lines_that_are_not_anchors_are_not_read_as_anchors(line):
    assert parse(line) is None


def test_a_location_with_spaces_reads_back():
    line = "2026-03-02T14:00:00+00:00 seq=7 hash=" + "a" * 64 + " db=" + "b" * 16
    anchor = parse(line + " location=/home/clinic/My Data/k.sqlite3")
    assert anchor.location == "/home/clinic/My Data/k.sqlite3" and anchor.seq == 7
    assert anchor.line() == line + " location=/home/clinic/My Data/k.sqlite3\n"
