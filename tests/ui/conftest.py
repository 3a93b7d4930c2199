from __future__ import annotations

import pytest

from ketamon.ui.app import application
from ketamon.ui.main_window import MainWindow
from tests.conftest import NURSE


@pytest.fixture
def make_window(qtbot):
    """Build a real main window over a clinic, as the app does (stylesheet included)."""
    application()
    windows = []

    def build(clinic):
        window = MainWindow(clinic, NURSE)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield build
    for window in windows:
        window.board.stop()


def tile_of(window, index: int = 0):
    return window.board.tile_at(index)


def click(qtbot, tile, key: str) -> None:
    from PySide6.QtCore import Qt

    button = tile.buttons[key]
    assert button.isVisible(), f"{key} button is not offered on this tile"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
