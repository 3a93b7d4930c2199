"""The PostgreSQL server stops while a nurse types vitals: a banner in words across the board
(and the open session window), no message box, the popup keeps every value; the server comes
back: the banner goes by itself within the retry period, and the same Enter saves the set.

The server is this module's own (tests/pg.py), so it can be stopped and started."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import create_engine

from ketamon.domain.errors import StorageError
from ketamon.ui.connection import RETRY_MS, ConnectionWatch, report_fault
from ketamon.ui.session_window import SessionWindow
from tests.conftest import NURSE, open_clinic
from tests.pg import TestServer
from tests.ui.conftest import tile_of
from tests.ui.test_vitals_entry import BASELINE, Keys, chip_texts, drive_entry, infusing

_databases = itertools.count(1)
BACK_WITHIN_MS = RETRY_MS + 3000  # one retry period, and the check's own round trip


@pytest.fixture(scope="module")
def server() -> Iterator[TestServer]:
    own = TestServer()
    own.start()
    try:
        yield own
    finally:
        own.remove()


def is_running(server: TestServer) -> bool:
    return (server.data / "postmaster.pid").exists()


@pytest.fixture
def clinic(server: TestServer, clock):
    """A clinic on a new database of this module's server (running again at the end)."""
    name = f"banner_{next(_databases)}"
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    c = open_clinic(server.url(name), clock)
    c.chairs.ensure_defaults(NURSE)
    yield c
    if not is_running(server):
        server.start()
    c.close()


def boxes(window) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_server_stops_while_typing_vitals_banner_nothing_lost_and_the_same_enter_saves(
    server, clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=10)
    window = make_window(clinic)
    banner, watch = window.connection_banner, window.controller.connection
    assert banner.isHidden()
    keys = Keys(qtbot)

    def driver(dialog):
        keys("128/84", Qt.Key.Key_Tab, "72", Qt.Key.Key_Tab, "98", Qt.Key.Key_Tab, "14")
        server.stop()
        keys(Qt.Key.Key_Return)
        # Across the top of the board, in words: what, that nothing is lost, that it retries.
        assert banner.isVisible()
        assert banner.text() == (
            f"Cannot reach the database server ({clinic.location}): connection refused."
            " Nothing you type is lost: entries stay in their forms until "
            "it is back. Retrying every 5 s."
        )
        assert clinic.location.startswith(f"{server.root}:5432/")
        # The popup is still open with every value as typed, the reason on its line.
        assert dialog.isVisible()
        typed = {k: dialog.fields[k].text() for k in ("bp", "heart_rate", "spo2", "resp_rate")}
        assert typed == {"bp": "128/84", "heart_rate": "72", "spo2": "98", "resp_rate": "14"}
        assert dialog.general_error.text().startswith(
            f"Not saved: Database {clinic.location}: connection refused."
        )
        assert dialog.saved_sets == []
        assert boxes(window) == [] and boxes(dialog) == []  # the banner, not a box
        # Pressing Enter again while it is down: still kept, still no box.
        keys(Qt.Key.Key_Return)
        assert dialog.fields["bp"].text() == "128/84" and boxes(dialog) == []

        server.start()
        qtbot.waitUntil(banner.isHidden, timeout=BACK_WITHIN_MS)
        assert dialog.general_error.text() == (
            "The database answers again: press Enter to save what you typed."
        )
        keys(Qt.Key.Key_Return)
        assert chip_texts(dialog) == [
            "BP 128/84 normal",
            "HR 72 normal",
            "SpO2 98% normal",
            "RR 14 normal",
        ]

    drive_entry(monkeypatch, qtbot, driver)
    qtbot.mouseClick(tile_of(window, 0).buttons["vitals"], Qt.MouseButton.LeftButton)
    saved = clinic.vitals.for_session(session.id)[-1]
    assert (saved.values.systolic, saved.values.heart_rate, saved.values.resp_rate) == (128, 72, 14)
    # Healthy again: nothing is polled.
    assert not watch.down and not watch.timer.isActive()


def test_the_boards_reload_while_down_shows_the_banner_not_a_box_and_a_session_window_too(
    server, clinic, clock, make_window, qtbot
):
    session = infusing(clinic, clock, minutes=10)
    window = make_window(clinic)
    controller, watch = window.controller, window.controller.connection
    opened = controller.open_session(session.id)
    assert isinstance(opened, SessionWindow)
    session_banner = opened.connection_banner
    assert session_banner is not None and session_banner.isHidden()
    assert watch.checks == 0  # healthy: no check has run

    server.stop()
    assert controller.reload() is None  # as the periodic reload does
    assert window.connection_banner.isVisible() and boxes(window) == []
    assert session_banner.isVisible()
    assert session_banner.text() == window.connection_banner.text()
    assert "connection refused" in session_banner.text()
    # Retries come every 5 s while down, each failing quietly: still one banner, no box.
    qtbot.waitUntil(lambda: watch.checks >= 2, timeout=2 * BACK_WITHIN_MS)
    assert window.connection_banner.isVisible() and boxes(window) == []

    # Meanwhile another workstation records a set; when the server is back, the board and
    # the session window read it without anyone pressing Refresh.
    server.start()
    other = open_clinic(server.url(clinic.location.split("/")[-1]), clock)
    other.vitals.record(NURSE, session.id, BASELINE)
    other.close()
    qtbot.waitUntil(window.connection_banner.isHidden, timeout=BACK_WITHIN_MS)
    assert session_banner.isHidden()
    qtbot.waitUntil(lambda: len(opened.sets) == 2, timeout=2000)
    opened.close()


def test_a_fault_of_another_database_or_one_that_is_not_a_lost_connection_shows_no_banner(qtbot):
    watch = ConnectionWatch(lambda: None, "db.clinic.lan:5432/ketamon")
    try:
        report_fault(StorageError("other.lan:5432/ketamon", "connection refused"))
        report_fault(StorageError("db.clinic.lan:5432/ketamon", "the file is read-only"))
        assert not watch.down and not watch.timer.isActive()
        report_fault(StorageError("db.clinic.lan:5432/ketamon", "connection refused"))
        assert watch.down and watch.timer.isActive()
    finally:
        watch.stop()
