"""Saving a vitals set: the 50th set of a session saved through the real service, then the
session window's chart and table refreshed and repainted, against the same window
repainted whole with no save at all (issue 19's floor: target save->painted <= 1.0x it).
Prints `save→painted vs floor: R` and the p50 and p99 of each part (record, refresh,
paint). The chart repaints only the strip around the new set (ketamon/ui/vitals_chart.py).

KetaMon: `clinic.vitals.record` (validation, permission check, audited transaction,
synchronous=FULL commit in WAL), then `SessionWindow.refresh_vitals(new_set)`, what the
window does after its own save (places the set among those it holds, setData on the chart
items whose data changed, inserts the table row, rewrites the header), then the event loop
runs until Qt has painted what changed. A paint counter on the chart's and the table's
viewports checks that both were really painted for every save (QWidget.repaint() on the
window does not repaint a QGraphicsView's viewport, so it would under-count).

Floor: the same window, everything in it marked for repainting (the window, the chart's
and the table's viewports), the event loop run until Qt has painted it; no database work,
no data change. For information, the first round's baseline as well: a raw sqlite3
INSERT + COMMIT of the same values into a file on the same disk (journal_mode=WAL,
synchronous=FULL), then a bare pyqtgraph PlotWidget of the chart's size
given the same 50-point series with setData, painted the same way (event loop, paint
counted on its viewport).

Each of the N timed saves (default 200) is the 50th set of its own session: N sessions are
checked in (one per chair), each given a baseline, started and given 48 more sets through the
service before timing starts; each session's window is opened (not timed) just before its
save and closed after. Qt runs offscreen.
Run: .venv/bin/python bench/vitals_save.py [--saves N] [--quick]
(--quick: 2 saves, to check the bench still works; its ratio means little)
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ketamon.domain.actors import Actor  # noqa: E402
from ketamon.domain.clock import FakeClock  # noqa: E402
from ketamon.domain.patients import PatientDraft  # noqa: E402
from ketamon.domain.vitals import VitalsDraft  # noqa: E402

ADMIN = Actor("bench.admin", "Bench Admin, RN")
PREFILL = 49  # sets already in each session before the timed save


def series_value(k: int) -> VitalsDraft:
    """A plausible set, varying a little (some amber, occasionally red)."""
    return VitalsDraft(
        systolic=118 + (k * 7) % 70,
        diastolic=70 + (k * 3) % 30,
        heart_rate=62 + (k * 5) % 60,
        spo2=91 + k % 9,
        resp_rate=10 + k % 14,
    )


def build(clinic, sessions: int, clock: FakeClock) -> list[int]:
    clinic.users.create_first_admin(
        "bench.admin", "Bench Admin", "RN", "bench pass 123!", roles="nurse,admin"
    )
    for i in range(sessions):
        clinic.chairs.add(ADMIN, f"Bench chair {i + 1}")
    chairs = clinic.chairs.all()
    ids = []
    for i, chair in enumerate(chairs[:sessions]):
        patient = clinic.patients.register(
            ADMIN, PatientDraft(f"BENCH-{i:04d}", f"Patient {i}", date(1980, 1, 1), 70.0)
        )
        ids.append(clinic.sessions.check_in(ADMIN, chair.id, patient.id, 40).id)
    clock.advance(minutes=1)
    for sid in ids:
        clinic.vitals.record(ADMIN, sid, VitalsDraft(124, 78, 72, 98, 14))  # baseline
    clock.advance(minutes=1)
    for sid in ids:
        clinic.sessions.start(  # the dose, escort and questionnaires are not timed
            ADMIN,
            sid,
            no_plan_reason="benchmark",
            no_escort_reason="benchmark",
            no_questionnaire_reason="benchmark",
        )
    for k in range(1, PREFILL):
        clock.advance(minutes=1)
        for sid in ids:
            clinic.vitals.record(ADMIN, sid, series_value(k))
    return ids


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="seconds, not minutes: the same code path on a small case (make test runs it)",
    )
    args = parser.parse_args()
    if args.quick:
        args.saves = 2

    import pyqtgraph as pg
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class Paints(QObject):
        """Counts paint events on the widgets it watches."""

        def __init__(self) -> None:
            super().__init__()
            self.count: dict[int, int] = {}

        def watch(self, widget) -> None:
            widget.installEventFilter(self)

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.count[id(watched)] = self.count.get(id(watched), 0) + 1
            return False

        def painted(self, widget) -> int:
            return self.count.get(id(widget), 0)

    from ketamon.services.clinic import Clinic
    from ketamon.ui.app import application
    from ketamon.ui.session_window import SessionWindow

    application()
    with tempfile.TemporaryDirectory(
        dir=ROOT / "build" if (ROOT / "build").is_dir() else None
    ) as tmp:
        clock = FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
        clinic = Clinic.open(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", clock)
        t0 = time.perf_counter()
        ids = build(clinic, args.saves, clock)
        print(
            f"setup: {len(ids)} sessions x {PREFILL} sets through the service "
            f"in {time.perf_counter() - t0:.1f} s (database in {tmp})"
        )
        clock.advance(minutes=1)

        raw = sqlite3.connect(Path(tmp) / "raw.sqlite3", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=FULL")
        raw.execute(
            "CREATE TABLE vitals (id INTEGER PRIMARY KEY, session_id INTEGER, taken_at TEXT,"
            " systolic INTEGER, diastolic INTEGER, heart_rate INTEGER, spo2 INTEGER,"
            " resp_rate INTEGER)"
        )
        bare: pg.PlotWidget | None = None
        xs = [float(k) for k in range(PREFILL + 1)]

        paints = Paints()
        ours: list[float] = []
        parts: list[tuple[float, float, float]] = []  # record, refresh, paint
        base: list[float] = []
        display: list[float] = []
        for n, sid in enumerate(ids):
            window = SessionWindow.show_for(None, clinic, ADMIN, sid)
            for _ in range(5):  # settled, as a window a nurse has had open a while: what
                QApplication.processEvents()  # its first paints posted is done, not timed
            if bare is None:  # the bare plot gets the chart's own size
                bare = pg.PlotWidget()
                bare.resize(window.chart.view.size())
                curve = bare.plot([], [])
                bare.show()
                paints.watch(bare.viewport())
                QApplication.processEvents()
            chart, table = window.chart.view.viewport(), window.table.viewport()
            paints.watch(chart)
            paints.watch(table)
            before = (paints.painted(chart), paints.painted(table), paints.painted(bare))
            draft = series_value(PREFILL + n)
            ys = [float(series_value(k).systolic) for k in range(PREFILL)] + [draft.systolic]

            start = time.perf_counter()
            new_set = clinic.vitals.record(ADMIN, sid, draft)
            saved = time.perf_counter()
            window.refresh_vitals(new_set)  # what the window does after its own save
            refreshed = time.perf_counter()
            QApplication.processEvents()  # Qt paints what changed
            ours.append(time.perf_counter() - start)
            parts.append((saved - start, refreshed - saved, start + ours[-1] - refreshed))
            assert window.model.rowCount() == PREFILL + 1
            assert paints.painted(chart) > before[0] and paints.painted(table) > before[1]

            start = time.perf_counter()
            raw.execute("BEGIN")
            raw.execute(
                "INSERT INTO vitals (session_id, taken_at, systolic, diastolic, heart_rate,"
                " spo2, resp_rate) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    sid,
                    clock().isoformat(),
                    draft.systolic,
                    draft.diastolic,
                    draft.heart_rate,
                    draft.spo2,
                    draft.resp_rate,
                ),
            )
            raw.execute("COMMIT")
            curve.setData(xs, ys)
            QApplication.processEvents()
            base.append(time.perf_counter() - start)
            assert paints.painted(bare.viewport()) > before[2]

            # The floor: the same window painted again whole, with no database work and no
            # data change at all (what showing this display costs by itself).
            painted = (paints.painted(chart), paints.painted(table))
            start = time.perf_counter()
            window.update()
            chart.update()
            table.update()
            QApplication.processEvents()
            display.append(time.perf_counter() - start)
            assert (paints.painted(chart), paints.painted(table)) > painted

            window.close()
            QApplication.processEvents()  # deleteLater: the window is gone before the next
        raw.close()
        if bare is not None:
            bare.close()
        clinic.close()

    ms = 1000.0
    p50, p99 = percentile(ours, 50) * ms, percentile(ours, 99) * ms
    b50, b99 = percentile(base, 50) * ms, percentile(base, 99) * ms
    f50, f99 = percentile(display, 50) * ms, percentile(display, 99) * ms
    print(f"saves timed: {len(ours)} (each the {PREFILL + 1}th set of its session)")
    print(f"KetaMon  record + chart/table refresh + painted: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"floor    the same window repainted whole, no save: p50 {f50:.2f} ms, p99 {f99:.2f} ms")
    print(f"save→painted vs floor: {p50 / f50:.2f} (p50; target <= 1.0), p99 {p99 / f99:.2f}")
    for index, name in enumerate(("record", "refresh", "paint")):
        part = [p[index] for p in parts]
        median = percentile(part, 50) * ms
        print(
            f"  {name:<8} p50 {median:6.2f} ms, p99 {percentile(part, 99) * ms:6.2f} ms "
            f"({median / f50:.2f}x the floor)"
        )
    print(
        f"first round's baseline (raw INSERT+COMMIT + bare PlotWidget): p50 {b50:.2f} ms, "
        f"p99 {b99:.2f} ms; KetaMon {p50 / b50:.2f}x it"
    )


if __name__ == "__main__":
    main()
