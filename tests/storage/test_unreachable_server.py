"""A PostgreSQL server that cannot be reached is named (HOST:PORT/DB, never the password) with
the reason in words, soon (connect timeout 5 s), and the same Database works again once the
server is back. The server here is this module's own, so it can be stopped and started."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import make_url, text

from ketamon.domain.errors import (
    AUTHENTICATION_FAILED,
    CONNECTION_REFUSED,
    FILE_UNREADABLE,
    NO_SUCH_DATABASE,
    SERVER_CLOSED,
    TIMED_OUT,
    StorageError,
)
from ketamon.storage.database import (
    CONNECT_TIMEOUT_S,
    Database,
    error_reason,
    server_connect_args,
    server_location,
)
from tests.pg import TestServer


@pytest.fixture(scope="module")
def server() -> Iterator[TestServer]:
    own = TestServer()
    own.start()
    try:
        yield own
    finally:
        own.remove()


@pytest.fixture
def running(server: TestServer) -> Iterator[TestServer]:
    """The server, running at the start and at the end of the test whatever it did."""
    if not (server.data / "postmaster.pid").exists():
        server.start()
    yield server
    if not (server.data / "postmaster.pid").exists():
        server.start()


def refused(call) -> StorageError:
    with pytest.raises(StorageError) as caught:
        call()
    return caught.value


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_stopped_server_is_named_and_refused_in_words_and_works_again_when_back(running):
    db = Database(running.url())
    try:
        db.check_connection()
        with db.transaction(write=False) as tx:  # a pooled connection, as after any action
            assert tx.execute(text("SELECT 1")).scalar() == 1
        running.stop()
        error = refused(db.check_connection)
        assert error.reason == CONNECTION_REFUSED and error.unreachable
        assert error.location == f"{running.root}:5432/postgres"
        assert str(error) == f"Database {running.root}:5432/postgres: connection refused"

        def read() -> None:
            with db.transaction(write=False) as tx:
                tx.execute(text("SELECT 1"))

        assert refused(read).reason == CONNECTION_REFUSED  # the real actions say the same
        running.start()
        read()  # the dead pooled connection is replaced: no restart of the app
        db.check_connection()
    finally:
        db.dispose()


def test_a_connection_cut_by_a_server_stop_in_the_middle_says_the_server_closed_it(running):
    db = Database(running.url())
    try:

        def cut() -> None:
            with db.transaction(write=False) as tx:
                tx.execute(text("SELECT 1"))
                running.stop()  # the server goes while this unit of work is open
                tx.execute(text("SELECT 1"))

        error = refused(cut)
        assert error.reason == SERVER_CLOSED and error.unreachable
    finally:
        db.dispose()


def test_a_database_or_user_the_server_does_not_know_is_said_in_words(running):
    missing = Database(running.url("no_such_clinic"))
    stranger = Database(running.url().replace("postgres@", "nobody_here@"))
    try:
        error = refused(missing.check_connection)
        assert error.reason == NO_SUCH_DATABASE and error.unreachable
        assert error.location.endswith(":5432/no_such_clinic")
        error = refused(stranger.check_connection)
        assert error.reason.startswith(AUTHENTICATION_FAILED) and error.unreachable
    finally:
        missing.dispose()
        stranger.dispose()


def test_nobody_listening_on_a_tcp_port_is_connection_refused_and_the_password_is_never_shown():
    port = free_port()
    db = Database(f"postgresql+psycopg://clinic:s3cret-pw@127.0.0.1:{port}/ketamon")
    try:
        assert db.location == f"127.0.0.1:{port}/ketamon"
        error = refused(db.check_connection)
        assert error.reason == CONNECTION_REFUSED
        assert str(error) == f"Database 127.0.0.1:{port}/ketamon: connection refused"
        assert "s3cret" not in str(error) and "s3cret" not in db.location
    finally:
        db.dispose()


def test_a_server_that_accepts_but_never_answers_times_out_in_seconds_not_minutes():
    """A listening socket that never speaks (a hung server, a half-dead network): without
    connect_timeout libpq would wait forever and the screen with it."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # the kernel completes the handshake; nobody ever answers
        port = silent.getsockname()[1]
        db = Database(f"postgresql+psycopg://clinic@127.0.0.1:{port}/ketamon?sslmode=disable")
        outcome: list[object] = []

        def attempt() -> None:
            started = time.monotonic()
            try:
                db.check_connection()
            except StorageError as error:
                outcome.append(error)
            outcome.append(time.monotonic() - started)

        worker = threading.Thread(target=attempt, daemon=True)
        worker.start()
        worker.join(timeout=CONNECT_TIMEOUT_S + 10)
        db.dispose()
    assert not worker.is_alive(), "still waiting for a server that never answers"
    error, took = outcome
    assert isinstance(error, StorageError) and error.reason == TIMED_OUT and error.unreachable
    assert CONNECT_TIMEOUT_S - 1 <= took < CONNECT_TIMEOUT_S + 5


def test_a_sqlite_file_that_cannot_be_opened_is_unreachable_a_locked_one_is_not():
    with pytest.raises(sqlite3.OperationalError) as caught:
        sqlite3.connect("/no/such/folder/clinic.sqlite3")
    unreadable = StorageError("clinic.sqlite3", error_reason(caught.value))
    assert unreadable.reason.startswith(FILE_UNREADABLE) and unreadable.unreachable
    locked = StorageError(
        "clinic.sqlite3", error_reason(sqlite3.OperationalError("database is locked"))
    )
    assert "locked" in locked.reason and not locked.unreachable  # a moment's wait, not gone


def test_the_servers_address_keeps_the_timeouts_it_sets_itself_and_gets_ours_otherwise():
    ours = server_connect_args(make_url("postgresql+psycopg://clinic@db.lan/ketamon"))
    assert ours["connect_timeout"] == CONNECT_TIMEOUT_S and ours["keepalives"] == 1
    theirs = server_connect_args(
        make_url("postgresql+psycopg://clinic@db.lan/ketamon?connect_timeout=10")
    )
    assert "connect_timeout" not in theirs and theirs["keepalives"] == 1  # the URL's 10 s
    assert server_location(make_url("postgresql+psycopg://clinic:pw@/ketamon")) == (
        "local socket:5432/ketamon"
    )
