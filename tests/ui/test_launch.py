"""The board's start shows the sign-in window before the data layer is imported (issue
19), and a nurse who types and presses Enter before the database is open is signed in
as soon as it is: nothing typed is lost."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ketamon import cli
from ketamon.ui import launch as launching
from ketamon.ui.app import application
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.sqlite_only("a process of its own on a file")
def test_the_sign_in_window_is_shown_before_sqlalchemy_is_imported(clinic, tmp_path):
    """In a fresh process, as `ketamon --db URL` starts: at the moment the data layer's
    thread starts, the sign-in window is on the screen and SQLAlchemy not yet imported;
    the start then ends normally (quit once the sign-in is ready)."""
    script = textwrap.dedent(
        f"""
        import sys
        from ketamon.ui import launch
        seen = []
        start = launch._Prepare.start
        def watched(self, *args):
            window = next(w for w in launch.QApplication.topLevelWidgets()
                          if isinstance(w, launch.SignInWindow))
            seen.append((window.isVisible(), "sqlalchemy" in sys.modules))
            start(self, *args)
        launch._Prepare.start = watched
        from ketamon.cli import main
        code = main(["--db", {str(clinic.db.url)!r}])
        print("seen", seen, "code", code, "loaded", "sqlalchemy" in sys.modules)
        """
    )
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        KETAMON_QUIT_WHEN_IDLE="1",
        KETAMON_DATA_DIR=str(tmp_path),
    )
    env.pop("KETAMON_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "seen [(True, False)] code 0 loaded True" in done.stdout


def test_enter_before_the_database_is_open_signs_in_once_it_is(clinic, qtbot, monkeypatch):
    application()
    monkeypatch.delenv("KETAMON_QUIT_WHEN_IDLE", raising=False)
    release = threading.Event()

    def prepare() -> str:  # the data layer still loading while the nurse types
        release.wait(5)
        return str(clinic.db.url)

    quits: list[int] = []
    start = launching.Launch(prepare, failure_code=1, quit_app=quits.append)
    start.start()
    window = start.window
    try:
        assert window.clinic_label.text() == launching.OPENING
        panel = window.panel
        qtbot.keyClicks(panel.username, "nurse.jo")
        qtbot.keyClick(panel.username, Qt.Key.Key_Return)
        qtbot.keyClicks(panel.password, PASSWORD)
        assert start.startup is None  # typed before anything of the database was there
        threading.Timer(0.3, release.set).start()
        qtbot.keyClick(panel.password, Qt.Key.Key_Return)  # waits for it, then signs in
        main_window = start.startup.main_window
        assert main_window is not None
        qtbot.addWidget(main_window)
        assert main_window.user_label.text() == "Jo Rivera, RN"
        assert window.clinic_label.text() != launching.OPENING  # the clinic's name by then
        assert quits == []  # the start goes on
    finally:
        release.set()
        if start.startup is not None and start.startup.main_window is not None:
            start.startup.main_window.close()
        window.close()
        start.close()


@pytest.mark.parametrize(
    ("argv", "url"),
    [
        ([], None),
        (["run"], None),
        (["--db", "sqlite:///x"], "sqlite:///x"),
        (["--db=sqlite:///x"], "sqlite:///x"),
        (["run", "--db", "sqlite:///x"], "sqlite:///x"),
        (["--db", "sqlite:///x", "run"], "sqlite:///x"),
        (["demo"], cli._NOT_THE_BOARD),
        (["--help"], cli._NOT_THE_BOARD),
        (["--version"], cli._NOT_THE_BOARD),
        (["--db"], cli._NOT_THE_BOARD),
        (["--db", "--help"], cli._NOT_THE_BOARD),
        (["run", "run"], cli._NOT_THE_BOARD),
        (["--db", "a", "--db", "b"], cli._NOT_THE_BOARD),
        (["audit", "verify", "--db", "sqlite:///x"], cli._NOT_THE_BOARD),
    ],
)
def test_only_a_plain_start_of_the_board_takes_the_light_path(argv, url):
    """Anything else goes to the full parser, which runs the command or says what is wrong."""
    assert cli._board_url(argv) is url if url is cli._NOT_THE_BOARD else cli._board_url(argv) == url


def test_a_fault_in_the_data_layer_ends_the_start_with_its_traceback(qtbot, capsys):
    """Not a database fault (those are said in words): a bug while importing. The start
    ends with the error exit code and the traceback, instead of the window staying up on
    "Opening the clinic's database…"."""
    application()

    def prepare() -> str:
        raise RuntimeError("a bug in an import")

    quits: list[int] = []  # Qt's own exit would end every later event loop of the suite
    start = launching.Launch(prepare, failure_code=1, quit_app=quits.append)
    start.start()
    try:
        start.preparing.wait()
        start.finish()
        assert start.exit_code == 1 and start.startup is None and quits == [1]
        assert "RuntimeError: a bug in an import" in capsys.readouterr().err
    finally:
        start.window.close()
        start.close()
