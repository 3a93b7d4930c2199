"""A database on a network filesystem, opened from the desktop: the nurse sees the same
start-up message box as for any other database fault, naming the file and the reason."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from ketamon.cli import EXIT_ERROR, main
from ketamon.storage import filesystems
from ketamon.ui import app


def test_the_start_up_box_names_the_file_and_the_network_filesystem(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    fake = tmp_path / "mountinfo"
    fake.write_text(
        "22 1 254:0 / / rw,relatime - ext4 /dev/vda1 rw\n"
        f"40 22 0:40 / {tmp_path} rw,relatime - cifs //nas/clinic rw\n"
    )
    monkeypatch.setattr(filesystems, "MOUNTINFO", fake)
    monkeypatch.setattr(app, "has_display", lambda: True)
    shown = []

    def exec_(box: QMessageBox) -> int:
        shown.append((box.windowTitle(), box.text(), box.informativeText()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    db = tmp_path / "ketamon.sqlite3"
    assert main(["--db", f"sqlite:///{db}"]) == EXIT_ERROR

    [(title, text, more)] = shown
    assert title == "KetaMon could not start"
    assert text.startswith(f"Database {db}: the file is on a network filesystem (cifs at ")
    assert "PostgreSQL" in text
    assert more.startswith("Nothing was changed.")
    assert capsys.readouterr().err.strip() == f"ketamon: {text}"  # one line, as the others
    assert not db.exists()
