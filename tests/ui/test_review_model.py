"""The review queue model over a real clinic: pages are fetched lazily, newest first, and
a filter change starts again from the top."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelIndex

from ketamon.services.review import ReviewFilter
from ketamon.ui.app import application
from ketamon.ui.review.queue_model import RED_VITAL, ReviewQueueModel
from tests.conftest import NURSE, draft


def _cancelled_sessions(clinic, clock, n: int) -> list[int]:
    chair = clinic.chairs.all()[0].id
    ids = []
    for i in range(n):
        patient = clinic.patients.register(NURSE, draft(f"KM-{i:03d}", f"Patient {i:03d}"))
        s = clinic.sessions.check_in(NURSE, chair, patient.id, 40)
        clinic.sessions.cancel(NURSE, s.id, "Patient declined")
        ids.append(s.id)
        clock.advance(minutes=5)
    return ids


def test_the_model_fetches_pages_lazily_and_a_filter_resets_it(clinic, clock):
    application()
    ids = _cancelled_sessions(clinic, clock, 7)
    model = ReviewQueueModel(clinic.review.page, page_size=3)
    model.set_filter(ReviewFilter())
    assert model.rowCount() == 3  # only the first page is read
    assert [model.row_at(i).session_id for i in range(3)] == ids[::-1][:3]  # newest first
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 6
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 7 and not model.canFetchMore(QModelIndex())
    assert model.data(model.index(0, 4)) == "Cancelled · awaiting review"
    assert model.data(model.index(0, 5)) != RED_VITAL
    model.set_filter(ReviewFilter(patient="KM-002"))
    assert model.rowCount() == 1 and model.row_at(0).session_id == ids[2]
    model.set_filter(ReviewFilter(since=clock() - timedelta(minutes=12)))
    assert model.rowCount() == 2
