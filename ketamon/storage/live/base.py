"""What every feed shares: its thread, a clean stop, and who this process is."""

from __future__ import annotations

import itertools
import logging
import os
import select
import socket
import threading
from collections.abc import Callable

from ketamon.domain.changes import Change
from ketamon.storage.database import Database

log = logging.getLogger(__name__)

Deliver = Callable[[Change], object]
STOP_TIMEOUT_S = 3.0  # longest wait for the thread at stop (a connection attempt in flight)
READY_TIMEOUT_S = 2.0  # longest wait at start for the feed to listen (see start())
_numbers = itertools.count(1)


def workstation_id() -> str:
    """This process's name on the database: host, process id, and a number (one process may
    open the same database twice, as the tests do: each is a workstation of its own)."""
    return f"{socket.gethostname()} pid {os.getpid()} #{next(_numbers)}"


class Feed:
    """A thread that runs `run()` from start() to stop(). `wait(seconds)` sleeps until
    then or until stop() (a pipe wakes it: stopping never waits for a timeout)."""

    name = "feed"

    def __init__(self, db: Database) -> None:
        self.db = db
        self.workstation = workstation_id()
        self._deliver: Deliver | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._wake_r = self._wake_w = -1

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def listening(self) -> bool:
        """Changes made elsewhere now reach this feed (a connection is open and ready)."""
        return False

    def start(self, deliver: Deliver) -> None:
        """Listen, handing each change made elsewhere to `deliver` (on the feed's thread).
        Returns once the feed listens (or its first attempt failed; at most
        READY_TIMEOUT_S): what is read after start() misses nothing committed since."""
        if self._thread is not None:
            return
        self._deliver = deliver
        self._stopping.clear()
        self._ready.clear()
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(
            target=self._main, name=f"ketamon-{self.name}-feed", daemon=True
        )
        self._thread.start()
        self._ready.wait(READY_TIMEOUT_S)

    def ready(self) -> None:
        """The feed listens (or tried once): start() returns."""
        self._ready.set()

    def stop(self) -> None:
        """Stop listening; returns when the thread has ended (at most STOP_TIMEOUT_S)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        os.write(self._wake_w, b"x")
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():  # a daemon thread: it cannot keep the process alive
            log.warning("Database %s: the live refresh did not stop in time", self.db.location)
        else:
            os.close(self._wake_r)
        os.close(self._wake_w)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def wait(self, seconds: float | None, *fds: int) -> list[int]:
        """Sleep up to `seconds` (None: for ever), until stop(), or until one of `fds` can be
        read: those that can (an empty list when stopping or the time is up)."""
        ready, _w, _x = select.select([self._wake_r, *fds], [], [], seconds)
        if self._wake_r in ready:
            return []
        return ready

    def deliver(self, change: Change) -> None:
        if self._deliver is None or not change:
            return
        try:
            self._deliver(change)
        except Exception:  # the feed goes on: a screen failing once must not stop it
            log.exception("Database %s: a change from elsewhere was not followed", self.db.location)

    def _main(self) -> None:
        try:
            self.run()
        except Exception:
            log.exception("Database %s: the live refresh stopped", self.db.location)
        finally:
            self.ready()

    def run(self) -> None:
        raise NotImplementedError
