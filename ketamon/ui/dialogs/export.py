"""Export… (physicians and administrators): what, which period, where; the export runs in
a worker thread (the services open their own database session there, one per
transaction), with a progress bar and Cancel, so the window and the board stay
responsive. A cancelled export writes nothing; a finished one is on the audit trail.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ketamon.domain.errors import DomainError, FieldError, StorageError
from ketamon.reports.pdf import ReportError
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, error_label

KINDS = (
    ("csv", "CSV files: sessions, vitals, side effects, medications, doses, scores"),
    ("substance_pdf", "Controlled-substance log (PDF)"),
    ("substance_csv", "Controlled-substance log (CSV)"),
    ("fhir", "FHIR R4 bundle (JSON) for an EHR: a period, or one patient"),
)


@dataclass(frozen=True)
class ExportRequest:
    """What the dialog asks for: a kind, a period (or, for FHIR, one patient's MRN instead)
    and where to write it."""

    kind: str
    since: date | None
    until: date | None
    where: Path
    mrn: str | None = None


# (the request, progress) -> what was written, in words
RunExport = Callable[[ExportRequest, Callable[[str, int], bool]], str]


@dataclass(frozen=True)
class ExportHandlers:
    run: RunExport
    today: Callable[[], date]
    earlier: Callable[[], list[str]] = lambda: []  # the last exports, in words, newest first


class _Worker(QObject):
    progressed = Signal(str, int)
    finished = Signal(str)
    failed = Signal(str)

    def __init__(self, call: Callable[[Callable[[str, int], bool]], str]) -> None:
        super().__init__()
        self.call = call
        self.cancel = threading.Event()

    def run(self) -> None:
        def progress(kind: str, rows: int) -> bool:
            self.progressed.emit(kind, rows)
            return not self.cancel.is_set()

        try:
            self.finished.emit(self.call(progress))
        except (DomainError, StorageError, ReportError, OSError) as error:
            self.failed.emit(str(error))


def _parse_day(text: str, label: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError(label.lower(), f"{label}: a date, YYYY-MM-DD") from None


class ExportDialog(KitDialog):
    def __init__(self, parent: QWidget | None, handlers: ExportHandlers) -> None:
        super().__init__(parent)
        self.handlers = handlers
        self.setWindowTitle("Export")
        self.setMinimumWidth(720)
        today = handlers.today()
        self.kind = QComboBox()
        self.kind.setObjectName("exportKind")
        for key, text in KINDS:
            self.kind.addItem(text, key)
        self.since = QLineEdit((today.replace(day=1)).isoformat())
        self.since.setObjectName("exportFrom")
        self.until = QLineEdit(today.isoformat())
        self.until.setObjectName("exportTo")
        self.patient = QLineEdit()
        self.patient.setObjectName("exportPatient")
        self.patient.setPlaceholderText("FHIR only: one patient's sessions instead of the period")
        self.destination = QLineEdit(str(Path.home() / f"ketamon-export-{today.isoformat()}"))
        self.destination.setObjectName("exportDestination")
        self.destination.setToolTip(
            "CSV files: an empty folder; a log or a FHIR bundle: the file to write"
        )
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.hide()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.earlier = QLabel("")
        self.earlier.setObjectName("exportEarlier")
        self.earlier.setWordWrap(True)
        self.error = error_label()
        self.errors = FieldErrors(self.error, hide_empty_message=True, focus=True)
        fields = (
            ("from", self.since),
            ("to", self.until),
            ("mrn", self.patient),
            ("out", self.destination),
        )
        for key, widget in fields:
            self.errors.watch(key, widget)
        form = QFormLayout()
        form.addRow("&What:", self.kind)
        form.addRow("&From (YYYY-MM-DD):", self.since)
        form.addRow("&To (YYYY-MM-DD):", self.until)
        form.addRow("&Patient MRN:", self.patient)
        form.addRow("&Destination:", self.destination)
        buttons = QDialogButtonBox()
        self.export_button = QPushButton("Export")
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        note = QLabel(
            "An export is a disclosure of health information: it is recorded on the audit "
            "trail (who, what, which period, how many records)."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        title = QLabel("Export")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addWidget(self.earlier)
        layout.addWidget(buttons)
        self.set_primary(self.export_button)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.patient.textChanged.connect(self._kind_changed)
        self._kind_changed()
        self._show_earlier()
        self.job_thread: QThread | None = None
        self.worker: _Worker | None = None
        self.result_text = ""

    @property
    def running(self) -> bool:
        return self.job_thread is not None

    def start(self) -> None:
        if self.running:
            return
        self.errors.clear()
        kind = str(self.kind.currentData())
        mrn = self.patient.text().strip() if kind == "fhir" else ""
        since = until = None
        if not mrn:  # one patient's sessions, whenever they were; else the period's
            try:
                since = _parse_day(self.since.text(), "From")
                until = _parse_day(self.until.text(), "To")
            except FieldError as error:
                self.errors.show_error(error)
                return
        where = Path(self.destination.text().strip()).expanduser()
        request = ExportRequest(kind, since, until, where, mrn or None)
        run = self.handlers.run
        worker = _Worker(lambda progress: run(request, progress))
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._progressed)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        self.job_thread, self.worker = thread, worker
        self.export_button.setEnabled(False)
        self.bar.show()
        self.status.setText("Exporting…")
        thread.start()

    def _kind_changed(self) -> None:
        """The patient field is for FHIR only; with an MRN there the period is not used."""
        fhir = self.kind.currentData() == "fhir"
        self.patient.setEnabled(fhir)
        if not fhir:
            self.patient.clear()
        by_patient = bool(self.patient.text().strip())
        for field in (self.since, self.until):  # greyed: not used when an MRN is given
            field.setEnabled(not by_patient)

    def _progressed(self, kind: str, rows: int) -> None:
        if kind == "sessions":  # FHIR: session by session
            self.status.setText(f"Exporting: {rows} sessions so far…")
        else:
            self.status.setText(f"Exporting {kind.replace('_', ' ')}: {rows} rows so far…")

    def _stop_thread(self) -> None:
        if self.job_thread is not None:
            self.job_thread.quit()
            self.job_thread.wait()
        self.job_thread, self.worker = None, None
        self.bar.hide()
        self.export_button.setEnabled(True)

    def _finished(self, text: str) -> None:
        self._stop_thread()
        self.result_text = text
        self.status.setText(text)
        self.export_button.setText("Export again")
        self.cancel_button.setText("Close")
        self._show_earlier()

    def _show_earlier(self) -> None:
        """The last exports from the audit trail: who exported what, and when."""
        try:
            lines = self.handlers.earlier()[:5]
        except (DomainError, StorageError):
            lines = []
        self.earlier.setText("Earlier exports (audit trail):\n" + "\n".join(lines) if lines else "")
        self._fit()

    def _fit(self) -> None:
        """Grow to what the dialog now says, so the form is never squeezed by it."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def _failed(self, text: str) -> None:
        self._stop_thread()
        self.status.setText("")
        self.errors.say(text)
        self._fit()

    def cancel(self) -> None:
        """While an export runs: stop it (nothing is written). Otherwise: close."""
        if self.worker is not None:
            self.worker.cancel.set()
            self.status.setText("Cancelling…")
            return
        self.reject()

    def reject(self) -> None:
        if self.worker is not None:  # Esc while it runs: cancel it first, then close
            self.worker.cancel.set()
            self._stop_thread()
        super().reject()

    def answer(self) -> str:
        return self.result_text
