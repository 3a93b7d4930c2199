"""Child process for test_file_dialog_locks: the app side, driven line by line on stdin.

It opens a clinic with the real clock, checks a patient in (a write), then on "dialogs"
opens every file dialog the app has, navigates each to the database's folder by typing the
folder like a nurse, lets it list the folder (icons, types) and saves a file there; on
"sniff" it opens and closes the database files itself (as any careless code in the
process could); on "save" it records a vitals set. After each step it prints the locks on
the database and its -shm (/proc/locks): this process's POSIX ones and the OFD guards.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QFileSystemModel, QLineEdit

from ketamon.domain.actors import Actor
from ketamon.domain.patients import PatientDraft
from ketamon.domain.vitals import VitalsDraft
from ketamon.services.clinic import Clinic
from ketamon.storage.locks import locks_on
from ketamon.ui.app import application
from ketamon.ui.printing import SavePdf
from ketamon.ui.session_window import ask_png_path

ACTOR = Actor("nurse.jo", "Jo Rivera, RN")  # the account tests.conftest.open_clinic makes


def held(db: Path) -> str:
    """The locks on the database and its -shm: this process's POSIX ones, the OFD guards."""
    locks = locks_on([db, Path(f"{db}-shm")])
    return f"{locks.posix} {locks.ofd}"


def sniff(db: Path) -> None:
    """What Qt's stock file dialog did: open each file, read its first bytes, close it."""
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        with open(path, "rb") as f:
            f.read(64)


def drive(dialog: QFileDialog, folder: Path, name: str) -> None:
    """Go to the folder; once it is listed, look at it as a list and as details (icons,
    types), then type the file name and save."""
    edit = dialog.findChild(QLineEdit, "fileNameEdit")
    model = dialog.findChild(QFileSystemModel)

    def loaded(path: str) -> None:
        if Path(path) != folder:
            return
        model.directoryLoaded.disconnect(loaded)
        QTimer.singleShot(50, look)

    def look() -> None:
        dialog.grab()  # paints every row: names and icons
        dialog.setViewMode(QFileDialog.ViewMode.Detail)
        dialog.grab()  # and sizes, types, dates
        QTimer.singleShot(50, save)

    def save() -> None:
        edit.setText(name)
        dialog.accept()

    model.directoryLoaded.connect(loaded)
    dialog.setDirectory(str(folder))  # as if browsed there


def open_dialogs(app: QApplication, folder: Path, summary) -> list[str]:
    saved = []

    def watch(name: str) -> None:
        def find() -> None:
            dialog = app.activeModalWidget()
            if isinstance(dialog, QFileDialog):
                drive(dialog, folder, name)
            else:
                QTimer.singleShot(10, find)

        QTimer.singleShot(0, find)

    watch("summary.pdf")
    pdf = SavePdf.ask(None, summary)
    saved.append(str(pdf))
    watch("chart.png")
    saved.append(ask_png_path(None, "vitals.png"))
    return saved


def main(url: str) -> None:
    app = application()
    clinic = Clinic.open(url)
    db = clinic.db.path
    assert db is not None
    chairs = clinic.chairs.ensure_defaults(ACTOR)
    patient = clinic.patients.register(
        ACTOR, PatientDraft("KM-7001", "Ines Moreau", date(1979, 2, 3), 70.0)
    )
    session = clinic.sessions.check_in(ACTOR, chairs[0].id, patient.id, 40)
    print("READY", session.id, held(db), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "dialogs":
            saved = open_dialogs(app, db.parent, clinic.summary.snapshot(session.id))
            print("DIALOGS", held(db), *saved, flush=True)
        elif command == "sniff":
            sniff(db)
            print("SNIFFED", held(db), flush=True)
        elif command == "save":
            vitals = clinic.vitals.record(
                ACTOR,
                session.id,
                VitalsDraft(systolic=131, diastolic=83, heart_rate=77, spo2=97, resp_rate=15),
            )
            print("SAVED", vitals.id, held(db), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
