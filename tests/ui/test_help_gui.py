"""F1 opens the help of the screen it is pressed on (issue 16), generated from the same
tables and objects the buttons and shortcuts come from, so it cannot drift from them."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ketamon.ui.help import HelpWindow, tile_rows
from ketamon.ui.tile import ACTIONS, AVAILABLE
from tests.ui.conftest import toolbar_button
from tests.ui.test_review_gui import DOC, _two_finished_sessions
from tests.ui.test_vitals_entry import infusing


def press_f1(qtbot, window) -> HelpWindow:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    help_window = window.findChild(HelpWindow)
    assert help_window is not None and help_window.isVisible()
    return help_window


def close_by(qtbot, help_window: HelpWindow, key) -> None:
    help_window.activateWindow()
    qtbot.waitUntil(help_window.isActiveWindow, timeout=2000)
    qtbot.keyClick(help_window, key)
    qtbot.waitUntil(lambda: not help_window.isVisible(), timeout=2000)


def test_f1_on_the_board_lists_every_tile_key_from_the_action_table(
    clinic, clock, make_window, qtbot
):
    infusing(clinic, clock, minutes=5)
    window = make_window(clinic)
    help_window = press_f1(qtbot, window)
    text = help_window.text()
    for spec in ACTIONS:  # every key a tile has, with its name and what it does
        assert f"{spec.shortcut}\n{spec.text}\n{spec.tooltip}" in text, spec.key
    assert "Ctrl+L\nLock" in text and "F5\nRefresh" in text and "1–9\nSelect a chair" in text
    assert "Users…" in text  # Jo is an administrator: the set-up menu is explained
    assert "A session, start to finish" in text
    assert "Esc\nClose or Cancel" in text
    close_by(qtbot, help_window, Qt.Key.Key_Escape)
    help_window = press_f1(qtbot, window)  # F1 again opens it, F1 in it closes it
    close_by(qtbot, help_window, Qt.Key.Key_F1)


def test_the_help_follows_the_table_when_it_changes(monkeypatch):
    """No drift: a key changed in the tile's table is the key the help names."""
    from dataclasses import replace

    import ketamon.ui.help as help_module

    changed = tuple(replace(a, shortcut="W") if a.key == "vitals" else a for a in ACTIONS)
    monkeypatch.setattr(help_module, "ACTIONS", changed)
    rows = {row.action: row for row in tile_rows()}
    assert rows["Vitals"].key == "W"
    levels = [level for level, keys in AVAILABLE.items() if "discharge" in keys]
    assert rows["Discharge"].what.endswith("When: recovery.") and len(levels) == 1


def test_a_nurse_without_admin_is_not_told_of_the_set_up_menu(clinic, make_window, qtbot):
    from ketamon.domain.actors import Actor
    from tests.conftest import add_user

    add_user(clinic, "nurse.sam", "Sam Okoye", "RN", "nurse")
    window = make_window(clinic, Actor("nurse.sam", "Sam Okoye, RN"))
    text = press_f1(qtbot, window).text()
    assert "Users…" not in text and "Settings…" not in text
    assert "Switch user…" in text and "Change password…" in text


def test_f1_in_a_session_window_names_its_buttons(clinic, clock, make_window, qtbot):
    session = infusing(clinic, clock, minutes=5)
    window = make_window(clinic)
    session_window = window.controller.open_session(session.id)
    help_window = press_f1(qtbot, session_window)
    text = help_window.text()
    assert "Session:" in help_window.windowTitle() or "Session:" in text
    for name in ("Record vitals…", "Side effects…", "Discharge…", "Print summary…"):
        tip = session_window.buttons[name].toolTip()
        assert f"{name}\n{tip}" in text, name
    assert "Sign…" not in text  # hidden for a nurse's live session: not explained either
    close_by(qtbot, help_window, Qt.Key.Key_Escape)
    session_window.close()


def test_f1_in_the_review_list(clinic, clock, make_window, qtbot):
    _two_finished_sessions(clinic, clock)
    window = make_window(clinic, DOC)
    qtbot.mouseClick(toolbar_button(window, window.review_action), Qt.MouseButton.LeftButton)
    review = window.controller.review_window
    text = press_f1(qtbot, review).text()
    assert "Sign…\nSign the chosen session" in text
    assert "Open session…\nThe chosen session, read-only" in text
    close_by(qtbot, press_f1(qtbot, review), Qt.Key.Key_Escape)
    assert review.isVisible()  # Esc closed the help, not the list under it
    review.close()
