"""The Qt application, its stylesheet and the screen: what the first window needs, and
nothing of the data layer (the sign-in window is shown before SQLAlchemy is imported)."""

from __future__ import annotations

import os
import sys
from importlib import resources

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from ketamon.ui.collector import GuiCollector
from ketamon.ui.palette import render_qss


def stylesheet() -> str:
    """The one stylesheet, its @tokens filled in from ketamon.ui.palette."""
    template = resources.files("ketamon.resources").joinpath("ketamon.qss").read_text("utf-8")
    return render_qss(template)


def application() -> QApplication:
    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("KetaMon")
    # Set once: each new font or stylesheet re-polishes every widget there is (the suite
    # asks for the application before each test, and paid seconds a test for it).
    font = app.font()
    if font.pointSize() < 12:
        font.setPointSize(12)  # dialogs readable at arm's length
        app.setFont(font)
    sheet = stylesheet()
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
    if app.findChild(GuiCollector) is None:
        GuiCollector(app)  # collect garbage between events, never inside a paint
    return app


def has_display() -> bool:
    """Whether a window can be shown (so a start-up fault can be shown, not only printed)."""
    if os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen"):
        return False
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def fill_screen(window: QWidget) -> None:
    screen = QGuiApplication.primaryScreen()
    if screen is not None:  # a window manager maximizes; without one, fill the screen
        window.setGeometry(screen.availableGeometry())
    window.showMaximized()
