"""A password typed into the sign-in screen's username box by mistake never reaches the
log file or the audit trail."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import text

from ketamon import logs
from ketamon.domain.users import SIGN_IN_REFUSED
from ketamon.ui.app import Startup, application
from tests.conftest import PASSWORD


def test_a_password_typed_as_the_username_is_not_logged(
    clinic, qtbot, _isolated_data_dir, monkeypatch
):
    monkeypatch.setattr(logs, "_configured", None)
    log_path = logs.configure(_isolated_data_dir)
    application()
    startup = Startup(clinic)
    assert startup.begin()
    window = startup.sign_in_window
    try:
        panel = window.panel
        qtbot.keyClicks(panel.username, PASSWORD)  # the password, in the wrong box
        qtbot.keyClick(panel.username, Qt.Key.Key_Tab)
        qtbot.keyClicks(panel.password, PASSWORD)
        qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
        assert panel.message.text() == SIGN_IN_REFUSED
    finally:
        window.close()
    logged = log_path.read_text("utf-8")
    assert "sign-in refused for unknown user" in logged
    assert PASSWORD not in logged
    with clinic.db.engine.connect() as conn:
        audited = repr(conn.execute(text("SELECT * FROM audit_log")).all())
    assert "sign_in_refused" in audited
    assert PASSWORD not in audited
