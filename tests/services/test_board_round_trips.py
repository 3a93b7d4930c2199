"""Issue 15: each statement is a round trip to a server, so the board reads in a fixed,
small number of them whatever the number of chairs in session (it was 12 with the
patients, chairs and courses read one kind at a time and the SpO2 scale read again;
now they come joined, and the scale from the patients already read)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.conftest import NURSE, baseline, draft, plan_dose

pytestmark = pytest.mark.both_backends


def statements(clinic) -> list[str]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(clinic.db.engine, "before_cursor_execute", count)
    try:
        board = clinic.board.get()
    finally:
        event.remove(clinic.db.engine, "before_cursor_execute", count)
    assert all(s.patient_name for s in board.sessions.values())
    return [s for s in seen if s.lstrip().upper().startswith("SELECT")]


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
