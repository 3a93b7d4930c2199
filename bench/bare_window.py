"""Baseline for bench/startup.py: a bare PySide6 window showing one label."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
label = QLabel("Hello")
label.show()
QTimer.singleShot(0, app.quit)
app.exec()
