"""The band across the top of a window while the database cannot be reached.

In words, large enough to read from two metres (QLabel#connectionBanner in the stylesheet):
what is wrong, that nothing typed is lost, and that it retries by itself. It is not a
message box: it appears once, changes its words when the reason changes, and goes away by
itself when the database answers again (ketamon.ui.connection.ConnectionWatch).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ketamon.domain.errors import StorageError
from ketamon.ui.connection import RETRY_MS, ConnectionWatch


def banner_text(error: StorageError, *, on_server: bool = True) -> str:
    what = "the database server" if on_server else "the database"
    return (
        f"Cannot reach {what} ({error.location}): {error.reason}. Nothing you type is lost: "
        "entries stay in their forms until it is back. "
        f"Retrying every {RETRY_MS // 1000} s."
    )


class ConnectionBanner(QLabel):
    def __init__(
        self, watch: ConnectionWatch, *, on_server: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.on_server = on_server
        watch.lost.connect(self.show_fault)
        watch.restored.connect(self.hide)
        if watch.fault is not None:
            self.show_fault(watch.fault)  # a window opened while it was already down
        else:
            self.hide()

    def show_fault(self, error: StorageError) -> None:
        self.setText(banner_text(error, on_server=self.on_server))
        self.show()
