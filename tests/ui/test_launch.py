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
    the start then ends normally (quit once the sign-in is ready). Nor are the vitals or
    user rules: the first window's colours and form need neither."""
    script = textwrap.dedent(
        f"""
        import sys
        from ketamon.ui import launch
        seen = []
        start = launch._Prepare.start
        def watched(self, *args):
            window = next(w for w in launch.QApplication.topLevelWidgets()
                          if isinstance(w, launch.SignInWindow))
            rules = [m for m in ("ketamon.domain.vitals", "ketamon.domain.users")
                     if m in sys.modules]  # nor the clinical rules (issue 19: 15 ms)
            seen.append((window.isVisible(), "sqlalchemy" in sys.modules, rules))
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
    assert "seen [(True, False, [])] code 0 loaded True" in done.stdout


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


@pytest.mark.sqlite_only("an old file upgraded by the start, as after installing a new KetaMon")
def test_an_upgrade_at_start_shows_each_step_and_ends_at_the_board(tmp_path, qtbot, clock):
    """Issue 19: the schema upgrade runs behind the sign-in window and says what it does
    (each step of how many, a bar); when it is done the bar goes and the sign-in works."""
    from alembic import command

    from ketamon.storage import migrate
    from ketamon.storage.database import Database
    from tests.conftest import open_clinic

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    open_clinic(url, clock).close()  # the account, then the schema taken back to 0010
    db = Database(url)
    with db.engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0010")
    db.dispose()

    application()
    quits: list[int] = []
    start = launching.Launch(lambda: url, failure_code=1, quit_app=quits.append)
    shown: list[tuple[str, int, int, bool]] = []
    real = start.window.show_progress

    def watched(words: str, number: int, total: int) -> None:
        real(words, number, total)
        progress = start.window.progress
        shown.append((words, progress.bar.value(), progress.bar.maximum(), progress.isVisible()))

    start.window.show_progress = watched
    start.start()
    try:
        qtbot.waitUntil(lambda: start.finished, timeout=20000)
        step = "Upgrading the clinic's database, step"
        assert shown == [
            (f"{step} 1 of 4: record versions", 0, 4, True),
            (f"{step} 2 of 4: the course across visits", 1, 4, True),
            (f"{step} 3 of 4: the audit trail's compact form", 2, 4, True),
            (f"{step} 4 of 4: no record replaced in place", 3, 4, True),
        ]
        assert not start.window.progress.isVisible() and quits == []
        assert migrate.current_revision(start.clinic.db) == (migrate.HEAD_REVISION, True)
        panel = start.window.panel
        qtbot.keyClicks(panel.username, "nurse.jo")
        qtbot.keyClicks(panel.password, PASSWORD)
        qtbot.keyClick(panel.password, Qt.Key.Key_Return)
        main_window = start.startup.main_window
        qtbot.addWidget(main_window)
        assert main_window.user_label.text() == "Jo Rivera, RN"
    finally:
        if start.startup is not None and start.startup.main_window is not None:
            start.startup.main_window.close()
        start.window.close()
        start.close()


def test_enter_during_a_long_upgrade_waits_with_the_window_still_showing_progress(clinic, qtbot):
    """Enter pressed while the upgrade runs does not freeze the window: the steps keep
    arriving and showing (and the seconds counting) until the database is open."""
    from ketamon.domain.upgrades import UpgradeStep
    from ketamon.services.clinic import Clinic

    application()
    second_step = threading.Event()
    shown: list[str] = []

    def open_slowly(url: str, progress) -> Clinic:
        progress(UpgradeStep(1, 2, "0011", "record versions"))
        second_step.wait(5)  # held until the nurse has pressed Enter
        progress(UpgradeStep(2, 2, "0012", "the course across visits"))
        threading.Event().wait(0.3)
        return Clinic.open(url)

    quits: list[int] = []
    start = launching.Launch(
        lambda: str(clinic.db.url), failure_code=1, quit_app=quits.append, open_clinic=open_slowly
    )
    real = start.window.show_progress
    start.window.show_progress = lambda w, n, t: (shown.append(w), real(w, n, t))
    start.start()
    try:
        qtbot.waitUntil(lambda: len(shown) == 1, timeout=5000)
        panel = start.window.panel
        qtbot.keyClicks(panel.username, "nurse.jo")
        qtbot.keyClicks(panel.password, PASSWORD)
        threading.Timer(0.2, second_step.set).start()
        qtbot.keyClick(panel.password, Qt.Key.Key_Return)  # waits, painting, then signs in
        assert shown[-1].endswith("step 2 of 2: the course across visits")
        main_window = start.startup.main_window
        qtbot.addWidget(main_window)
        assert main_window.user_label.text() == "Jo Rivera, RN" and quits == []
    finally:
        second_step.set()
        if start.startup is not None and start.startup.main_window is not None:
            start.startup.main_window.close()
        start.window.close()
        start.close()
