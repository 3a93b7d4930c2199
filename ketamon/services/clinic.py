"""Opening a clinic database: connect, migrate, and hand out the services."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ketamon.domain.changes import Change
from ketamon.domain.clock import Clock, system_clock
from ketamon.domain.upgrades import UpgradeProgress
from ketamon.services.anchors import AnchorService
from ketamon.services.audit import AuditService
from ketamon.services.board import BoardService
from ketamon.services.chairs import ChairService
from ketamon.services.changes import ChangeChannel
from ketamon.services.courses import CourseService
from ketamon.services.discharge import DischargeService
from ketamon.services.dose import DoseService
from ketamon.services.exports import ExportService
from ketamon.services.interventions import InterventionService
from ketamon.services.keys import APP_KDF, KdfParams
from ketamon.services.outcomes import OutcomeService
from ketamon.services.patients import PatientService
from ketamon.services.record import RecordService
from ketamon.services.review import ReviewService
from ketamon.services.sessions import SessionService
from ketamon.services.settings import SettingsService
from ketamon.services.side_effects import SideEffectService
from ketamon.services.summary import SummaryService
from ketamon.services.users import AuthService, UserService
from ketamon.services.vitals import VitalsService
from ketamon.storage.database import DEFAULT_BUSY_TIMEOUT_MS, Database, StorageError
from ketamon.storage.live import feed_for
from ketamon.storage.migrate import upgrade

__all__ = ["Clinic", "Post", "StorageError"]

# Runs a function where the screens live (the UI hands in one that moves it to its thread).
Post = Callable[[Callable[[], object]], object]


def call_now(fn: Callable[[], object]) -> object:
    return fn()


class Clinic:
    """The services over one database, sharing one clock."""

    def __init__(self, db: Database, clock: Clock = system_clock, kdf: KdfParams = APP_KDF) -> None:
        self.db = db
        self.clock = clock
        # Every committed change, named by the database, for the screens to follow.
        self.changes = ChangeChannel()
        db.committed.append(self.changes.committed)
        # ...and those committed by other workstations on the same database, once started.
        self.live = feed_for(db)
        self.settings = SettingsService(db, clock)
        self.chairs = ChairService(db, clock)
        self.patients = PatientService(db, clock)
        self.sessions = SessionService(db, clock)
        self.board = BoardService(db, clock)
        self.users = UserService(db, clock, kdf)  # kdf: cheaper only in the tests
        self.auth = AuthService(db, clock)
        self.audit = AuditService(db, clock)
        self.anchors = AnchorService(db, clock)
        self.vitals = VitalsService(db, clock)
        self.record = RecordService(db, clock)
        self.discharge = DischargeService(db, clock)
        self.interventions = InterventionService(db, clock)
        self.outcomes = OutcomeService(db, clock)
        self.courses = CourseService(db, clock)
        self.exports = ExportService(db, clock)
        self.dose = DoseService(db, clock)
        self.summary = SummaryService(db, clock)
        self.side_effects = SideEffectService(db, clock)
        self.review = ReviewService(db, clock)
        self.backup: Path | None = None

    @classmethod
    def open(
        cls,
        url: str,
        clock: Clock = system_clock,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        kdf: KdfParams = APP_KDF,
        progress: UpgradeProgress | None = None,
    ) -> Clinic:
        """Open (creating if needed) and migrate the database. Raises StorageError.
        `progress` hears each step of an upgrade as it begins (the start-up window)."""
        db = Database(url, busy_timeout_ms=busy_timeout_ms)
        try:
            db.check_connection()
            backup = upgrade(db, clock=clock, progress=progress)
            db.keep_locks()  # a new file has its -wal and -shm only now
        except Exception:
            db.dispose()
            raise
        clinic = cls(db, clock, kdf)
        clinic.backup = backup
        return clinic

    def start_live(self, post: Post = call_now) -> None:
        """Publish on `changes` what other workstations commit, within about a second.
        The feed's thread hands each change to `post`, which must run it where the
        subscribers live (the UI's thread); by default it runs on the feed's thread."""

        def arrived(change: Change) -> None:
            post(lambda: self.changes.arrived(change))

        self.live.start(arrived)

    def stop_live(self) -> None:
        """Stop following other workstations (returns when the feed's thread has ended)."""
        self.live.stop()

    @property
    def location(self) -> str:
        return self.db.location

    @property
    def on_server(self) -> bool:
        """The database is a server's (PostgreSQL), not a file on this computer."""
        return not self.db.is_sqlite

    def check_connection(self) -> None:
        """One cheap round trip: the database answers. Raises StorageError (its reason says
        why not). Safe to call from a thread other than the one that opened the clinic."""
        self.db.check_connection()

    def close(self, *, anchor: bool = True) -> None:
        """A clean shutdown: the audit chain's head is anchored outside the database
        (anchor=False for commands that only read, such as `ketamon audit verify`)."""
        self.stop_live()
        if anchor:
            self.anchors.anchor_on_close()
        self.db.dispose()
