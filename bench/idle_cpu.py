"""CPU used by an idle board with 16 chairs, all infusing, over 30 s of wall time.

Target: <= 1% of one core. The bare PySide6 window is measured the same way as a floor.
The board runs with its live refresh (ketamon.storage.live) on, over SQLite (a check of
PRAGMA data_version each second) and over PostgreSQL (a LISTEN thread asleep on its
socket): a server of its own (tests/pg.py), or a scratch database made through
KETAMON_BENCH_POSTGRES_URL (a login that may create databases) when that is set.
Run: .venv/bin/python bench/idle_cpu.py [--seconds 30] [--quick] [--backend sqlite|postgresql]
(--quick: 4 chairs over 1 s, to check the bench still works; its figures mean little)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TICK = os.sysconf("SC_CLK_TCK")
IDLE_BARE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1]); label = QLabel("Hello"); label.show(); app.exec()
"""


def build_database(url: str, chairs: int) -> None:
    from ketamon.domain.actors import Actor
    from ketamon.domain.patients import PatientDraft
    from ketamon.services.clinic import Clinic

    clinic = Clinic.open(url)
    actor = Actor("bench")
    clinic.users.create_first_admin("bench", "Bench Nurse", "RN", "bench password", "nurse,admin")
    try:
        existing = clinic.chairs.ensure_defaults(actor)
        for i in range(len(existing) + 1, chairs + 1):
            clinic.chairs.add(actor, f"Chair {i}")
        for i, chair in enumerate(clinic.chairs.all()):
            patient = clinic.patients.register(
                actor, PatientDraft(f"B-{i:03d}", f"Bench Patient {i}", date(1980, 1, 1), 70.0)
            )
            session = clinic.sessions.check_in(actor, chair.id, patient.id, 40)
            clinic.sessions.start(
                actor,
                session.id,
                no_plan_reason="benchmark",
                no_escort_reason="benchmark",
                no_questionnaire_reason="benchmark",
                no_baseline_reason="benchmark",
            )
    finally:
        clinic.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def measure(cmd: list[str], env: dict[str, str], seconds: float, settle: float) -> float:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(settle)
        if proc.poll() is not None:
            raise SystemExit(f"{cmd} exited early with {proc.returncode}")
        cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(seconds)
        cpu1, wall1 = cpu_seconds(proc.pid), time.monotonic()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 100.0 * (cpu1 - cpu0) / (wall1 - wall0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--chairs", type=int, default=16)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], help="default: both")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="seconds, not minutes: the same code path on a small case (make test runs it)",
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.chairs = 1.0, 4
    board_settle, bare_settle = (2, 1) if args.quick else (5, 3)
    backends = [args.backend] if args.backend else ["sqlite", "postgresql"]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KETAMON_DATA_DIR=tmp)
        env.pop("KETAMON_QUIT_WHEN_IDLE", None)
        boards = {}
        for backend in backends:
            with database(backend, Path(tmp)) as url:
                build_database(url, args.chairs)
                boards[backend] = measure(
                    [
                        sys.executable,
                        str(ROOT / "bench" / "board_window.py"),
                        url,
                        "bench",
                        "--stay",
                    ],
                    env,
                    args.seconds,
                    settle=board_settle,
                )
        bare = measure([sys.executable, "-c", IDLE_BARE], env, args.seconds, settle=bare_settle)
    print(f"idle bare PySide6 window: {bare:.2f}% of one core over {args.seconds:.0f} s")
    for backend, board in boards.items():
        ratio = f"{board / bare:.2f}" if bare > 0 else "n/a (the bare window used no CPU)"
        print(f"ratio board / bare window: {ratio} ({backend}; the target is the board's own 1%)")
    for backend, board in boards.items():
        print(
            f"idle board, {args.chairs} chairs infusing, {backend}, live refresh on: "
            f"{board:.2f}% of one core over {args.seconds:.0f} s (target <= 1%) "
            f"{'OK' if board <= 1 else 'OVER TARGET'}"
        )


@contextlib.contextmanager
def database(backend: str, tmp: Path) -> Iterator[str]:
    """A new, empty database's URL on `backend`, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'sixteen.sqlite3'}"
        return
    from tests.pg import TestServer

    given = os.environ.get("KETAMON_BENCH_POSTGRES_URL")
    server = None if given else TestServer()
    if server is not None:
        server.start()
    admin = create_engine(given or server.url(), isolation_level="AUTOCOMMIT")
    name = f"ketamon_bench_{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()
        if server is not None:
            server.remove()


if __name__ == "__main__":
    main()
