"""ketamon.ui.file_dialogs: the one way the app asks for a path, and it never opens the
database files (see its docstring for why)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QFileInfo
from PySide6.QtWidgets import QFileDialog, QFileSystemModel, QListView, QMessageBox

import ketamon
from ketamon.storage.locks import SUPPORTED, locks_on
from ketamon.ui import file_dialogs
from ketamon.ui.file_dialogs import (
    NameOnlyIconProvider,
    SaveFileDialog,
    is_database_file,
    refusal,
)

PACKAGE = Path(ketamon.__file__).parent
# Qt classes that list folders or read files to guess their type: only file_dialogs uses them.
FILE_BROWSING = {
    "QFileDialog",
    "QFileSystemModel",
    "QFileIconProvider",
    "QAbstractFileIconProvider",
    "QMimeDatabase",
}


def names_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.alias):
            used.add(node.name.rsplit(".", 1)[-1])
    return used


def test_no_other_module_of_the_app_uses_a_qt_file_dialog() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(names_used(path) & FILE_BROWSING)
        for path in PACKAGE.rglob("*.py")
        if path != Path(file_dialogs.__file__)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_above_sees_a_direct_use(tmp_path: Path) -> None:
    sneaky = tmp_path / "export.py"
    sneaky.write_text(
        "from PySide6 import QtWidgets\n"
        "def ask(parent):\n"
        "    return QtWidgets.QFileDialog.getSaveFileName(parent)\n"
    )
    assert "QFileDialog" in names_used(sneaky)


@pytest.mark.parametrize(
    "name",
    [
        "ketamon.sqlite3",
        "ketamon.sqlite3-wal",
        "ketamon.sqlite3-shm",
        "ketamon.sqlite3-journal",
        "ketamon.backup-20261121T140500Z.sqlite3",
        "clinic.db",
        "clinic-records-wal",
    ],
)
def test_sqlite_files_are_recognised_by_their_names(tmp_path: Path, name: str) -> None:
    assert is_database_file(tmp_path / name)


def test_an_open_database_is_recognised_under_any_name(clinic, tmp_path: Path) -> None:
    link = tmp_path / "chart.png"
    link.symlink_to(clinic.db.path)
    other = tmp_path / "notes.png"
    other.write_bytes(b"not a database")
    assert is_database_file(link)
    assert not is_database_file(other)
    assert refusal(link) is not None and str(link) in refusal(link)
    assert refusal(other) is None


def test_the_icon_provider_names_types_from_the_suffix(qapp, tmp_path: Path) -> None:
    provider = NameOnlyIconProvider()
    blob = tmp_path / "mystery"
    blob.write_bytes(b"%PDF-1.7 looks like a PDF inside")
    assert provider.type(QFileInfo(str(tmp_path / "summary.pdf"))) == "PDF document"
    assert provider.type(QFileInfo(str(blob))) == "File"  # not "PDF": contents are not read
    assert provider.type(QFileInfo(str(tmp_path))) == "Folder"
    assert not provider.icon(QFileInfo(str(blob))).isNull()


def _listed(qtbot, dialog: QFileDialog, folder: Path) -> list[str]:
    """The names the dialog's list view shows for `folder`, once the model has loaded it."""
    model = dialog.findChild(QFileSystemModel)
    with qtbot.waitSignal(model.directoryLoaded, timeout=10_000):
        dialog.setDirectory(str(folder))
    view = dialog.findChild(QListView, "listView")
    qtbot.waitUntil(lambda: view.model().rowCount(view.rootIndex()) > 0)
    dialog.grab()  # every row painted: names and icons
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.grab()  # and types
    root = view.rootIndex()
    return sorted(
        view.model().index(row, 0, root).data() for row in range(view.model().rowCount(root))
    )


@pytest.mark.skipif(not SUPPORTED, reason="/proc/locks: Linux only")
@pytest.mark.parametrize("name", ["ketamon.sqlite3", "clinic-records"])
def test_the_dialog_on_the_database_folder_keeps_the_locks_and_hides_the_files(
    qtbot, tmp_path: Path, name: str
) -> None:
    from tests.conftest import open_clinic

    folder = tmp_path / "clinic"
    folder.mkdir()
    clinic = open_clinic(f"sqlite:///{folder / name}")
    try:
        db = clinic.db.path
        clinic.chairs.all()  # a connection open, its locks held
        (folder / "notes.pdf").write_bytes(b"%PDF-1.7")
        (folder / "older.backup-20260101T000000Z.sqlite3").write_bytes(b"SQLite format 3\0")
        before = locks_on([db, Path(f"{db}-shm")])
        assert before.posix >= 2 and before.ofd == 2

        everything = "All files (*)"  # the widest a dialog may offer
        dialog = SaveFileDialog(None, "Save", folder / "summary.pdf", f"PDF (*.pdf);;{everything}")
        qtbot.addWidget(dialog)
        dialog.selectNameFilter(everything)
        dialog.show()
        names = _listed(qtbot, dialog, folder)
        dialog.close()

        assert names == ["notes.pdf"]  # no database, -wal, -shm or backup
        assert locks_on([db, Path(f"{db}-shm")]) == before
    finally:
        clinic.close()


def test_ask_refuses_an_open_database_and_asks_again(clinic, qapp, monkeypatch, tmp_path):
    link = tmp_path / "summary.pdf"
    link.symlink_to(clinic.db.path)  # the database, under a name the dialog would accept
    chosen = iter([str(link), str(tmp_path / "good.pdf")])
    warnings = []

    def exec_(self):
        self.selected = next(chosen)
        return QFileDialog.DialogCode.Accepted

    monkeypatch.setattr(SaveFileDialog, "exec", exec_)
    monkeypatch.setattr(SaveFileDialog, "selectedFiles", lambda self: [self.selected])
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    path = SaveFileDialog.ask(None, "Save", tmp_path / "x.pdf", "PDF (*.pdf)", ".pdf")
    assert path == tmp_path / "good.pdf"
    assert warnings == [f"{link} is a clinic database file; choose another name."]


def test_ask_adds_the_suffix_and_cancel_gives_none(qapp, monkeypatch, tmp_path) -> None:
    answers = iter([QFileDialog.DialogCode.Accepted, QFileDialog.DialogCode.Rejected])
    monkeypatch.setattr(SaveFileDialog, "exec", lambda self: next(answers))
    monkeypatch.setattr(SaveFileDialog, "selectedFiles", lambda self: [str(tmp_path / "chart")])
    assert SaveFileDialog.ask(None, "Save", tmp_path / "c.png", "PNG (*.png)", ".png") == (
        tmp_path / "chart.png"
    )
    assert SaveFileDialog.ask(None, "Save", tmp_path / "c.png", "PNG (*.png)", ".png") is None


def test_the_dialog_is_qts_own_widget_dialog(qapp, tmp_path: Path) -> None:
    dialog = SaveFileDialog(None, "Save", tmp_path / "summary.pdf", "PDF (*.pdf)")
    try:
        assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
        assert isinstance(dialog.iconProvider(), NameOnlyIconProvider)
        assert isinstance(dialog.proxyModel(), file_dialogs.HideDatabaseFiles)
        assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
        assert os.path.basename(dialog.selectedFiles()[0]) == "summary.pdf"
    finally:
        dialog.deleteLater()
