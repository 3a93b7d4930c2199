"""`ketamon audit verify` at one clinic-year (1,500 sessions) and at ten (15,000): wall
time, audit rows per second and peak memory, against a floor measured in the same run:
the sqlite3 module reading the same audit trail in order and hashing each row (SHA-256 of
its columns), which is the least any chain check must do. Then `--since-last-anchor` with
an anchor at the head (the chain not recomputed, everything else whole), as a ratio to the
whole verify. Also the file's size per
session and per clinic-year, and the audit trail's share of it. Since migration 0013 a
record's creation is one row holding all its fields, so rows/s counts records; the field
values verified per second (what a row was before) are printed beside it.

The database is built through the services (demo.seed.seed_history: real sessions, real
audit rows, one per changed field), so the trail is what a clinic's would be. Verify runs
in a process of its own so its peak memory (VmHWM) is its own; `memory growth` is the
peak above the process's memory just before verifying, and stays flat from one year to
ten when verify streams.
Run: .venv/bin/python bench/verify.py [--sessions N ...] [--quick]
(--quick: 150 sessions, to check the bench still works; its figures mean little)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from exports import child_json, peak_mb, rss_mb  # noqa: E402
from startup import build_database  # noqa: E402


def child(kind: str, db: Path) -> None:
    """One measurement in this process: prints {seconds, growth, rows} as JSON."""
    if kind == "floor":
        before = rss_mb()
        start = time.perf_counter()
        raw = sqlite3.connect(db)
        prev = b""
        for row in raw.execute("SELECT * FROM audit_log ORDER BY seq"):
            prev = hashlib.sha256(prev + repr(row).encode()).digest()
        rows = raw.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
        raw.close()
    else:
        from ketamon.services.clinic import Clinic

        # The anchors go in a folder beside the database, never the user's data folder.
        os.environ["KETAMON_DATA_DIR"] = str(db.parent)
        clinic = Clinic.open(f"sqlite:///{db}")
        if kind == "since":  # the day's anchor at the head, as the running board writes it
            clinic.anchors.anchor()
        before = rss_mb()
        start = time.perf_counter()
        report = clinic.audit.verify_report(since_last_anchor=kind == "since")
        if not report.intact:
            raise SystemExit(f"verify found problems: {report.problems[:3]}")
        rows = report.head_seq or 0
        clinic.close(anchor=False)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "growth": peak_mb() - before, "rows": rows}))


def measure(kind: str, db: Path) -> dict[str, float]:
    return child_json(__file__, kind, str(db))


def audit_share(db: Path) -> float:
    """The audit trail's share of the file (its table and indexes), through dbstat."""
    raw = sqlite3.connect(db)
    try:
        total = raw.execute("SELECT SUM(pgsize) FROM dbstat").fetchone()[0]
        audit = raw.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name = 'audit_log' OR name IN "
            "(SELECT name FROM sqlite_master WHERE tbl_name = 'audit_log')"
        ).fetchone()[0]
    except sqlite3.OperationalError:
        return float("nan")  # a sqlite3 built without dbstat
    finally:
        raw.close()
    return audit / total


def field_entries(db: Path) -> int:
    """The field values the trail records: a row per changed field, plus every field of
    each creation row (one row per record since migration 0013; one row per field before,
    so this is the row count the trail would have had then)."""
    raw = sqlite3.connect(db)
    try:
        single = raw.execute("SELECT COUNT(*) FROM audit_log WHERE field NOT LIKE '%*'").fetchone()[
            0
        ]
        created = raw.execute(
            "SELECT COALESCE(SUM((SELECT COUNT(*) FROM json_each(new_value))), 0) "
            "FROM audit_log WHERE field LIKE '%*'"
        ).fetchone()[0]
    finally:
        raw.close()
    return single + created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="*", default=[1500, 15000])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DB"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    sizes = [150] if args.quick else args.sessions
    results = {}
    with tempfile.TemporaryDirectory(prefix="ketamon-bench-verify-") as folder:
        for sessions in sizes:
            db = Path(folder) / f"verify-{sessions}.sqlite3"
            start = time.perf_counter()
            build_database(db, sessions)
            built = time.perf_counter() - start
            size = db.stat().st_size
            floor, verify = measure("floor", db), measure("verify", db)
            since = measure("since", db)
            results[sessions] = verify
            rows = verify["rows"]
            fields = field_entries(db)
            print(
                f"{sessions} sessions (built in {built:.0f} s): {rows:,} audit rows, file "
                f"{size / 2**20:.1f} MB = {size / sessions / 1024:.1f} kB per session, "
                f"audit trail {audit_share(db):.0%} of it"
            )
            print(
                f"  floor (sqlite3 read + SHA-256 a row): {floor['seconds']:.2f} s; verify "
                f"{verify['seconds']:.2f} s = {rows / verify['seconds']:,.0f} rows/s "
                f"({verify['seconds'] / rows * 1e6:.1f} µs a row), {fields:,} field values "
                f"= {fields / verify['seconds']:,.0f} field values/s, "
                f"{verify['seconds'] / sessions * 1e3:.2f} ms a session; memory growth verify "
                f"+{verify['growth']:.0f} MB, floor +{floor['growth']:.0f} MB"
            )
            print(f"  ratio verify / floor: {verify['seconds'] / floor['seconds']:.2f}")
            print(
                f"  --since-last-anchor (anchored at the head): {since['seconds']:.2f} s = "
                f"{since['seconds'] / verify['seconds']:.2f}x the whole verify (the records, "
                "protections, signatures and anchors still checked whole)"
            )
            db.unlink()
    first, last = sizes[0], sizes[-1]
    a, b = results[first], results[last]
    print(
        f"ratio verify time {a['seconds'] / max(a['rows'], 1) * 1e6:.2f} µs a row at {first}, "
        f"{b['seconds'] / max(b['rows'], 1) * 1e6:.2f} at {last}; memory growth "
        f"+{a['growth']:.0f} MB at {first}, +{b['growth']:.0f} MB at {last}"
    )


if __name__ == "__main__":
    main()
