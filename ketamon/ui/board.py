"""The chair board: a grid of tiles repainted from stored timestamps.

A QTimer only asks for a repaint; the times come from tile_view(now), so a dropped or
late tick never makes a timer wrong, and the database is not touched per tick (the vitals
due lines come from the set times the board already holds).
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QWidget

from ketamon.domain.board import (
    SessionSnapshot,
    tile_view,
    with_dose,
    with_escort,
    with_outcomes,
)
from ketamon.domain.clock import Clock
from ketamon.services.board import Board
from ketamon.ui.tile import ChairTile

TILE_MIN_WIDTH = 560  # a tile narrower than this cannot hold a row of four buttons
SPACING = 14


def columns_for(count: int, available: int, tile_width: int = TILE_MIN_WIDTH) -> int:
    """As many columns as whole tiles fit across `available` pixels (at least one), at most
    three (four from ten chairs on), never more than there are chairs."""
    preferred = 3 if count <= 9 else 4
    fit = max(1, (available - SPACING) // (max(tile_width, TILE_MIN_WIDTH) + SPACING))
    return max(1, min(preferred, fit, max(count, 1)))


def ms_to_next_second() -> int:
    """Repaint just after each wall-clock second turns, so every mm:ss flips on time.

    Only the scheduling uses the wall clock; the values always come from the injected clock.
    """
    return 1000 - time.time_ns() // 1_000_000 % 1000 + 5


class BoardWidget(QWidget):
    requested = Signal(str, int)  # action key, chair id
    hint = Signal(str)  # a tile key that does nothing there: why (ketamon.ui.key_hints)
    ticked = Signal()  # after each repaint (the window checks for idleness here)

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.board: Board | None = None
        self.tiles: dict[int, ChairTile] = {}
        self.masked = False  # locked: no patient-identifying text on any tile
        self._stopped = False
        self._grid = QGridLayout(self)
        self._grid.setSpacing(SPACING)
        self._grid.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        self.columns = 3
        self._available = 0  # the width the board is shown in (its scroll area's viewport)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.tick)

    def set_board(self, board: Board) -> None:
        """New data from the services (after an action, or at start)."""
        chair_ids = [c.id for c in board.chairs]
        if chair_ids != list(self.tiles):
            self._rebuild(board)
        self.board = board
        self.tick()
        self._place()  # a tile's new phase may need more width than the columns allow

    def session_for(self, chair_id: int) -> SessionSnapshot | None:
        return self.board.sessions.get(chair_id) if self.board else None

    def set_masked(self, masked: bool) -> None:
        """Lock or unlock: the tiles are repainted at once, not at the next tick."""
        self.masked = masked
        self.tick()
        # Settle the sizes now: masked tiles are shorter, and a lock panel shown next must
        # not make the window grow to fit the unmasked tiles' stale minimum sizes.
        for tile in self.tiles.values():
            tile_layout = tile.layout()
            if tile_layout is not None:
                tile_layout.activate()
        self._grid.activate()

    def tick(self) -> None:
        """Repaint the tiles from the clock, then schedule the next repaint (>= 1 Hz)."""
        if self._stopped:
            return
        self.timer.start(ms_to_next_second())
        if self.board is not None:
            now, settings = self.clock(), self.board.settings
            for chair in self.board.chairs:
                session = self.board.sessions.get(chair.id)
                vitals = self.board.vitals.get(session.id) if session is not None else None
                effects = self.board.side_effects.get(session.id) if session is not None else None
                view = tile_view(chair, session, settings, now, vitals, effects)
                plan = self.board.doses.get(session.id) if session is not None else None
                view = with_dose(view, session, plan)
                if session is not None:
                    view = with_escort(view, session, session.id in self.board.escort_planned)
                records = self.board.outcomes.get(session.id, []) if session is not None else []
                view = with_outcomes(view, session, records, settings.outcome_instruments)
                self.tiles[chair.id].apply(view, masked=self.masked)
        self.ticked.emit()

    def tile_at(self, index: int) -> ChairTile | None:
        tiles = list(self.tiles.values())
        return tiles[index] if 0 <= index < len(tiles) else None

    def stop(self) -> None:
        self._stopped = True
        self.timer.stop()
        self.board = None

    def fit_width(self, available: int) -> None:
        """The board is shown `available` pixels wide: lay the tiles out in as many columns
        as fit whole, the rest in rows below (the board scrolls vertically, never sideways)."""
        self._available = available
        self._place()

    def _columns(self) -> int:
        if self._available <= 0:
            return 3 if len(self.tiles) <= 9 else 4
        widest = max((t.minimumSizeHint().width() for t in self.tiles.values()), default=0)
        return columns_for(len(self.tiles), self._available, widest)

    def _place(self, force: bool = False) -> None:
        columns = self._columns()
        if columns == self.columns and not force:
            return
        for tile in self.tiles.values():
            self._grid.removeWidget(tile)
        for r in range(self._grid.rowCount()):
            self._grid.setRowStretch(r, 0)
        for c in range(self._grid.columnCount()):
            self._grid.setColumnStretch(c, 0)
        self.columns = columns
        rows = max(1, math.ceil(len(self.tiles) / columns))
        for index, tile in enumerate(self.tiles.values()):
            self._grid.addWidget(tile, index // columns, index % columns)
        for r in range(rows):
            self._grid.setRowStretch(r, 1)
        for c in range(columns):
            self._grid.setColumnStretch(c, 1)

    def _rebuild(self, board: Board) -> None:
        for tile in self.tiles.values():
            self._grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = {}
        for chair in board.chairs:
            tile = ChairTile(chair.id, self)
            tile.requested.connect(self.requested)
            tile.hint.connect(self.hint)
            self.tiles[chair.id] = tile
        self._place(force=True)


class BoardArea(QScrollArea):
    """The board in the window: as wide as the window, scrolled vertically when the chairs
    need more rows than the screen is tall, so the window never grows past the screen.

    An alert on a tile scrolled out of view (red vitals, a severe side effect, PHQ-9 item
    9) is never out of sight: a red band over the edge it is beyond names the chair and its
    key ("ALERT BELOW: Chair 6 — press 6"), until the tile's alert is in view."""

    def __init__(self, board: BoardWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardArea")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(board)
        self.board = board
        self.offscreen_alert = QLabel(self.viewport())
        self.offscreen_alert.setObjectName("offscreenAlert")
        self.offscreen_alert.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.offscreen_alert.hide()
        board.ticked.connect(self.check_offscreen_alerts)
        self.verticalScrollBar().valueChanged.connect(self.check_offscreen_alerts)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.board.fit_width(self.viewport().width())
        self.check_offscreen_alerts()

    def check_offscreen_alerts(self) -> None:
        """Show, move or hide the band for alerts on tiles out of view (cheap: geometry
        only, and the label's text is set only when it changes)."""
        viewport = self.viewport()
        above: list[str] = []
        below: list[str] = []
        for number, tile in enumerate(self.board.tiles.values(), start=1):
            view = tile.view
            if view is None or not view.alert_text:
                continue
            banner = tile.alert_banner
            top = banner.mapTo(viewport, QPoint(0, 0)).y()
            key = f"{view.chair_name} (press {number})" if number <= 9 else view.chair_name
            if top < 0:
                above.append(key)
            elif top + banner.height() > viewport.height():
                below.append(key)
        band = self.offscreen_alert
        if not above and not below:
            band.hide()
            return
        parts = []
        if above:
            parts.append(f"\N{UPWARDS ARROW} ALERT ABOVE: {', '.join(above)}")
        if below:
            parts.append(f"\N{DOWNWARDS ARROW} ALERT BELOW: {', '.join(below)}")
        text = "   ·   ".join(parts)
        if band.text() != text:
            band.setText(text)
        height = band.sizeHint().height()
        y = viewport.height() - height if below else 0
        if band.geometry() != (geometry := QRect(0, y, viewport.width(), height)):
            band.setGeometry(geometry)
        band.raise_()
        band.show()

    def show_tile(self, tile: QWidget) -> None:
        """A chair chosen by its number key is scrolled into view."""
        self.ensureWidgetVisible(tile, 0, SPACING)
