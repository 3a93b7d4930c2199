"""Start-up: process start -> board shown and idle, against a bare PySide6 window.

Builds a database with a year of history for 6 chairs (~1,500 sessions), then runs each
program 10 times, alternating, and prints the medians and their ratio (target <= 1.5).
Also prints the floor: the same bare window in a process that first imports SQLAlchemy's
ORM, the least any program on the required stack loads before it reads a database.
Run: .venv/bin/python bench/startup.py [--runs N] [--sessions N] [--quick]
(--quick: 1 run over 30 sessions, to check the bench still works; its ratio means little)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_database(path: Path, sessions: int) -> None:
    from ketamon.demo.seed import seed_history
    from ketamon.domain.actors import Actor
    from ketamon.services.clinic import Clinic

    clinic = Clinic.open(f"sqlite:///{path}")
    try:
        seed_history(clinic, Actor("bench"), sessions=sessions)  # also adds the demo staff
    finally:
        clinic.close()


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=1500)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="seconds, not minutes: the same code path on a small case (make test runs it)",
    )
    args = parser.parse_args()
    if args.quick:
        args.runs, args.sessions = 1, 30
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "year.sqlite3"
        t0 = time.perf_counter()
        build_database(db, args.sessions)
        print(f"database: {args.sessions} sessions built in {time.perf_counter() - t0:.1f} s")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KETAMON_DATA_DIR=tmp)
        app = [
            sys.executable,
            str(ROOT / "bench" / "board_window.py"),
            f"sqlite:///{db}",
            "nurse.alvarez",
        ]
        bare = [sys.executable, str(ROOT / "bench" / "bare_window.py")]
        timed(app, env), timed(bare, env)  # warm the file cache once
        floor = [*bare, "--with-orm"]
        app_times, bare_times, floor_times = [], [], []
        for _ in range(args.runs):
            app_times.append(timed(app, env))
            bare_times.append(timed(bare, env))
            floor_times.append(timed(floor, env))
    app_median = statistics.median(app_times)
    bare_median = statistics.median(bare_times)
    floor_median = statistics.median(floor_times)
    print(f"bare PySide6 window: median {bare_median * 1000:.0f} ms over {args.runs} runs")
    print(f"KetaMon board:       median {app_median * 1000:.0f} ms over {args.runs} runs")
    ratio = app_median / bare_median
    print(f"ratio: {ratio:.2f} (target <= 1.5) {'OK' if ratio <= 1.5 else 'OVER TARGET'}")
    print(
        f"floor: the bare window after `import sqlalchemy.orm` (no KetaMon code): median "
        f"{floor_median * 1000:.0f} ms, ratio {floor_median / bare_median:.2f} to the bare window"
    )


if __name__ == "__main__":
    main()
