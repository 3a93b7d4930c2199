"""What bench/startup.py times: a KetaMon process from start to the chair board shown and idle.

It is the application's own start-up (open and migrate the database, build the real main
window over it) with the signed-in user given, since typing a password is the nurse's time,
not the program's. Usage: python bench/board_window.py DB_URL USERNAME [--stay]
(--stay keeps the board running, for bench/idle_cpu.py).
"""

import sys

from PySide6.QtCore import QTimer

from ketamon.domain.actors import Actor
from ketamon.services.clinic import Clinic
from ketamon.ui.app import application
from ketamon.ui.main_window import MainWindow

app = application()
clinic = Clinic.open(sys.argv[1])
window = MainWindow(clinic, Actor(sys.argv[2]))
window.show()
if "--stay" not in sys.argv:
    QTimer.singleShot(0, app.quit)
app.exec()
window.board.stop()
clinic.close()
