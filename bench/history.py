"""What the nurse and the physician wait for, at one clinic-year and at ten: the board's
read, the review list's first page, a discharge summary's snapshot and the start to the
sign-in ready, each of which reads only what it shows and so should not grow with the
clinic's history (issue 19). The floor is the same measure at one year, in the same run:
the ratio printed is ten years / one year (1.0 = flat).

Each database is built through the services (demo.seed.seed_history: real sessions and
audit rows), then a patient is checked in and infusing in every chair. Medians of 30
(board, review, summary: in this process, warm) and of 5 starts (a process each, as
`ketamon --db URL` starts: launch to the sign-in ready, bench/startup.py's trace).
Run: .venv/bin/python bench/history.py [--sessions N M] [--quick]
(--quick: 30 and 150 sessions, to check the bench still works; its figures mean little)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from postgres import build  # noqa: E402  (a year of history, a patient in every chair)
from startup import traced  # noqa: E402

from ketamon.services.clinic import Clinic  # noqa: E402
from ketamon.services.review import ReviewFilter  # noqa: E402

PAGE = 200


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(path: Path, runs: int, starts: int, folder: Path) -> dict[str, float]:
    url = f"sqlite:///{path}"
    clinic = Clinic.open(url)
    try:
        last = clinic.review.page(ReviewFilter(), 0, 1)
        assert last, "no finished session to summarise"
        newest = last[0].session_id
        figures = {
            "board": median_ms(clinic.board.get, runs),
            "review": median_ms(lambda: clinic.review.page(ReviewFilter(), 0, PAGE), runs),
            "summary": median_ms(lambda: clinic.summary.snapshot(newest), runs),
        }
    finally:
        clinic.close(anchor=False)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KETAMON_DATA_DIR=str(folder))
    env.pop("KETAMON_DB", None)
    start = [sys.executable, "-m", "ketamon", "--db", url]
    trace = folder / "trace.txt"
    traced(start, env, trace)  # warm the file cache
    figures["start"] = statistics.median(
        traced(start, env, trace)["ready"] * 1000 for _ in range(starts)
    )
    return figures


NAMES = {
    "board": "board read (clinic.board.get)",
    "review": f"review list, first page ({PAGE} rows)",
    "summary": "summary snapshot (newest session)",
    "start": "launch → sign-in ready",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs=2, default=[1500, 15000])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes, runs, starts = (args.sessions, 30, 5) if not args.quick else ([30, 150], 3, 1)
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="ketamon-bench-history-") as tmp:
        folder = Path(tmp)
        for sessions in sizes:
            db = folder / f"history-{sessions}.sqlite3"
            began = time.perf_counter()
            build(f"sqlite:///{db}", sessions)
            built = time.perf_counter() - began
            results[sessions] = measure(db, runs, starts, folder)
            size = db.stat().st_size / 2**20
            print(f"{sessions} sessions (built in {built:.0f} s, {size:.0f} MB):")
            for key, name in NAMES.items():
                print(f"  {name:<40} {results[sessions][key]:8.2f} ms")
            db.unlink()
    one, ten = (results[n] for n in sizes)
    for key, name in NAMES.items():
        print(f"{name:<42} {ten[key] / one[key]:.2f}x at {sizes[1]} vs {sizes[0]}")
    print(
        "ratio ten years / one year: "
        + ", ".join(f"{key} {ten[key] / one[key]:.2f}" for key in NAMES)
        + " (1.0 = flat)"
    )


if __name__ == "__main__":
    main()
