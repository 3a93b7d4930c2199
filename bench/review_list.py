"""Opening the physician's review list over 100,000 finished sessions, against the
hand-written indexed SQL for the same page. Prints p50 and p99 of each and their ratios.

Two things are timed for KetaMon, each against the same baseline:

1. The data path, what the baseline is the equivalent of (the target: p50 ratio <= 2):
   `ReviewService.page` reading the first page, the settings row for the red bands
   included, rows turned into ReviewRow.
2. The whole opening as the physician sees it: a new `ReviewQueueModel` given the filter
   (so it reads the first page through the service), the review window's own table view
   (`ReviewTable`) given the model and shown, and the visible rows really painted
   (`QWidget.grab()` renders the view, so every visible cell is asked for its text,
   colour and font and drawn, local times formatted). Painting ~30 rows of text is Qt's
   work and does not depend on how many sessions the database holds; the breakdown
   (read / set-up / paint) is printed.

The window's "N sessions match" total (`ReviewService.count`) is timed apart: the window
asks for it after the first page is on screen, not before.

Baseline: the same page (same ten columns, same order, LIMIT of one page) as one
hand-written SQL statement run through the sqlite3 module on a warm connection to the same
file, rows fetched into Python tuples. No Qt.

Both are timed for the window's default filter (awaiting review) and for "all statuses"
(every one of the 100,000 sessions matches). The database is the real migrated schema
(Clinic.open), filled by bulk executemany: 5,000 patients, 8 chairs, 100,000 sessions over
three years (2% awaiting review, the rest signed; 4% cancelled, 1% left against advice),
their events, four vitals sets each (about 2% with a red value), side effects (1% severe),
discharge records and signatures. Qt runs offscreen.
Run: .venv/bin/python bench/review_list.py [--sessions N] [--repeats N] [--quick]
(--quick: 2,000 sessions, 2 repeats, to check the bench still works; its ratios mean little)
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ketamon.domain.actors import Actor  # noqa: E402
from ketamon.domain.clock import FakeClock  # noqa: E402

ADMIN = Actor("bench.admin", "Bench Admin, RN")
NURSES = ("bench.admin", "nurse.kim", "nurse.lee", "nurse.ray")
PAGE = 200
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite


def ts(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime(FMT)


def fill(path: Path, sessions: int) -> None:
    """Bulk insert straight into the migrated file (no services, no audit trail)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA foreign_keys=OFF")
    created = ts(NOW - timedelta(days=1200))
    patients = max(1, sessions // 20)
    db.executemany(
        "INSERT INTO patient (id, mrn, full_name, date_of_birth, weight_kg, allergies,"
        " created_at, created_by) VALUES (?, ?, ?, '1980-01-01', 72.5, '', ?, 'bench.admin')",
        ((p, f"KM-{p:06d}", f"Patient {p:05d} Bench", created) for p in range(1, patients + 1)),
    )
    db.executemany(
        "INSERT INTO course (id, patient_id, kind, planned_sessions, started_at)"
        " VALUES (?, ?, 'maintenance', NULL, ?)",
        ((p, p, created) for p in range(1, patients + 1)),
    )
    db.executemany(
        "INSERT INTO chair (id, name, position, created_at, created_by)"
        " VALUES (?, ?, ?, ?, 'bench.admin')",
        ((c, f"Chair {c}", c, created) for c in range(1, 9)),
    )
    step = timedelta(days=3 * 365) / sessions
    awaiting_from = sessions - max(1, sessions // 50)  # the newest 2% await review
    rows, events, vitals, effects, discharges, signatures = [], [], [], [], [], []
    for i in range(1, sessions + 1):
        at = NOW - step * (sessions - i) - timedelta(hours=3)
        cancelled = i % 25 == 0
        ama = not cancelled and i % 100 == 7
        phase = "cancelled" if cancelled else "discharged"
        rows.append(
            (i, 1 + i % patients, 1 + i % 8, 1 + i % patients, 1 + i // patients, 40, phase, ts(at))
        )
        nurse = NURSES[i % len(NURSES)]
        kinds = ("check_in", "cancel") if cancelled else ("check_in", "start", "stop", "discharge")
        for seq, kind in enumerate(kinds):
            when = ts(at + timedelta(minutes=20 * seq))
            events.append((i, seq + 1, kind, when, nurse, when))
        if cancelled:
            continue
        red = i % 50 == 3
        for k, phase_of in enumerate(("baseline", "infusion", "infusion", "recovery")):
            spo2 = 88 if red and k == 2 else 97
            when = ts(at + timedelta(minutes=2 + 15 * k))
            vitals.append((i, when, phase_of, 120 + k, 78, 72 + k, spo2, 14, nurse, when))
        if i % 5 == 0 or i % 100 == 11:
            severity = "severe" if i % 100 == 11 else "mild"
            when = ts(at + timedelta(minutes=25))
            effects.append((i, "nausea", "Nausea", when, severity, nurse, when))
        done = ts(at + timedelta(minutes=80))
        discharges.append(
            (i, "Escort Name", "Sister", "(212) 555-0100", 1, "ama" if ama else "discharged",
             nurse, done, nurse, done)
        )  # fmt: skip
        if i < awaiting_from:
            signatures.append((i, "dr.bench", "Bench Doctor", "MD", "Reviewed", done))
    db.executemany(
        "INSERT INTO infusion_session (id, patient_id, chair_id, course_id, number_in_course,"
        " target_minutes, phase, checked_in_at, review_status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'awaiting_review')",
        rows,
    )
    db.executemany(
        "INSERT INTO session_event (session_id, seq, kind, at, actor, reason, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, '', ?)",
        events,
    )
    db.executemany(
        "INSERT INTO vitals_set (session_id, taken_at, phase, systolic, diastolic, heart_rate,"
        " spo2, resp_rate, note, entered_by, entered_at, status, status_reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, 'current', '')",
        vitals,
    )
    db.executemany(
        "INSERT INTO side_effect (session_id, kind_key, label, other_text, onset_at, severity,"
        " note, entered_by, entered_at, status, status_reason)"
        " VALUES (?, ?, ?, '', ?, ?, '', ?, ?, 'current', '')",
        effects,
    )
    db.executemany(
        "INSERT INTO discharge_record (session_id, escort_name, escort_relationship,"
        " escort_phone, escort_verified, instructions_acknowledged, instructions_text,"
        " ama_reason, outcome, completed_by, completed_at, updated_by, updated_at)"
        " VALUES (?, ?, ?, ?, ?, 1, 'Standard instructions', '', ?, ?, ?, ?, ?)",
        discharges,
    )
    # Signed last: once signed, the lock triggers refuse rows added to a session.
    db.executemany(
        "INSERT INTO signature (session_id, signer, printed_name, credentials, meaning,"
        " comment, signed_at, content_hash) VALUES (?, ?, ?, ?, ?, '', ?, 'bench')",
        signatures,
    )
    db.execute(
        "UPDATE infusion_session SET review_status = 'signed' WHERE id < ?", (awaiting_from,)
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()


# The page as one would write it by hand for SQLite: same columns, same order, one page.
BASELINE = """
SELECT s.id, s.checked_in_at, p.full_name, p.mrn, c.name, s.phase, d.outcome,
       s.review_status,
       EXISTS (SELECT 1 FROM vitals_set v WHERE v.session_id = s.id AND v.status = 'current'
               AND (v.systolic <= 90 OR v.systolic >= 180 OR v.diastolic >= 110
                    OR v.heart_rate <= 40 OR v.heart_rate >= 131 OR v.spo2 <= 91
                    OR v.resp_rate <= 8 OR v.resp_rate >= 25 OR v.temperature <= 35.0
                    OR v.temperature >= 39.1 OR v.pain >= 7 OR v.sedation <= 1)),
       EXISTS (SELECT 1 FROM side_effect e WHERE e.session_id = s.id
               AND e.status = 'current' AND e.severity = 'severe')
FROM infusion_session s
JOIN patient p ON p.id = s.patient_id
JOIN chair c ON c.id = s.chair_id
LEFT JOIN discharge_record d ON d.session_id = s.id
WHERE {where}
ORDER BY s.checked_in_at DESC, s.id DESC
LIMIT {limit}
"""
FILTERS = {  # name: (ReviewFilter keyword arguments, the baseline's WHERE)
    "awaiting review (the default)": (
        {"status": "awaiting_review"},
        "s.review_status = 'awaiting_review'",
    ),
    "all statuses": ({}, "s.review_status IS NOT NULL"),
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="seconds, not minutes: the same code path on a small case (make test runs it)",
    )
    args = parser.parse_args()
    if args.quick:
        args.sessions, args.repeats = 2_000, 2

    from PySide6.QtWidgets import QApplication

    from ketamon.services.clinic import Clinic
    from ketamon.services.review import ReviewFilter
    from ketamon.ui.app import application
    from ketamon.ui.review.queue_model import ReviewQueueModel
    from ketamon.ui.review.table import ReviewTable

    application()
    with tempfile.TemporaryDirectory(
        dir=ROOT / "build" if (ROOT / "build").is_dir() else None
    ) as tmp:
        path = Path(tmp) / "bench.sqlite3"
        clock = FakeClock(NOW)
        t0 = time.perf_counter()
        clinic = Clinic.open(f"sqlite:///{path}", clock)  # the real, migrated schema
        clinic.users.create_first_admin(
            "bench.admin", "Bench Admin", "RN", "bench pass 123!", roles="nurse,admin"
        )
        clinic.close()
        fill(path, args.sessions)
        clinic = Clinic.open(f"sqlite:///{path}", clock)
        print(
            f"setup: {args.sessions} sessions bulk-inserted in {time.perf_counter() - t0:.1f} s"
            f" (database in {tmp})"
        )
        raw = sqlite3.connect(path)
        review = clinic.review

        results = {}
        for name, (kwargs, where_sql) in FILTERS.items():
            where = ReviewFilter(**kwargs)
            sql = BASELINE.format(where=where_sql, limit=PAGE)
            # Same rows, same order, same flags as the service gives.
            ours_rows = [
                (r.session_id, r.patient_name, r.mrn, r.chair_name, r.red_alert, r.severe_effect)
                for r in review.page(where, 0, PAGE)
            ]
            base_rows = [(r[0], r[2], r[3], r[4], bool(r[8]), bool(r[9])) for r in raw.execute(sql)]
            assert ours_rows == base_rows, f"{name}: the service and the baseline differ"
            data, whole, base, counts = [], [], [], []
            parts: dict[str, list[float]] = {"read": [], "set-up": [], "paint": []}
            for _ in range(args.repeats):
                start = time.perf_counter()
                review.page(where, 0, PAGE)
                data.append(time.perf_counter() - start)

                start = time.perf_counter()
                raw.execute(sql).fetchall()
                base.append(time.perf_counter() - start)

                start = time.perf_counter()
                model = ReviewQueueModel(review.page)
                model.set_filter(where)
                read = time.perf_counter()
                view = ReviewTable()
                view.resize(1000, 800)
                view.setModel(model)
                view.show()
                shown = time.perf_counter()
                view.grab()  # paints every visible cell
                end = time.perf_counter()
                whole.append(end - start)
                parts["read"].append(read - start)
                parts["set-up"].append(shown - read)
                parts["paint"].append(end - shown)
                assert model.rowCount() == min(PAGE, len(ours_rows))
                view.close()
                view.deleteLater()
                QApplication.processEvents()

                start = time.perf_counter()
                review.count(where)
                counts.append(time.perf_counter() - start)
            results[name] = (data, whole, base, counts, parts)
            plan = raw.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            print(f"\n[{name}] baseline plan: " + " | ".join(p[3] for p in plan))
        raw.close()
        clinic.close()

    ms = 1000.0
    for name, (data, whole, base, counts, parts) in results.items():
        b50, b99 = percentile(base, 50) * ms, percentile(base, 99) * ms
        d50, d99 = percentile(data, 50) * ms, percentile(data, 99) * ms
        w50, w99 = percentile(whole, 50) * ms, percentile(whole, 99) * ms
        print(f"\n{name}: first page of {PAGE}, {len(data)} runs")
        print(f"  baseline hand-written SQL via sqlite3:     p50 {b50:6.2f} ms, p99 {b99:6.2f} ms")
        print(f"  ReviewService.page (the data path):        p50 {d50:6.2f} ms, p99 {d99:6.2f} ms")
        print(f"    ratio p50 {d50 / b50:.2f} (target <= 2), p99 {d99 / b99:.2f}")
        print(f"  whole opening, painted (model+view+paint): p50 {w50:6.2f} ms, p99 {w99:6.2f} ms")
        print(
            f"    for information (the baseline paints nothing): {w50 / b50:.1f} x the SQL;"
            " painting ~30 rows of text is Qt's work, the same over 100 or 100,000 sessions"
        )
        split = ", ".join(f"{k} {statistics.median(v) * ms:.2f}" for k, v in parts.items())
        print(f"    p50 of its parts (ms): {split}")
        print(
            f"  ReviewService.count (after the first paint): p50 "
            f"{statistics.median(counts) * ms:.2f} ms"
        )


if __name__ == "__main__":
    main()
