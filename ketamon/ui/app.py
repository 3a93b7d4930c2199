"""Start the desktop application."""

from __future__ import annotations

import os
import sys
from importlib import resources

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ketamon.domain.actors import Actor
from ketamon.services.clinic import Clinic
from ketamon.ui.main_window import MainWindow


def stylesheet() -> str:
    return resources.files("ketamon.resources").joinpath("ketamon.qss").read_text("utf-8")


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("KetaMon")
    font = app.font()
    font.setPointSize(max(font.pointSize(), 12))  # dialogs readable at arm's length
    app.setFont(font)
    app.setStyleSheet(stylesheet())
    return app  # type: ignore[return-value]


def has_display() -> bool:
    """Whether a window can be shown (so a start-up fault can be shown, not only printed)."""
    if os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen"):
        return False
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def show_startup_error(text: str) -> None:
    """A nurse who started KetaMon from a desktop icon sees why it could not open."""
    from PySide6.QtWidgets import QMessageBox

    application()
    box = QMessageBox(QMessageBox.Icon.Critical, "KetaMon could not start", text)
    box.setInformativeText("Nothing was changed. Tell the clinic administrator what it says.")
    box.exec()


def run(clinic: Clinic, actor: Actor) -> int:
    app = application()
    window = MainWindow(clinic, actor)
    screen = app.primaryScreen()
    if screen is not None:  # a window manager maximizes; without one, fill the screen
        window.setGeometry(screen.availableGeometry())
    window.showMaximized()
    if os.environ.get("KETAMON_QUIT_WHEN_IDLE"):
        # Benchmarks: leave as soon as the board is shown and the event queue is idle.
        QTimer.singleShot(0, app.quit)
    return app.exec()
