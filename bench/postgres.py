"""KetaMon on a shared PostgreSQL server against the same KetaMon on a SQLite file, in one run.

Both databases get the same clinic: a year of history (default 1,500 past sessions, the
demo staff) and a patient in every chair, infusion running. Then, alternating between the two:

- board load: what the chair board reads on each refresh (`clinic.board.get()`), and a cold
  open (`Clinic.open` with its migration check, then the board), median of each;
- vitals save: the round trip of one vitals set through the real service
  (`clinic.vitals.record`: validation, permission check, audited transaction, commit),
  p50 and p99.

Prints each figure and the PostgreSQL / SQLite ratios (target: board load <= 1.3).
The server is the test suite's own (tests/pg.py: started here in a temporary folder, a Unix
socket, fsync off) unless KETAMON_BENCH_POSTGRES_URL names one (a login that may create
databases: a real server with fsync on is the figure that matters for a clinic).
Run: .venv/bin/python bench/postgres.py [--sessions N] [--runs N] [--saves N] [--quick]
(--quick: 30 sessions, 3 runs, 5 saves, to check the bench still works)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event  # noqa: E402

from ketamon.demo.seed import seed_history  # noqa: E402
from ketamon.domain.actors import Actor  # noqa: E402
from ketamon.domain.clock import FakeClock  # noqa: E402
from ketamon.domain.patients import PatientDraft  # noqa: E402
from ketamon.domain.vitals import VitalsDraft  # noqa: E402
from ketamon.services.clinic import Clinic  # noqa: E402
from tests.pg import TestServer  # noqa: E402

DATABASE = f"ketamon_bench_{os.getpid()}"
NURSE = Actor("nurse.chen")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def build(url: str, sessions: int) -> None:
    """A year of history (and the demo staff), then a patient in every chair, running."""
    clinic = Clinic.open(url)
    try:
        seed_history(clinic, Actor("bench"), sessions=sessions)
        for i, chair in enumerate(clinic.chairs.all()):
            patient = clinic.patients.register(
                NURSE, PatientDraft(f"BOARD-{i}", f"Board Patient {i}", date(1980, 1, 1), 70.0)
            )
            sid = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40).id
            clinic.vitals.record(NURSE, sid, VitalsDraft(124, 78, 72, 98, 14))
            clinic.sessions.start(
                NURSE,
                sid,
                no_plan_reason="benchmark",
                no_escort_reason="benchmark",
                no_questionnaire_reason="benchmark",
            )
        if clinic.db.engine.dialect.name == "postgresql":
            # What the server's autovacuum does within a minute of a load like this one (its
            # planner then knows the tables' sizes and the values in their columns).
            with clinic.db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
    finally:
        clinic.close(anchor=False)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def cold_open(url: str) -> None:
    clinic = Clinic.open(url)
    try:
        clinic.board.get()
    finally:
        clinic.close(anchor=False)


def an_active_session(clinic: Clinic) -> int:
    board = clinic.board.get()
    running = [s for s in board.sessions.values() if s.phase.active]
    return running[0].id


def board_statements(clinic: Clinic) -> list[tuple[str, object]]:
    """The SQL (and parameters) one board read sends, as the driver received it."""
    sent: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    event.listen(clinic.db.engine, "before_cursor_execute", seen)
    try:
        clinic.board.get()
    finally:
        event.remove(clinic.db.engine, "before_cursor_execute", seen)
    return sent


def driver_floor(clinic: Clinic, statements: list[tuple[str, object]]) -> float:
    """The same statements through the database driver alone (no ORM, no KetaMon), in one
    transaction on a connection from the pool, rows fetched: what the backend and its
    driver cost before KetaMon does anything."""
    start = time.perf_counter()
    raw = clinic.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="seconds: the same code paths")
    args = parser.parse_args()
    if args.quick:
        args.sessions, args.runs, args.saves = 30, 3, 5

    server = None
    external = os.environ.get("KETAMON_BENCH_POSTGRES_URL")
    if external:
        admin_url = external
    else:
        server = TestServer()
        server.start()
        admin_url = server.url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {DATABASE}")
        pg_url = admin.url.set(database=DATABASE).render_as_string(hide_password=False)
        with tempfile.TemporaryDirectory() as tmp:
            sqlite_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            urls = {"SQLite": sqlite_url, "PostgreSQL": pg_url}
            for name, url in urls.items():
                t0 = time.perf_counter()
                build(url, args.sessions)
                print(f"{name}: {args.sessions} past sessions + the demo board built in "
                      f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
            run(urls, args)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.dispose()
        if server is not None:
            server.remove()


def run(urls: dict[str, str], args: argparse.Namespace) -> None:
    ms = 1000.0
    clock = FakeClock(datetime.now(UTC))
    clinics = {name: Clinic.open(url, clock) for name, url in urls.items()}
    try:
        sessions = {name: an_active_session(c) for name, c in clinics.items()}
        board: dict[str, list[float]] = {name: [] for name in urls}
        cold: dict[str, list[float]] = {name: [] for name in urls}
        save: dict[str, list[float]] = {name: [] for name in urls}
        floor: dict[str, list[float]] = {name: [] for name in urls}
        replay = {name: board_statements(c) for name, c in clinics.items()}
        for name, clinic in clinics.items():  # warm each once
            clinic.board.get()
            cold_open(urls[name])
            driver_floor(clinic, replay[name])
        for _ in range(args.runs):
            for name, clinic in clinics.items():
                board[name].append(timed(clinic.board.get))
                floor[name].append(driver_floor(clinic, replay[name]))
                cold[name].append(timed(lambda u=urls[name]: cold_open(u)))
        for k in range(args.saves):
            clock.advance(seconds=30)
            draft = VitalsDraft(120 + k % 20, 78, 70 + k % 15, 97, 14)
            for name, clinic in clinics.items():
                sid = sessions[name]
                save[name].append(
                    timed(lambda c=clinic, s=sid, d=draft: c.vitals.record(NURSE, s, d))
                )
    finally:
        for clinic in clinics.values():
            clinic.close(anchor=False)

    def median(values: list[float]) -> float:
        return statistics.median(values) * ms

    for name in urls:
        print(
            f"{name:<10} board.get median {median(board[name]):7.2f} ms, cold open + board "
            f"median {median(cold[name]):7.2f} ms, vitals save p50 "
            f"{percentile(save[name], 50) * ms:6.2f} ms p99 {percentile(save[name], 99) * ms:6.2f}"
            f" ms ({args.runs} board runs, {len(save[name])} saves)"
        )
    for name in urls:
        print(
            f"{name:<10} the board's {len(replay[name])} statements through the driver alone "
            f"(one transaction, rows fetched): median {median(floor[name]):6.2f} ms"
        )
    extra = median(floor["PostgreSQL"]) - median(floor["SQLite"])
    own = median(board["SQLite"]) - median(floor["SQLite"])
    print(
        f"floor: the server's round trips and its driver add {extra:.2f} ms to any read of "
        f"these statements; with KetaMon's own work ({own:.2f} ms on SQLite) the board could "
        f"at best be {(own + median(floor['PostgreSQL'])) / median(board['SQLite']):.2f}x "
        "SQLite on PostgreSQL, whatever KetaMon does"
    )
    board_ratio = median(board["PostgreSQL"]) / median(board["SQLite"])
    cold_ratio = median(cold["PostgreSQL"]) / median(cold["SQLite"])
    s50 = percentile(save["PostgreSQL"], 50) / percentile(save["SQLite"], 50)
    s99 = percentile(save["PostgreSQL"], 99) / percentile(save["SQLite"], 99)
    print(
        f"ratio PostgreSQL / SQLite: board load {board_ratio:.2f} (target <= 1.3) "
        f"{'OK' if board_ratio <= 1.3 else 'OVER TARGET'}, cold open {cold_ratio:.2f}, "
        f"vitals save p50 {s50:.2f} p99 {s99:.2f}"
    )


if __name__ == "__main__":
    main()
