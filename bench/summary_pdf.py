"""Discharge summary PDF: a session with 20 vitals sets, through KetaMon, against Qt
rendering the same HTML to PDF with no application code around it. Prints p50 of each and
the ratio (target: p50 ratio <= 2).

KetaMon: `clinic.summary.snapshot(id)` (one read transaction: session, patient, vitals,
checklist, side effects, medications, dose record, user names) then `write_pdf` (HTML
built from the snapshot, the chart drawn, pages painted with header and footer).

Baseline: the HTML KetaMon produced for that session (built once, outside the timing) given
to a bare QTextDocument with the chart image as a resource and printed with
QTextDocument.print_() to a QPdfWriter at the same resolution and paper.

Run: .venv/bin/python bench/summary_pdf.py [--runs N] [--quick]
(--quick: 1 run, no warm-up, to check the bench still works; its ratio means little)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QUrl  # noqa: E402
from PySide6.QtGui import QFont, QGuiApplication, QPdfWriter, QTextDocument  # noqa: E402

from ketamon.domain.actors import Actor  # noqa: E402
from ketamon.domain.clock import FakeClock  # noqa: E402
from ketamon.domain.discharge import DischargeAnswers, Escort, IvSite, Nausea  # noqa: E402
from ketamon.domain.patients import PatientDraft  # noqa: E402
from ketamon.domain.vitals import VitalsDraft  # noqa: E402
from ketamon.reports.chart import chart_image  # noqa: E402
from ketamon.reports.pdf import page_layout, write_pdf  # noqa: E402
from ketamon.reports.summary_html import CHART_URL, build_html  # noqa: E402

NURSE = Actor("bench.nurse", "Bench Nurse, RN")
WITNESS_PASSWORD = "witness pass 123!"


def build(url: str, clock: FakeClock) -> tuple[object, int]:
    from datetime import date, timedelta

    from ketamon.services.clinic import Clinic

    clinic = Clinic.open(url, clock)
    clinic.users.create_first_admin(
        "bench.nurse", "Bench Nurse", "RN", "bench pass 123!", roles="nurse,admin"
    )
    clinic.chairs.ensure_defaults(NURSE)
    patient = clinic.patients.register(
        NURSE, PatientDraft("BENCH-1", "Bench Patient", date(1980, 1, 1), 70.0)
    )
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    clinic.vitals.record(NURSE, s.id, VitalsDraft(124, 78, 72, 98, 14, sedation=5))
    clinic.dose.plan(NURSE, s.id, 70.0, 0.5, 10, "BENCH-LOT")  # no infusion without a plan
    clinic.discharge.save_escort_plan(
        NURSE, s.id, Escort("Maria Lopez", "Sister", "(212) 555-0143")
    )
    for name, items in (("PHQ-9", 9), ("GAD-7", 7)):  # the clinic's, asked before the start
        clinic.outcomes.record(NURSE, s.id, name, [0] * items)
    clinic.sessions.start(NURSE, s.id)
    for k in range(18):
        clock.advance(minutes=3)
        if k == 14:
            clinic.sessions.stop(NURSE, s.id)
        clinic.vitals.record(
            NURSE, s.id, VitalsDraft(120 + k, 76 + k % 5, 70 + k % 9, 97, 14, sedation=5)
        )
    clock.advance(minutes=30)
    clinic.vitals.record(NURSE, s.id, VitalsDraft(124, 78, 72, 98, 14, sedation=5))
    escort = Escort("Sam Ode", "Partner", "(212) 555-0143", True)
    answers = DischargeAnswers(True, True, Nausea.MINIMAL, 1, IvSite.REMOVED_INTACT, True, escort)
    clinic.discharge.save_answers(NURSE, s.id, answers)
    # The dose record completed (given as planned, 0.25 mg wasted, witnessed), as discharge asks.
    clinic.users.add(NURSE, "bench.witness", "Bench Witness", "RN", "nurse", "temporary pass 1")
    clinic.users.change_password("bench.witness", "temporary pass 1", WITNESS_PASSWORD)
    planned = clinic.dose.get(s.id).planned_mg
    clinic.dose.complete(NURSE, s.id, planned, 0.25, "bench.witness", WITNESS_PASSWORD)
    clinic.discharge.discharge(NURSE, s.id)
    clock.advance(timedelta(minutes=1))
    return clinic, s.id


def baseline_pdf(html: str, image, path: str) -> None:
    writer = QPdfWriter(path)
    writer.setResolution(300)
    writer.setPageLayout(page_layout("A4"))
    document = QTextDocument()
    document.setDefaultFont(QFont("DejaVu Sans", 10))
    document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(CHART_URL), image)
    document.setHtml(html)
    document.print_(writer)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="seconds, not minutes: the same code path on a small case (make test runs it)",
    )
    args = parser.parse_args()
    warm_up = 0 if args.quick else 2
    if args.quick:
        args.runs = 1
    _app = QGuiApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        clinic, sid = build(f"sqlite:///{tmp}/bench.sqlite3", clock)
        snapshot = clinic.summary.snapshot(sid)
        assert len(snapshot.vitals) == 20, len(snapshot.vitals)
        html = build_html(snapshot)
        image = chart_image(snapshot)
        ours, base = [], []
        for i in range(args.runs + warm_up):  # warm-up rounds first, alternating
            t0 = time.perf_counter()
            write_pdf(clinic.summary.snapshot(sid), f"{tmp}/ours.pdf")
            t1 = time.perf_counter()
            baseline_pdf(html, image, f"{tmp}/base.pdf")
            t2 = time.perf_counter()
            if i >= warm_up:
                ours.append((t1 - t0) * 1000)
                base.append((t2 - t1) * 1000)
        clinic.close()
    p50_ours, p50_base = statistics.median(ours), statistics.median(base)
    print(f"summary PDF, 20 vitals sets, {args.runs} runs")
    print(f"  KetaMon  snapshot + write_pdf : p50 {p50_ours:7.1f} ms")
    print(f"  baseline Qt HTML -> PDF       : p50 {p50_base:7.1f} ms")
    print(f"  ratio p50 {p50_ours / p50_base:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
