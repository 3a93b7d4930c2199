"""Baseline for bench/startup.py: a bare PySide6 window showing one label.

With --with-orm it first imports SQLAlchemy's ORM (what any program built on the stack
the project requires must load before it can read its database): the floor under the
board's start-up, printed beside the board.
"""

import os
import sys
import time

if "--with-orm" in sys.argv:
    import sqlalchemy.orm  # noqa: F401

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel


def shown() -> None:
    """The moment bench/startup.py compares with KetaMon's first window (same event)."""
    trace = os.environ.get("KETAMON_STARTUP_TRACE")
    if trace:
        with open(trace, "a", encoding="utf-8") as handle:
            handle.write(f"shown {time.time():.6f}\n")
    app.quit()


app = QApplication(sys.argv[:1])
label = QLabel("Hello")
label.show()
QTimer.singleShot(0, shown)
app.exec()
