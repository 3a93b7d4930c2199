"""Baseline for bench/startup.py: a bare PySide6 window showing one label.

With --with-orm it first imports SQLAlchemy's ORM (what any program built on the stack
the project requires must load before it can read its database): the floor under the
board's start-up, printed beside the board.
"""

import sys

if "--with-orm" in sys.argv:
    import sqlalchemy.orm  # noqa: F401

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
label = QLabel("Hello")
label.show()
QTimer.singleShot(0, app.quit)
app.exec()
