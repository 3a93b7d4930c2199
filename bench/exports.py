"""Exports of a busy clinic's year (1,500 sessions) and of ten (15,000), as CSV and as a
FHIR Bundle: wall time and peak memory of each, against a plain `csv` dump of the same
tables by the sqlite3 module (`SELECT *`, csv.writer), measured in the same run.

Each export runs in a process of its own so its peak memory (ru_maxrss) is its own; the
growth above the process's memory just before exporting is printed too. Streamed exports
keep that growth flat from one year to ten: the line `memory growth` says by how much it
changed when the clinic grew tenfold.

The database is the real migrated schema filled by bulk inserts (review_list.fill: events,
four vitals sets, side effects, discharge records and signatures per session), plus a
dose record and eight more vitals sets a session, so a session carries what a real one
does. Run: .venv/bin/python bench/exports.py [--sessions N ...] [--quick]
(--quick: 150 sessions, to check the bench still works; its ratios mean little)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from review_list import NOW, fill  # noqa: E402

from ketamon.domain.actors import Actor  # noqa: E402
from ketamon.domain.clock import FakeClock  # noqa: E402
from ketamon.domain.exports import CSV_FILES  # noqa: E402

ADMIN = Actor("bench.admin", "Bench Admin, RN")
SINCE, UNTIL = date(2018, 1, 1), date(2026, 12, 31)  # every session the fill makes


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """This process's high-water mark (VmHWM: ru_maxrss would carry the parent's peak
    across fork and exec)."""
    with open("/proc/self/status") as handle:
        line = next(x for x in handle if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def child(kind: str, db: Path, out: Path) -> None:
    """One measurement, in this process: prints {seconds, peak, growth} as JSON."""
    if kind == "dump":
        before = rss_mb()
        start = time.perf_counter()
        raw = sqlite3.connect(db)
        out.mkdir()
        for name, table in CSV_FILES:
            with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                cursor = raw.execute(f"SELECT * FROM {table}")
                writer.writerow(c[0] for c in cursor.description)
                writer.writerows(cursor)
        raw.close()
    else:
        from ketamon.services.clinic import Clinic

        clinic = Clinic.open(f"sqlite:///{db}")
        before = rss_mb()
        start = time.perf_counter()
        if kind == "csv":
            clinic.exports.csv(ADMIN, SINCE, UNTIL, out)
        else:
            clinic.exports.fhir(ADMIN, out, since=SINCE, until=UNTIL)
        clinic.close()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak": peak_mb(), "growth": peak_mb() - before}))


def child_json(script: str, kind: str, *args: str) -> dict[str, float]:
    """Run `script --child KIND ARGS` in a process of its own (its memory its own); the
    JSON it prints last."""
    done = subprocess.run(
        [sys.executable, script, "--child", kind, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(kind: str, db: Path, out: Path) -> dict[str, float]:
    return child_json(__file__, kind, str(db), str(out))


def build(path: Path, sessions: int) -> None:
    from ketamon.services.clinic import Clinic

    clinic = Clinic.open(f"sqlite:///{path}", FakeClock(NOW))  # the real, migrated schema
    clinic.users.create_first_admin(
        "bench.admin", "Bench Admin", "RN", "bench pass 123!", roles="nurse,admin"
    )
    clinic.close()
    fill(path, sessions)
    db = sqlite3.connect(path)
    for name in [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]:
        db.execute(f"DROP TRIGGER {name}")  # a bench database: bulk rows after signing
    db.execute(
        "INSERT INTO dose_record (session_id, weight_kg, mg_per_kg, planned_mg,"
        " concentration_mg_ml, planned_rate_ml_h, lot_number, planned_by, planned_at,"
        " actual_mg, wasted_mg, over_plan_reason, witness, completed_by, completed_at)"
        " SELECT id, 72.5, 0.5, 36.25, 1.0, 54.4, 'LOT-' || (id % 40), 'bench.admin',"
        " checked_in_at, 36.0, 0.25, '', 'nurse.kim', 'bench.admin', checked_in_at"
        " FROM infusion_session"
    )
    for extra in range(8):
        db.execute(
            "INSERT INTO vitals_set (session_id, taken_at, phase, systolic, diastolic,"
            " heart_rate, spo2, resp_rate, note, entered_by, entered_at, status, status_reason)"
            " SELECT session_id, taken_at, phase, systolic + ?, diastolic, heart_rate, spo2,"
            " resp_rate, '', entered_by, entered_at, 'current', '' FROM vitals_set"
            " WHERE id IN (SELECT MIN(id) FROM vitals_set GROUP BY session_id)",
            (extra + 1,),
        )
    db.commit()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, nargs="+", default=[1_500, 15_000])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, db, out = args.child
        child(kind, Path(db), Path(out))
        return
    sizes = [150] if args.quick else args.sessions
    growth: dict[str, list[float]] = {"csv": [], "fhir": []}
    ratios: dict[str, float] = {}
    with tempfile.TemporaryDirectory(
        dir=ROOT / "build" if (ROOT / "build").is_dir() else None
    ) as tmp:
        for n in sizes:
            db = Path(tmp) / f"bench-{n}.sqlite3"
            t0 = time.perf_counter()
            build(db, n)
            raw = sqlite3.connect(db)
            rows = sum(
                raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for _k, t in CSV_FILES
            )
            raw.close()
            print(f"{n} sessions, {rows} rows in the exported tables (built in "
                  f"{time.perf_counter() - t0:.1f} s)")  # fmt: skip
            base = measure("dump", db, Path(tmp) / f"dump-{n}")
            print(f"  sqlite3 csv dump: {base['seconds']:.2f} s, peak {base['peak']:.0f} MB")
            for kind, out in (("csv", Path(tmp) / f"csv-{n}"), ("fhir", Path(tmp) / f"{n}.json")):
                got = measure(kind, db, out)
                ratios[kind] = got["seconds"] / base["seconds"]
                growth[kind].append(got["growth"])
                size = out.stat().st_size if out.is_file() else sum(
                    p.stat().st_size for p in out.iterdir()
                )  # fmt: skip
                print(
                    f"  {kind}: {got['seconds']:.2f} s ({ratios[kind]:.2f}x the dump), "
                    f"peak {got['peak']:.0f} MB ({got['peak'] / base['peak']:.2f}x), "
                    f"+{got['growth']:.0f} MB while exporting, {size / 2**20:.1f} MB written"
                )
    print(f"ratio csv time {ratios['csv']:.2f} fhir time {ratios['fhir']:.2f} (largest size)")
    if len(sizes) > 1:
        for kind, grew in growth.items():
            print(
                f"memory growth {kind}: +{grew[0]:.0f} MB at {sizes[0]} sessions, "
                f"+{grew[-1]:.0f} MB at {sizes[-1]}"
            )


if __name__ == "__main__":
    main()
