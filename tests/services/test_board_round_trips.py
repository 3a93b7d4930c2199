"""Issue 15: each statement is a round trip to a server, so the board reads in a fixed,
small number of them whatever the number of chairs in session: five (it was 12 with the
patients, chairs and courses read one kind at a time and the SpO2 scale read again, then
8; now the chairs, their sessions, patients, courses, dose records and events come in one
statement, and the scale from the patients already read)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.conftest import NURSE, ask_questionnaires, baseline, draft, plan_dose, plan_escort

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
    assert counts[0] <= 5, counts


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


def test_a_chair_retired_under_a_patient_keeps_the_session_on_the_board(clinic, clock) -> None:
    """Retiring a chair refuses while a patient is in it, but a retirement committed by a
    second workstation between its check and a check-in here (or by hand in the database)
    must not drop a session in progress from the board: it is read, its chair not offered."""
    first, second, *_ = clinic.chairs.all()
    patient = clinic.patients.register(NURSE, draft("KM-1", "Pat Number"))
    session = clinic.sessions.check_in(NURSE, second.id, patient.id, 40)
    plan_dose(clinic, session.id)
    with clinic.db.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE chair SET retired_at = created_at, retired_by = 'nurse.jo' WHERE id = "
            f"{int(second.id)}"
        )
    board = clinic.board.get()
    shown = [c.id for c in board.chairs]
    assert second.id not in shown and first.id in shown
    assert board.sessions[second.id] == clinic.sessions.get(session.id)
    assert board.sessions[second.id].patient_name == "Pat Number"
    assert board.doses[session.id].planned_mg is not None


def test_each_sessions_events_come_whole_and_in_order(clinic, clock) -> None:
    """The events are read joined with the chairs: each session gets its own, all of them,
    in the order they happened, whatever the order of the chairs."""
    chairs = clinic.chairs.all()
    ids = []
    for n, chair in enumerate(reversed(chairs[:3])):
        patient = clinic.patients.register(NURSE, draft(f"KM-{n}", f"Pat Number{n}"))
        ids.append(clinic.sessions.check_in(NURSE, chair.id, patient.id, 40).id)
        plan_dose(clinic, ids[-1])
        baseline(clinic, ids[-1])
    plan_escort(clinic, ids[0])
    ask_questionnaires(clinic, ids[0])
    clinic.sessions.start(NURSE, ids[0])
    clock.advance(minutes=5)
    clinic.sessions.pause(NURSE, ids[0], "Patient asked for a pause")
    plan_escort(clinic, ids[2])
    ask_questionnaires(clinic, ids[2])
    clinic.sessions.start(NURSE, ids[2])
    clock.advance(minutes=2)
    clinic.sessions.resume(NURSE, ids[0])
    board = clinic.board.get()
    for sid in ids:
        expected = clinic.sessions.get(sid)
        assert board.sessions[expected.chair_id] == expected
    assert len(board.sessions[clinic.sessions.get(ids[0]).chair_id].events) == 4
