"""Labels whose text changes often without re-laying out the window around them.

QLabel.setText() always calls updateGeometry(): the parent's layout, then the window's,
run again although no size changed, and Qt repaints what they laid out. A TickLabel holds
its QLabel (drawn and styled exactly as a QLabel, same object name) without a layout, and
asks for a re-layout only when the label's size hints really change. The board's tiles use
it for the lines that change every second; the session window for its header, rewritten
after every vitals save (issue 19).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

_SAME_DIGITS = str.maketrans("123456789", "000000000")


class Backed(QWidget):
    """Holds one widget on an opaque background in the tile's colour, without a layout.

    A repaint of what it holds stops here instead of redrawing the tile's rounded border
    and the window behind it. It reports the held widget's size hints; the held widget
    fills it.
    """

    def __init__(self, held: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.held = held
        held.setParent(self)
        self.setSizePolicy(held.sizePolicy())

    def set_background(self, brush: QBrush) -> None:
        """The tile's background, which the stylesheet does not pass on to children."""
        palette = self.palette()
        palette.setBrush(QPalette.ColorRole.Window, brush)
        self.setPalette(palette)

    def sizeHint(self) -> QSize:
        return self.held.sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self.held.minimumSizeHint()

    def hasHeightForWidth(self) -> bool:
        return self.held.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:
        return self.held.heightForWidth(width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.held.setGeometry(0, 0, event.size().width(), event.size().height())


class TickLabel(Backed):
    """A tile line that changes every second ("12:34 / 40:00") without re-laying out the board.

    QLabel.setText() always calls updateGeometry(): each tick every tile, then the board and
    the main window re-ran their layouts (and the main window its toolbar's), although no
    size had changed. Here the QLabel (drawn and styled exactly as before, same object
    name) is held without a layout, and a re-layout is asked for only when its size hints
    really change: a line more or less, another digit.
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        self.label = QLabel()
        self.label.setObjectName(name)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        super().__init__(self.label, parent)
        self._hints = self._measure()

    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:  # the QLabel name, for callers and tests
        old = self.label.text()
        if text == old:
            return
        self.label.setText(text)
        # Measuring a label costs more than the rest of its tick. The size cannot change
        # when only digits changed: UI fonts draw every digit the same width ("tabular").
        if text.translate(_SAME_DIGITS) != old.translate(_SAME_DIGITS):
            self._remeasure()

    def setWordWrap(self, on: bool) -> None:
        self.label.setWordWrap(on)
        self.setSizePolicy(self.label.sizePolicy())
        self._remeasure()

    def setProperty(self, name: str, value: object) -> bool:
        """Style properties ("level", "grade") go to the label the stylesheet matches."""
        self.label.setProperty(name, value)
        return super().setProperty(name, value)

    def repolish(self) -> None:
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)
        self._remeasure()

    def _remeasure(self) -> None:
        hints = self._measure()
        if hints != self._hints:
            self._hints = hints
            self.updateGeometry()

    def _measure(self) -> tuple[object, ...]:
        label = self.label
        height = label.heightForWidth(self.width()) if label.hasHeightForWidth() else -1
        return (label.sizeHint(), label.minimumSizeHint(), height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._hints = self._measure()
