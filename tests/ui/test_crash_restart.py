"""kill -9 in the middle of an infusion: the restarted board shows the same timer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import open_clinic
from tests.ui.conftest import tile_of

ROOT = Path(__file__).resolve().parents[2]


def seconds(mmss: str) -> int:
    minutes, secs = mmss.split(" / ")[0].split(":")
    return int(minutes) * 60 + int(secs)


@pytest.mark.slow
def test_kill_minus_nine_mid_infusion_then_restart(tmp_path, make_window, qtbot):
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.crash_child", url],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.startswith("STARTED"), child.stderr.read()
        _, session_id, started_iso = line.split()
        started = datetime.fromisoformat(started_iso)
        time.sleep(2.2)  # let the infusion run a little in the child
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    clinic = open_clinic(url)  # the real clock, as after a real restart
    try:
        tile = tile_of(make_window(clinic), 2)
        now = datetime.now(UTC)
        assert tile.phase_label.text() == "INFUSING"
        assert tile.patient_label.text() == "Rosa Diaz  ·  MRN\N{NO-BREAK SPACE}KM-5150"
        expected = (now - started).total_seconds()
        assert expected >= 2
        assert abs(seconds(tile.timer_label.text()) - expected) <= 1.0
        assert clinic.sessions.get(int(session_id)).events[-1].kind.value == "start"
    finally:
        clinic.close()
