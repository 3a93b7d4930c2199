"""The main window only wires the board, the controller and the toolbar together."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy, QToolBar, QWidget

from ketamon import __version__
from ketamon.domain.actors import Actor
from ketamon.services.clinic import Clinic
from ketamon.ui.board import BoardWidget
from ketamon.ui.controller import BoardController


class MainWindow(QMainWindow):
    def __init__(self, clinic: Clinic, actor: Actor) -> None:
        super().__init__()
        self.setWindowTitle("KetaMon: chair board")
        self.resize(1600, 980)
        self.board = BoardWidget(clinic.clock, self)
        self.controller = BoardController(clinic, actor, self)
        self.controller.board_changed.connect(self.board.set_board)
        self.board.requested.connect(self.controller.request)
        self.setCentralWidget(self.board)

        toolbar = QToolBar("Main")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        chairs = QAction("Chairs…", self)
        chairs.setToolTip("Add, rename, reorder or retire chairs")
        chairs.triggered.connect(self.controller.edit_chairs)
        toolbar.addAction(chairs)
        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.setToolTip("Reload the board from the database (F5)")
        refresh.triggered.connect(self.controller.reload)
        toolbar.addAction(refresh)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.user_label = QLabel(f"User: {actor.label}")
        self.user_label.setObjectName("userLabel")
        toolbar.addWidget(self.user_label)

        for number in range(1, 10):
            select = QAction(self)
            select.setShortcut(QKeySequence(str(number)))
            select.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            select.triggered.connect(lambda _=False, i=number - 1: self.select_tile(i))
            self.addAction(select)

        self.statusBar().showMessage(
            f"KetaMon {__version__} · database {clinic.location} · keys: 1–9 select a chair,"
            " then C check in, S start, P pause, R resume, T stop, D discharge, O open, X cancel"
        )
        self.controller.reload()
        self.select_tile(0)

    def select_tile(self, index: int) -> None:
        tile = self.board.tile_at(index)
        if tile is not None:
            tile.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.board.stop()
        super().closeEvent(event)
