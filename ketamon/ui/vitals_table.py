"""The vitals table: one row per set (current, corrected and voided), a model over snapshots.

Grades show as a cell colour and as text ("185/95 RED"), never colour alone. A corrected
set says "corrected (reason)"; a voided one is struck through with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QTableView,
    QWidget,
)

from ketamon.domain.news2 import Response
from ketamon.domain.statuses import RecordStatus
from ketamon.domain.vitals import Grade, VitalPhase, VitalsSet, dissociation_words
from ketamon.ui import palette
from ketamon.ui.lifetime import alive
from ketamon.ui.timefmt import local_time

COLUMNS = (
    "Time taken",
    "Phase",
    "BP (mmHg)",
    "HR (/min)",
    "SpO2 (%)",
    "RR (/min)",
    "Temp (°C)",
    "Pain",
    "MOAA/S",
    "Dissoc. 0–3",
    "CADSS",
    # Beside the values, before the flags: on a narrow screen it is in view, not scrolled
    # off to the right and cut short.
    "NEWS2 (RCP)",
    "Flags",
    "Entered by",
    "Status",
)
SPO2, NEWS2, FLAGS, ENTERED_BY, STATUS = 4, 11, 12, 13, 14
CELL_KEYS: dict[int, tuple[str, ...]] = {
    2: ("systolic", "diastolic"),
    3: ("heart_rate",),
    4: ("spo2",),
    5: ("resp_rate",),
    6: ("temperature",),
    7: ("pain",),
    8: ("sedation",),
    9: ("dissociation",),
    10: ("cadss",),
}
SHORT_NAMES = {
    "systolic": "BP sys",
    "diastolic": "BP dia",
    "heart_rate": "HR",
    "spo2": "SpO2",
    "resp_rate": "RR",
    "temperature": "Temp",
    "pain": "Pain",
    "sedation": "MOAA/S",
    "dissociation": "Dissociation",
    "cadss": "CADSS",
}
GRADE_BACKGROUNDS = {grade: palette.grade_table(grade) for grade in (Grade.AMBER, Grade.RED)}
INACTIVE_FOREGROUND = QColor(palette.MUTED)
Index = QModelIndex | QPersistentModelIndex


def flags_text(vitals: VitalsSet) -> str:
    """ "RED: BP sys; AMBER: HR" (empty when every value is normal); SpO2 names its scale
    when the patient is on NEWS2 scale 2."""
    parts = []
    for grade in (Grade.RED, Grade.AMBER):
        names = [_short_name(vitals, k) for k, g in vitals.grades.items() if g is grade]
        if names:
            parts.append(f"{grade.label}: {', '.join(names)}")
    return "; ".join(parts)


def _short_name(vitals: VitalsSet, key: str) -> str:
    return "SpO2 (scale 2)" if key == "spo2" and vitals.scale2 else SHORT_NAMES[key]


def status_text(vitals: VitalsSet) -> str:
    if vitals.status in (RecordStatus.CORRECTED, RecordStatus.VOIDED):
        return f"{RecordStatus(vitals.status).label} ({vitals.status_reason})"
    if vitals.corrects_id is not None:
        return f"{RecordStatus.CURRENT.label} (a correction)"
    return RecordStatus.CURRENT.label


def news2_text(vitals: VitalsSet) -> str:
    """ "5 medium: urgent response · on O2" (the header says NEWS2); "incomplete" without
    every parameter; "–" for scores recorded on their own."""
    if vitals.scores_only or vitals.news2 is None:
        return "–"
    news = vitals.news2
    text = "incomplete" if news.response is None else f"{news.total} {news.response.words}"
    return text + (" · on O2" if vitals.values.oxygen else "")


# The widest NEWS2 cell there can be: the column is never narrower, so no response is cut.
NEWS2_WIDEST = tuple(f"20 {r.words} · on O2" for r in Response)


def cell_grade(vitals: VitalsSet, column: int) -> Grade:
    keys = CELL_KEYS.get(column, ())
    return max((vitals.grades.get(k, Grade.NORMAL) for k in keys), default=Grade.NORMAL)


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}"


def cell_text(vitals: VitalsSet, column: int) -> str:
    v = vitals.values
    if column == 0:
        return local_time(vitals.taken_at)
    if column == 1:
        return VitalPhase(vitals.phase).label
    if column == FLAGS:
        return flags_text(vitals)
    if column == ENTERED_BY:
        return vitals.entered_by_label
    if column == STATUS:
        return status_text(vitals)
    if column == NEWS2:
        return news2_text(vitals)
    if column == 2 and vitals.scores_only:
        return "– (scores only)"
    if column == 2:
        text = f"{_number(v.systolic)}/{_number(v.diastolic)}"
    else:
        text = _number(getattr(v, CELL_KEYS[column][0]))
        if column == 9 and v.dissociation is not None:
            text += f" {dissociation_words(v.dissociation)}"
    grade = cell_grade(vitals, column)
    return text if grade is Grade.NORMAL else f"{text} {grade.label}"


class VitalsTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sets: list[VitalsSet] = []
        self.scale2 = False  # the patient's SpO2 is graded on NEWS2 scale 2: the header says so

    # -- data ----------------------------------------------------------------------------
    def set_sets(self, sets: Sequence[VitalsSet]) -> None:
        """Show `sets`: new rows are inserted, changed rows updated; otherwise a reset."""
        new = list(sets)
        scale2 = any(s.scale2 for s in new)
        if scale2 != self.scale2:
            self.scale2 = scale2
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, SPO2, SPO2)
        old_ids, new_ids = [s.id for s in self.sets], [s.id for s in new]
        if old_ids == new_ids:
            changed = [i for i, (a, b) in enumerate(zip(self.sets, new, strict=True)) if a != b]
            self.sets = new
            for row in changed:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        if _is_subsequence(old_ids, new_ids):
            kept = set(old_ids)
            for row, vitals in enumerate(new):
                if vitals.id not in kept:
                    self.beginInsertRows(QModelIndex(), row, row)
                    self.sets.insert(row, vitals)
                    self.endInsertRows()
            self.set_sets(new)  # same ids now: update the rows that changed status
            return
        self.beginResetModel()
        self.sets = new
        self.endResetModel()

    def set_at(self, row: int) -> VitalsSet | None:
        return self.sets[row] if 0 <= row < len(self.sets) else None

    def row_texts(self, row: int) -> list[str]:
        return [cell_text(self.sets[row], c) for c in range(len(COLUMNS))]

    # -- Qt model ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.sets)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if section == SPO2 and self.scale2:
                return "SpO2 (%) scale 2"
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        # Asked for every visible cell and every role on each paint: roles never set
        # answer first, and brushes and fonts are shared, not built per cell.
        if role not in _ROLES or not index.isValid():
            return None
        vitals, column = self.sets[index.row()], index.column()
        current = vitals.status == RecordStatus.CURRENT
        if role == _DISPLAY:
            return cell_text(vitals, column)
        if role == _BACKGROUND:
            if not current:
                return None
            if column == NEWS2:
                response = vitals.news2.response if vitals.news2 is not None else None
                news2_grade = RESPONSE_GRADES.get(response) if response is not None else None
                return None if news2_grade is None else GRADE_BRUSHES.get(news2_grade)
            grade = vitals.worst if column == FLAGS else cell_grade(vitals, column)
            return GRADE_BRUSHES.get(grade)
        if role == _FOREGROUND:
            return None if current else INACTIVE_BRUSH
        if role == _FONT:
            strike = vitals.status == RecordStatus.VOIDED and column != STATUS
            bold = current and cell_grade(vitals, column) is Grade.RED
            return _font(strike=strike, italic=not current, bold=bold)
        if role == _TOOLTIP:
            if column == ENTERED_BY:
                return f"Username {vitals.entered_by}"  # as the audit trail names them
            if column == NEWS2 and vitals.news2 is not None and not vitals.scores_only:
                oxygen = ", on supplemental oxygen" if vitals.values.oxygen else ""
                return vitals.news2.words + oxygen
            if vitals.values.note and column in (0, STATUS):
                return f"Note: {vitals.values.note}"
            return flags_text(vitals) or None
        return vitals  # UserRole


def _font(*, strike: bool, italic: bool, bold: bool) -> QFont | None:
    """None (the view's font) for an ordinary cell; otherwise one shared font per style."""
    if not (strike or italic or bold):
        return None
    key = (strike, italic, bold)
    font = _FONTS.get(key)
    if font is None:
        font = _FONTS[key] = QFont()
        font.setStrikeOut(strike)
        font.setItalic(italic)
        font.setBold(bold)
    return font


_DISPLAY = Qt.ItemDataRole.DisplayRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ROLES = frozenset({_DISPLAY, _BACKGROUND, _FOREGROUND, _FONT, _TOOLTIP, Qt.ItemDataRole.UserRole})
_FONTS: dict[tuple[bool, bool, bool], QFont] = {}
RESPONSE_GRADES = {
    Response.LOW_MEDIUM: Grade.AMBER,
    Response.MEDIUM: Grade.AMBER,
    Response.HIGH: Grade.RED,
}
GRADE_BRUSHES = {grade: QBrush(colour) for grade, colour in GRADE_BACKGROUNDS.items()}
INACTIVE_BRUSH = QBrush(INACTIVE_FOREGROUND)


MIN_ROWS = 4  # sets always in view under the chart


class VitalsTableView(QTableView):
    def __init__(self, model: VitalsTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vitalsTable")  # QSS: 15px cells, 14px headers
        self.vitals_model = model  # model() answers the base QAbstractItemModel
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(False)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        header = self.horizontalHeader()
        # Sized to the contents on a full refresh, not re-measured on every new row.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self._shown = False

    def minimumSizeHint(self) -> QSize:
        """Room for the header and MIN_ROWS sets, the horizontal scroll bar included: on a
        1366x768 screen the chart above took all but two rows, and the newest, often the
        worrying one, was below the fold."""
        hint = super().minimumSizeHint()
        self.ensurePolished()
        rows = MIN_ROWS * self.verticalHeader().defaultSectionSize()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        height = self.horizontalHeader().sizeHint().height() + rows + bar + 2 * self.frameWidth()
        return QSize(hint.width(), max(hint.height(), height))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:  # laid out only now: scrolled before, the newest may be hidden
            self._shown = True
            QTimer.singleShot(0, self._newest_in_view)

    def _newest_in_view(self) -> None:
        if alive(self):
            self.scrollToBottom()

    def resizeColumnsToContents(self) -> None:
        """Each column to its contents, the NEWS2 column at least as wide as its widest
        possible response: a set added later never has its words cut short."""
        super().resizeColumnsToContents()
        self.ensurePolished()
        metrics = QFontMetrics(self.font())
        widest = max(metrics.horizontalAdvance(text) for text in NEWS2_WIDEST) + 16
        self.setColumnWidth(NEWS2, max(self.columnWidth(NEWS2), widest))

    def selected_set(self) -> VitalsSet | None:
        rows = self.selectionModel().selectedRows()
        return self.vitals_model.set_at(rows[0].row()) if rows else None


def _is_subsequence(short: list[int], long: list[int]) -> bool:
    it = iter(long)
    return all(any(x == y for y in it) for x in short)
