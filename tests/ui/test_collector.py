"""Garbage is collected on a timer between events, not whenever an allocation triggers it."""

from __future__ import annotations

import gc

from ketamon.ui.app import application
from ketamon.ui.collector import GuiCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_application_collects_only_from_its_timer(qtbot):
    app = application()
    collector = app.findChild(GuiCollector)
    assert collector is not None and collector.timer.isActive()
    assert not gc.isenabled()
    gc.collect()
    for _ in range(collector.thresholds[0] + 10):
        Cycle()  # cyclic garbage: only a collection frees it
    assert gc.get_count()[0] > collector.thresholds[0]  # nothing collected it meanwhile
    qtbot.waitUntil(lambda: gc.get_count()[0] < collector.thresholds[0], timeout=3000)
