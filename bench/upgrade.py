"""A clinic's years at schema 0001 upgraded to this release's at start-up (issue 19: 13.7 s
on 12,000 sessions in the trial; target <= 2 s, or a window that says what it is doing —
the sign-in window now shows each step). Prints the whole upgrade as `Clinic.open` runs
it (the backup copy of the file first, then every migration), each step's seconds (from
the progress the window shows), and the ratio to a floor measured in the same run: the
sqlite3 module reading every row of the same file once (what any upgrade that looks at
each record must at least do).

The 0001 file is written with sqlite3: chairs, patients, courses, finished sessions with
their check-in, start, stop and discharge events, as a clinic running the first release
for years would have. Qt is not used.
Run: .venv/bin/python bench/upgrade.py [--sessions N] [--quick]
(--quick: 300 sessions, to check the bench still works; its figures mean little)
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ketamon.storage import migrate  # noqa: E402
from ketamon.storage.database import Database  # noqa: E402

T0 = datetime(2016, 1, 4, 8, 0, tzinfo=UTC)
STAMP = "%Y-%m-%d %H:%M:%S.%f"


def build_0001(path: Path, sessions: int) -> None:
    from alembic import command

    db = Database(f"sqlite:///{path}")
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001")
    db.dispose()
    raw = sqlite3.connect(path)
    at = T0.strftime(STAMP)
    raw.executemany(
        "INSERT INTO chair (name, position, created_at, created_by) VALUES (?, ?, ?, 'root')",
        [(f"Chair {n}", n, at) for n in range(1, 7)],
    )
    patients = max(1, sessions // 8)  # a course of six, then boosters
    raw.executemany(
        "INSERT INTO patient (mrn, full_name, date_of_birth, weight_kg, allergies, created_at,"
        " created_by) VALUES (?, ?, '1975-05-06', 72.5, '', ?, 'root')",
        [(f"KM-{n:06d}", f"Patient Number {n}", at) for n in range(1, patients + 1)],
    )
    raw.executemany(
        "INSERT INTO course (patient_id, kind, planned_sessions, started_at)"
        " VALUES (?, 'initial', 6, ?)",
        [(n, at) for n in range(1, patients + 1)],
    )
    rows, events = [], []
    for n in range(sessions):
        start = T0 + timedelta(hours=2 * n)
        patient = n % patients + 1
        rows.append((patient, n % 6 + 1, patient, n // patients + 1, start.strftime(STAMP)))
        for seq, (kind, minutes) in enumerate(
            (("check_in", 0), ("start", 10), ("stop", 50), ("discharge", 90)), start=1
        ):
            moment = (start + timedelta(minutes=minutes)).strftime(STAMP)
            events.append((n + 1, seq, kind, moment, "nurse.rivera", moment))
    raw.executemany(
        "INSERT INTO infusion_session (patient_id, chair_id, course_id, number_in_course,"
        " target_minutes, phase, checked_in_at) VALUES (?, ?, ?, ?, 40, 'discharged', ?)",
        rows,
    )
    raw.executemany(
        "INSERT INTO session_event (session_id, seq, kind, at, actor, reason, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, '', ?)",
        events,
    )
    raw.commit()
    raw.close()


def floor(path: Path) -> float:
    """Every row of every table read once through sqlite3."""
    start = time.perf_counter()
    raw = sqlite3.connect(path)
    tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for _row in raw.execute(f'SELECT * FROM "{table}"'):
            pass
    raw.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=12000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sessions = 300 if args.quick else args.sessions
    with tempfile.TemporaryDirectory(prefix="ketamon-bench-upgrade-") as tmp:
        os.environ["KETAMON_DATA_DIR"] = tmp  # its log and anchors never the user's own
        from ketamon.services.clinic import Clinic

        path = Path(tmp) / "old.sqlite3"
        build_0001(path, sessions)
        size = path.stat().st_size / 2**20
        base = floor(path)
        steps: list[tuple[float, str]] = []
        start = time.perf_counter()
        clinic = Clinic.open(
            f"sqlite:///{path}",
            progress=lambda step: steps.append((time.perf_counter(), step.words)),
        )
        whole = time.perf_counter() - start
        assert migrate.current_revision(clinic.db) == (migrate.HEAD_REVISION, True)
        assert clinic.audit.verify() == [], "the upgraded trail does not verify"
        clinic.close(anchor=False)
        print(f"{sessions} sessions at schema 0001 ({size:.1f} MB): upgrade to head {whole:.2f} s")
        ends = [moment for moment, _ in steps[1:]] + [start + whole]
        print(f"  backup copy and checks before the first step: {steps[0][0] - start:.2f} s")
        for (began, words), ended in zip(steps, ends, strict=True):
            print(f"  {ended - began:6.2f} s  {words}")
        print(f"floor (sqlite3 reading every row once): {base:.2f} s")
        print(f"ratio upgrade / floor: {whole / base:.2f} (target: <= 2 s, or the progress shown)")


if __name__ == "__main__":
    main()
