"""Start-up: launch -> the first window shown and idle, against a bare PySide6 window.

Builds a database with a year of history for 6 chairs (~1,500 sessions), then runs each
program 10 times, alternating, and prints the medians and their ratio (target <= 1.5,
aim 1.3). The first window is the sign-in window of `python -m ketamon --db URL`, shown
before the data layer is imported (ui/launch.py); both programs write the moment their
window is shown and the event loop idle (KETAMON_STARTUP_TRACE), measured from the
moment the bench started the process. Also printed: when KetaMon's sign-in is ready (the
clinic open behind the window), the board path for a signed-in user (bench/board_window.py,
process start to the board shown and idle, the password check excluded), and the floor: the
bare window in a process that first imports SQLAlchemy's ORM.
Run: .venv/bin/python bench/startup.py [--runs N] [--sessions N] [--quick]
(--quick: 1 run over 30 sessions, to check the bench still works; its ratio means little)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ketamon.demo.data import DEMO_PASSWORD  # noqa: E402


def build_database(path: Path, sessions: int) -> None:
    from ketamon.demo.seed import seed_history
    from ketamon.domain.actors import Actor
    from ketamon.services.clinic import Clinic

    clinic = Clinic.open(f"sqlite:///{path}")
    try:
        seed_history(clinic, Actor("bench"), sessions=sessions)  # also adds the demo staff
    finally:
        clinic.close()


def traced(cmd: list[str], env: dict[str, str], trace: Path) -> dict[str, float]:
    """Seconds from starting `cmd` to each event it traces (shown, ready)."""
    trace.unlink(missing_ok=True)
    start = time.time()
    subprocess.run(
        cmd,
        env=dict(env, KETAMON_STARTUP_TRACE=str(trace), KETAMON_QUIT_WHEN_IDLE="1"),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    events = (line.split() for line in trace.read_text().splitlines())
    return {name: float(moment) - start for name, moment in events}


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
        first = [sys.executable, "-m", "ketamon", "--db", f"sqlite:///{db}"]
        trace = Path(tmp) / "trace.txt"
        timed(app, env), timed(bare, env), traced(first, env, trace)  # warm the file cache
        floor = [*bare, "--with-orm"]
        app_times, bare_times, floor_times, shown, ready, bare_shown = [], [], [], [], [], []
        signin = [
            sys.executable,
            str(ROOT / "bench" / "signin_board.py"),
            f"sqlite:///{db}",
            "nurse.alvarez",
            DEMO_PASSWORD,
        ]
        checks, boards = [], []
        for _ in range(args.runs):
            done = subprocess.run(signin, env=env, check=True, capture_output=True, text=True)
            parts = json.loads(done.stdout.strip().splitlines()[-1])
            checks.append(parts["check"])
            boards.append(parts["board"])
            first_run = traced(first, env, trace)
            shown.append(first_run["shown"])
            ready.append(first_run["ready"])
            bare_shown.append(traced(bare, env, trace)["shown"])
            app_times.append(timed(app, env))
            bare_times.append(timed(bare, env))
            floor_times.append(timed(floor, env))
    ms = lambda values: statistics.median(values) * 1000  # noqa: E731
    print(
        f"bare PySide6 window: shown and idle {ms(bare_shown):.0f} ms after launch "
        f"(median of {args.runs}); its whole process {ms(bare_times):.0f} ms"
    )
    print(
        f"KetaMon first window (sign-in): shown and idle {ms(shown):.0f} ms after launch; "
        f"sign-in ready (data layer in, clinic open) {ms(ready):.0f} ms"
    )
    ratio = ms(shown) / ms(bare_shown)
    verdict = "OK" if ratio <= 1.5 else "OVER TARGET"
    print(f"ratio: {ratio:.2f} (first window / bare window; target <= 1.5, aim 1.3) {verdict}")
    print(
        f"  sign-in ready / bare window: {ms(ready) / ms(bare_shown):.2f}; board path for a "
        f"signed-in user (process start to the board shown and idle, no password check): "
        f"{ms(app_times):.0f} ms, {ms(app_times) / ms(bare_times):.2f}x the bare process"
    )
    board_ratio = ms(boards) / ms(bare_times)
    print(
        f"sign-in -> board painted: the password check {ms(checks):.0f} ms (argon2, not "
        f"counted), then the board {ms(boards):.0f} ms = {board_ratio:.2f}x the bare window's "
        f"whole start (target <= 1.0)"
    )
    print(
        f"floor: the bare window after `import sqlalchemy.orm` (no KetaMon code): median "
        f"{ms(floor_times):.0f} ms, ratio {ms(floor_times) / ms(bare_times):.2f} to the bare window"
    )


if __name__ == "__main__":
    main()
