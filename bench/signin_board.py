"""What bench/startup.py times for "sign-in -> board painted": in one process, with the
data layer already in (as after the sign-in window's start), the password typed and
Enter pressed: the password check (argon2, the clinic's parameters) and then the board
built, shown and painted. Prints {"check": s, "board": s} as JSON.
Usage: python bench/signin_board.py DB_URL USERNAME PASSWORD
"""

import json
import sys
import time

from PySide6.QtCore import QTimer

from ketamon.services.clinic import Clinic
from ketamon.ui.app import Startup, application

app = application()
clinic = Clinic.open(sys.argv[1])
startup = Startup(clinic)
startup.begin()
app.processEvents()
moments: dict[str, float] = {}


def enter() -> None:
    start = time.perf_counter()
    user = startup._sign_in(sys.argv[2], sys.argv[3])  # the check, then the default chairs
    checked = time.perf_counter()
    startup._open_board(user)

    def painted() -> None:
        moments.update(check=checked - start, board=time.perf_counter() - checked)
        app.quit()

    QTimer.singleShot(0, painted)  # after the board's first paint


QTimer.singleShot(0, enter)
app.exec()
if startup.main_window is not None:
    startup.main_window.board.stop()
clinic.close()
print(json.dumps(moments))
