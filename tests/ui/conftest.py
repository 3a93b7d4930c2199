from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ketamon.ui.app import application
from ketamon.ui.main_window import MainWindow
from tests.conftest import NURSE


@pytest.fixture
def make_window(qtbot):
    """Build a real main window over a clinic, signed in as `actor` (stylesheet included).

    Tests that move the fake clock by many minutes would be locked for idleness; the
    automatic lock is on only when a test asks for it (auto_lock=True).
    """
    application()
    windows = []

    def build(clinic, actor=NURSE, *, auto_lock=False):
        window = MainWindow(clinic, actor)
        if not auto_lock:
            window.board.ticked.disconnect(window.check_idle)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield build
    for window in windows:
        window.close()  # stops the repaint timer and the idle watch; records the sign-out


def tile_of(window, index: int = 0):
    return window.board.tile_at(index)


def click(qtbot, tile, key: str) -> None:
    from PySide6.QtCore import Qt

    button = tile.buttons[key]
    assert button.isVisible(), f"{key} button is not offered on this tile"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def toolbar_button(window, action):
    return window.toolbar.widgetForAction(action)


def choose_from(qtbot, button, action) -> None:
    """Click a toolbar menu button, then choose the item in its menu by keyboard."""
    from PySide6.QtCore import QTimer

    menu = button.menu()
    assert action in menu.actions() and action.isVisible() and action.isEnabled()

    def pick():
        assert menu.isVisible()
        menu.setActiveAction(action)
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(0, pick)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose_setup(qtbot, window, action) -> None:
    """Click "Clinic set-up" on the toolbar, then choose the item in its menu."""
    choose_from(qtbot, window.setup_button, action)


def toolbar_shows(window, action) -> bool:
    """Whether the nurse sees the action's toolbar button (after the toolbar's re-layout);
    for an item of a toolbar menu ("Clinic set-up", the signed-in user's), that menu's button
    and the item."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    for button in (window.setup_button, window.user_label):
        if action in button.menu().actions():
            shown = button.isVisible() and action.isVisible()
            return shown and action.isEnabled()
    button = window.toolbar.widgetForAction(action)
    return button is not None and button.isVisible()


def label_texts(window) -> list[str]:
    """Every QLabel text anywhere under the window (its dialogs included)."""
    from PySide6.QtWidgets import QLabel

    return [label.text() for label in window.findChildren(QLabel)]


@pytest.fixture(autouse=True)
def _no_modal_exec(monkeypatch):
    """A real exec() would hang an offscreen run: fail loudly instead (tests patch ask())."""
    from PySide6.QtWidgets import QDialog, QMessageBox

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"modal {type(self).__name__}.exec() in a test: patch its ask()")

    monkeypatch.setattr(QDialog, "exec", refuse)
    monkeypatch.setattr(QMessageBox, "exec", refuse)


@pytest.fixture(autouse=True)
def _no_application_exit(monkeypatch):
    """Qt 6's QCoreApplication.exit()/quit() without app.exec() running is sticky: every
    later event loop of the process returns at once, and every later test that waits for a
    timer fails far from the cause (CI of 17ad700). Fail here, at the test that called it;
    inside a real app.exec() (a test that runs `ketamon` in-process) it ends that exec."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    real_exec, real_exit = QApplication.exec, QCoreApplication.exit
    running = [0]

    def exec_() -> int:
        running[0] += 1
        try:
            return real_exec()
        finally:
            running[0] -= 1

    def exit_(code: int = 0) -> None:
        if not running[0]:
            raise AssertionError("the application's exit() or quit() in a test: inject the quit")
        real_exit(code)

    for cls in (QCoreApplication, QApplication):
        monkeypatch.setattr(cls, "exec", staticmethod(exec_))
        monkeypatch.setattr(cls, "exit", staticmethod(exit_))
        monkeypatch.setattr(cls, "quit", staticmethod(exit_))


@pytest.fixture(autouse=True)
def discharged_said(monkeypatch) -> list[str]:
    """After every discharge the board says "… was discharged at 12:45" and offers the
    summary: here answered "Later", each text kept (a test of the offer patches it)."""
    from ketamon.ui.dialogs.messages import Discharged

    said: list[str] = []

    def later(cls, parent, text):
        said.append(text)
        return False

    monkeypatch.setattr(Discharged, "ask", classmethod(later))
    return said


@pytest.fixture(autouse=True)
def _garbage_collected_between_events(qapp):
    """As in the application: no automatic collection inside a paint; collect after each
    test, outside any event, so a closed window's chart items go away at a safe point.

    pytest-qt closes each test's widgets and asks Qt to delete them later, which Qt does
    only in an event loop; a window a test made without qtbot is not even closed. Delete
    every window left here, or every window of the run stays alive (about 300 widgets a
    board test) and each later test's work on all widgets grows with them."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    app = application()
    yield
    for widget in app.topLevelWidgets():
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
