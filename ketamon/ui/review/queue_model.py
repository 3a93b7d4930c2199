"""The review queue as a lazily fetched table: pages of finished sessions, newest first.

Only what the view asks for is read (QTableView calls canFetchMore/fetchMore as the
physician scrolls), so the list opens as fast over 100,000 sessions as over ten. rowCount
is what has been fetched so far, never the total.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ketamon.domain.review import ReviewStatus
from ketamon.services.review import ReviewFilter, ReviewRow
from ketamon.ui import palette
from ketamon.ui.dialogs.kit import guard

PAGE_SIZE = 200
Page = Callable[[ReviewFilter, int, int], list[ReviewRow]]  # (filter, offset, limit) -> rows

RED_VITAL = "RED vital sign"
SEVERE_EFFECT = "SEVERE side effect"
NONE = "—"

COLUMNS = (
    ("Checked in", "Local date and time the patient was checked in"),
    ("Patient", "Patient name"),
    ("MRN", "Medical record number"),
    ("Chair", "Chair"),
    ("Status", "Review status (and how the session ended, if not a normal discharge)"),
    ("Red vital", "A current vitals set had a value in the red band"),
    ("Severe side effect", "A side effect was graded severe"),
)
_DISPLAY = Qt.ItemDataRole.DisplayRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_ROLES = frozenset({_DISPLAY, _FOREGROUND, _FONT, Qt.ItemDataRole.ToolTipRole})
_ALERT = QBrush(QColor(palette.RED_SOLID))
_SIGNED = QBrush(QColor(palette.SIGNED))


def _local(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M %Z")  # local, with its zone


class ReviewQueueModel(QAbstractTableModel):
    def __init__(
        self,
        page: Page,
        *,
        page_size: int = PAGE_SIZE,
        on_error: Callable[[str], object] | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.page = page
        self.page_size = page_size
        self.on_error = on_error
        self.where = ReviewFilter()
        self.rows: list[ReviewRow] = []
        self._cells: dict[int, tuple[str, ...]] = {}  # row -> its texts, once shown
        self._more = False
        self._bold = QFont()
        self._bold.setBold(True)

    # -- what is shown ---------------------------------------------------------------------
    def set_filter(self, where: ReviewFilter) -> None:
        """Start again from the newest session matching `where` (the first page is read at
        once, so the view paints it without waiting for its fetch timer)."""
        self.beginResetModel()
        self.where = where
        self.rows = []
        self._cells = {}
        self._more = True
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def reload(self) -> None:
        """Re-read from the top with the same filter (after a signature, say)."""
        self.set_filter(self.where)

    def row_at(self, row: int) -> ReviewRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, session_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.session_id == session_id), None)

    @property
    def complete(self) -> bool:
        """Every matching session has been fetched."""
        return not self._more

    # -- lazy fetching ---------------------------------------------------------------------
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def _refused(self, error: Exception) -> None:
        self._more = False
        if self.on_error is not None:
            self.on_error(f"Could not read the review list: {error}")

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        with guard(self._refused) as refused:
            rows = self.page(self.where, len(self.rows), self.page_size)
        if refused:
            return
        self._more = len(rows) >= self.page_size
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    # -- the table -------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0):
        # Called for every visible cell and every role the view asks about (about 1,200
        # calls to paint one screen): roles we never set answer first, text is cached.
        if role not in _ROLES:
            return None
        row = index.row()
        if not 0 <= row < len(self.rows):
            return None
        r = self.rows[row]
        column = index.column()
        if role == _DISPLAY:
            cells = self._cells.get(row)
            if cells is None:
                cells = self._cells[row] = tuple(self.text(r, c) for c in range(len(COLUMNS)))
            return cells[column]
        alert = (column == 5 and r.red_alert) or (column == 6 and r.severe_effect)
        if role == _FOREGROUND:
            if alert:
                return _ALERT
            if column == 4 and r.review_status == ReviewStatus.SIGNED.value:
                return _SIGNED
            return None
        if role == _FONT:
            return self._bold if alert or (column == 4 and "AMA" in r.status_text) else None
        if column in (5, 6):  # tooltip
            return COLUMNS[column][1] if alert else "None recorded"
        return None

    @staticmethod
    def text(r: ReviewRow, column: int) -> str:
        if column == 0:
            return _local(r.checked_in_at)
        if column == 1:
            return r.patient_name
        if column == 2:
            return r.mrn
        if column == 3:
            return r.chair_name
        if column == 4:
            return r.status_text
        if column == 5:
            return RED_VITAL if r.red_alert else NONE
        if column == 6:
            return SEVERE_EFFECT if r.severe_effect else NONE
        return ""
