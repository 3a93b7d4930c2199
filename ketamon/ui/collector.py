"""Python's garbage collector, run only between events in the GUI thread.

Left automatic, a collection can start in the middle of a paint (any allocation can trigger
it) and free a chart item's wrapper while Qt is drawing the scene that holds it: a crash.
So automatic collection is switched off and the same thresholds are checked on a timer,
outside painting (the approach of pyqtgraph.util.garbage_collector).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return
