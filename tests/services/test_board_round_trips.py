"""Issue 15: each statement is a round trip to a server, so the board reads in a fixed,
small number of them whatever the number of chairs in session (it was 12 with the
patients, chairs and courses read one kind at a time and the SpO2 scale read again;
now they come joined, and the scale from the patients already read)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.conftest import NURSE, baseline, draft, plan_dose

pytestmark = pytest.mark.both_backends


def selects(clinic) -> list[tuple[str, object]]:
    """The SELECTs one board read sends, with their parameters, as the driver got them."""
    seen: list[tuple[str, object]] = []

    def sent(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    event.listen(clinic.db.engine, "before_cursor_execute", sent)
    try:
        board = clinic.board.get()
    finally:
        event.remove(clinic.db.engine, "before_cursor_execute", sent)
    assert all(s.patient_name for s in board.sessions.values())
    return [(st, p) for st, p in seen if st.lstrip().upper().startswith("SELECT")]


def statements(clinic) -> list[str]:
    return [statement for statement, _parameters in selects(clinic)]


def test_the_board_reads_in_a_fixed_number_of_statements(clinic, clock) -> None:
    counts = []
    for n, chair in enumerate(clinic.chairs.all()):
        patient = clinic.patients.register(NURSE, draft(f"KM-{n}", f"Pat Number{n}"))
        session = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
        baseline(clinic, session.id)
        plan_dose(clinic, session.id)
        counts.append(len(statements(clinic)))
    assert len(set(counts)) == 1, counts  # one more session: no more statements
    assert counts[0] <= 8, counts


@pytest.mark.sqlite_only("SQLite's query plan; PostgreSQL plans by its statistics")
def test_no_board_statement_scans_a_table_that_grows_with_the_clinics_years(clinic) -> None:
    """Issue 19: the board reads only what it shows, so its read stays flat as history
    grows. Sessions, vitals, events, side effects, doses and scores are found by index
    (`active_chair_id IS NOT NULL` had scanned every session ever: 1.35x slower at ten
    years than at one); only the small tables (chairs, settings) may be scanned."""
    patient = clinic.patients.register(NURSE, draft("KM-1", "Pat Number"))
    session = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    baseline(clinic, session.id)
    scanned = set()
    with clinic.db.engine.connect() as conn:
        for statement, parameters in selects(clinic):
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            scanned |= {row[3].split()[1] for row in plan if row[3].startswith("SCAN")}
    assert scanned and scanned <= {"chair", "clinic_setting"}, scanned
