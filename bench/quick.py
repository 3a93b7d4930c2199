"""Every benchmark in bench/ in its --quick mode, so a bench that breaks is noticed by
`make test` (make bench-quick), not months later when someone wants its figures.

Each bench runs in its own process, headless (QT_QPA_PLATFORM=offscreen), with a scratch
data folder (anchors and logs never go to the real one) and no KETAMON_DB. Each must exit
with 0 and print its ratio line; the ratio's value is never judged here (a quick run on a
busy machine measures little). Prints each bench's wall time and the total.
Run: .venv/bin/python bench/quick.py [NAME ...]   (names as in BENCHES, default all)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every bench, and its ratio line (bare_window.py and board_window.py are what startup.py
# and idle_cpu.py start, not benches of their own).
BENCHES = {
    "startup.py": r"^ratio: \d+\.\d\d ",
    "idle_cpu.py": r"^ratio board / bare window: (\d+\.\d\d|n/a)",
    "vitals_save.py": r"^save→painted vs floor: \d+\.\d\d ",
    "summary_pdf.py": r"^\s*ratio p50 \d+\.\d\d ",
    "review_list.py": r"^\s*ratio p50 \d+\.\d\d ",
    "postgres.py": r"^ratio PostgreSQL / SQLite: board load \d+\.\d\d ",
    "exports.py": r"^ratio csv time \d+\.\d\d fhir time \d+\.\d\d ",
    "verify.py": r"^ratio verify time \d+\.\d\d µs a row ",
    "history.py": r"^ratio ten years / one year: board \d+\.\d\d,",
    "upgrade.py": r"^ratio upgrade / floor: \d+\.\d\d ",
}
HELPERS = {"bare_window.py", "board_window.py", "signin_board.py", "quick.py"}
TIMEOUT = 180  # seconds per bench: a hung bench fails instead of hanging make test


def run(name: str, data_dir: Path) -> tuple[bool, float, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KETAMON_DATA_DIR=str(data_dir))
    for variable in ("KETAMON_DB", "KETAMON_ANCHOR_COPY", "KETAMON_QUIT_WHEN_IDLE"):
        env.pop(variable, None)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / name), "--quick"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as error:
        out = (error.stdout or b"").decode() if isinstance(error.stdout, bytes) else ""
        return False, time.perf_counter() - start, f"timed out after {TIMEOUT} s\n{out}"
    took = time.perf_counter() - start
    if done.returncode != 0:
        return False, took, f"exit {done.returncode}\n{done.stdout}{done.stderr}"
    found = re.search(BENCHES[name] + ".*$", done.stdout, re.MULTILINE)
    if not found:
        return False, took, f"no ratio line ({BENCHES[name]!r}) in:\n{done.stdout}"
    return True, took, found.group(0).strip()


def main(argv: list[str]) -> int:
    present = {p.name for p in (ROOT / "bench").glob("*.py")} - HELPERS
    unknown = present - set(BENCHES)
    if unknown:  # a new bench is run here too: add it to BENCHES with its ratio line
        print(f"bench/quick.py: not in BENCHES: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 1
    names = argv or list(BENCHES)
    failed = []
    total = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ketamon-bench-") as tmp:
        for name in names:
            ok, took, text = run(name, Path(tmp) / name.removesuffix(".py"))
            print(f"bench {name:<16} {'ok  ' if ok else 'FAIL'} {took:5.1f} s  {text}")
            if not ok:
                failed.append(name)
    print(
        f"quick benches: {len(names) - len(failed)}/{len(names)} ran, "
        f"{time.perf_counter() - total:.1f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
