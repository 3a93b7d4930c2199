"""The one way KetaMon asks for a file path (summary PDF, chart PNG, exports to come).

Why a dialog of our own: the process holds SQLite's POSIX locks on the database, and any
close() of any descriptor on those files in this process releases them ("How To Corrupt An
SQLite Database File", §2.2). Qt's stock file dialog, shown on the database's folder, opens
and reads the first bytes of every file it lists whose type it cannot tell from the name
(the -wal and -shm always, the database itself unless it is called *.sqlite3): QMimeDatabase
content sniffing, asked by the icon provider for the Type column and the icons. Strace shows
it: openat(".../ketamon.sqlite3-wal", O_RDONLY) then close() on the GUI thread, and
/proc/locks loses the process's locks at that moment. A platform's native dialog (GTK,
KDE, a portal) does the same or worse, out of our reach. So this dialog

- is Qt's widget dialog, never the native one, so what it touches is ours to decide;
- has an icon provider that never reads a file: folder or file icon from the stat the
  model already made, the type from the name's suffix. This is what keeps the files
  closed: the model types every file of the folder, shown or filtered out, wherever the
  user navigates (tests/ui/test_file_dialogs.py loses the locks without it);
- hides the SQLite files (databases, -wal, -shm, -journal, backups, and any file that is
  one of the open databases under another name or link), even under "All files (*)", so
  nobody picks one as the place to write;
- refuses to save over an open database file.

ketamon.storage.locks is the second line: even if something else in the process opened and
closed the files, the locks that keep other programs from deleting the -wal stay held.
tests/ui/test_file_dialogs.py fails if any other module of the app uses QFileDialog.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import (
    QAbstractItemModel,
    QFileInfo,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QFileSystemModel, QMessageBox, QWidget

from ketamon.services.database_files import SQLITE_NAME, is_database_file, open_database_inodes

_TYPES = {
    "pdf": "PDF document",
    "png": "PNG image",
    "csv": "CSV file",
    "txt": "Text file",
    "json": "JSON file",
    "jpg": "JPEG image",
    "jpeg": "JPEG image",
    "svg": "SVG image",
    "html": "HTML page",
}


class NameOnlyIconProvider(QFileIconProvider):
    """Icons and types without reading any file: folder/file from the model's stat, the type
    from the suffix. (The stock provider sniffs contents through QMimeDatabase.)"""

    def icon(self, which: QFileInfo | QFileIconProvider.IconType) -> QIcon:
        if isinstance(which, QFileInfo):
            kind = (
                QFileIconProvider.IconType.Folder
                if which.isDir()
                else QFileIconProvider.IconType.File
            )
            return super().icon(kind)
        return super().icon(which)  # an IconType: a themed icon, no file involved

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "Folder"
        suffix = info.suffix().lower()
        return _TYPES.get(suffix, f"{suffix.upper()} file" if suffix else "File")


class HideDatabaseFiles(QSortFilterProxyModel):
    """The dialog's folder listing without the SQLite files (folders are always shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._inodes: set[tuple[int, int]] = set()

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        self._inodes = open_database_inodes()
        super().setSourceModel(model)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, QFileSystemModel):
            return True
        index = model.index(row, 0, parent)
        if model.isDir(index):
            return True
        path = model.filePath(index)
        if SQLITE_NAME.search(os.path.basename(path)):
            return False
        try:
            st = os.stat(path)
        except OSError:
            return True
        return (st.st_dev, st.st_ino) not in self._inodes


class SaveFileDialog(QFileDialog):
    """Where to save a file; `ask()` is the entry point (tests replace it)."""

    def __init__(
        self, parent: QWidget | None, title: str, suggested: Path, name_filter: str
    ) -> None:
        super().__init__(parent, title, str(suggested.parent), name_filter)
        # Options first: they decide which model the dialog builds.
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.setFileMode(QFileDialog.FileMode.AnyFile)
        self._icons = NameOnlyIconProvider()
        self._icons.setOptions(QFileIconProvider.Option.DontUseCustomDirectoryIcons)
        self.setIconProvider(self._icons)
        self.setProxyModel(HideDatabaseFiles(self))
        self.selectFile(suggested.name)

    @classmethod
    def ask(
        cls, parent: QWidget | None, title: str, suggested: Path, name_filter: str, suffix: str
    ) -> Path | None:
        """The path chosen (with `suffix` added when missing), or None when cancelled.

        An open database file is refused in words and the dialog asked again.
        """
        dialog = cls(parent, title, suggested, name_filter)
        try:
            while dialog.exec() == QFileDialog.DialogCode.Accepted:
                files = dialog.selectedFiles()
                if not files:
                    return None
                path = with_suffix(files[0], suffix)
                problem = refusal(path)
                if problem is None:
                    return path
                QMessageBox.warning(dialog, title, problem)
                dialog.selectFile(suggested.name)
            return None
        finally:
            dialog.deleteLater()


def with_suffix(path: str | Path, suffix: str) -> Path:
    text = str(path)
    return Path(text if text.lower().endswith(suffix.lower()) else text + suffix)


def refusal(path: Path) -> str | None:
    """Why `path` may not be written, or None."""
    if is_database_file(path):
        return f"{path} is a clinic database file; choose another name."
    return None
