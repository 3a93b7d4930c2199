"""The running app anchors the audit chain at start-up and, hourly, once a day has passed."""

from __future__ import annotations

from ketamon.storage.anchors import ANCHOR_FILENAME
from ketamon.ui.app import AnchorKeeper, application
from tests.conftest import NURSE, draft


def test_the_app_anchors_at_start_and_again_when_a_day_has_passed(
    qtbot, clinic, clock, _isolated_data_dir
):
    application()
    anchors = _isolated_data_dir / ANCHOR_FILENAME
    keeper = AnchorKeeper(clinic)
    try:
        assert len(anchors.read_text().splitlines()) == 1  # at start: none yet, so at once
        assert keeper.timer.isActive() and keeper.timer.interval() == 60 * 60 * 1000
        clinic.patients.register(NURSE, draft())
        clock.advance(hours=2)
        keeper.timer.timeout.emit()  # an hour later: the newest anchor is not a day old
        assert len(anchors.read_text().splitlines()) == 1
        clock.advance(hours=22)
        keeper.timer.timeout.emit()
        assert len(anchors.read_text().splitlines()) == 2
    finally:
        keeper.timer.stop()
        keeper.deleteLater()
