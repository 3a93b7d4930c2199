"""Lock, unlock, switch user and the automatic lock: no patient data on a locked screen."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.domain.users import SIGN_IN_REFUSED
from ketamon.storage.models import AuditRow
from ketamon.ui.session_window import SessionWindow
from tests.conftest import (
    NURSE,
    PASSWORD,
    add_user,
    ask_questionnaires,
    baseline,
    draft,
    plan_dose,
    plan_escort,
)
from tests.ui.conftest import choose_from, label_texts, tile_of, toolbar_button, toolbar_shows

NAME, MRN = "Ada Lovelace", "KM-31337"
OTHER, OTHER_MRN = "Grace Hopper", "KM-27182"
PAUSE_REASON = "BP 168/102 recheck"


def seat_patients(clinic, clock):
    """Chair 1 infusing, chair 2 paused with a reason that must not show when locked."""
    chairs = clinic.chairs.all()
    ada = clinic.patients.register(NURSE, draft(mrn=MRN, name=NAME))
    grace = clinic.patients.register(NURSE, draft(mrn=OTHER_MRN, name=OTHER))
    first = clinic.sessions.check_in(NURSE, chairs[0].id, ada.id, 40)
    second = clinic.sessions.check_in(NURSE, chairs[1].id, grace.id, 40)
    baseline(clinic, first.id)
    plan_dose(clinic, first.id)
    plan_escort(clinic, first.id)
    ask_questionnaires(clinic, first.id)
    clinic.sessions.start(NURSE, first.id)
    baseline(clinic, second.id)
    plan_dose(clinic, second.id)
    plan_escort(clinic, second.id)
    ask_questionnaires(clinic, second.id)
    clinic.sessions.start(NURSE, second.id)
    clinic.sessions.pause(NURSE, second.id, PAUSE_REASON)
    return first, second


def identifying(window) -> list[str]:
    """Label texts that name a patient, an MRN, a course place or a pause reason."""
    needles = (NAME, MRN, OTHER, OTHER_MRN, "168/102", "Infusion 1 of")
    return [t for t in label_texts(window) if any(n in t for n in needles)]


def security_events(clinic) -> list[tuple[str, str]]:
    with clinic.db.transaction(write=False) as session:
        rows = session.scalars(
            select(AuditRow)
            .where(AuditRow.action.in_(("lock", "unlock", "switch_user", "sign_out")))
            .order_by(AuditRow.seq)
        )
        return [(r.actor, r.action) for r in rows]


def unlock_with(qtbot, window, password: str) -> None:
    panel = window.lock_panel
    panel.password.clear()
    qtbot.keyClicks(panel.password, password)
    qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)


def test_lock_empties_patient_data_from_the_widget_tree_and_timers_keep_running(
    clinic, clock, make_window, qtbot
):
    seat_patients(clinic, clock)
    window = make_window(clinic)
    tile, paused = tile_of(window, 0), tile_of(window, 1)
    assert tile.patient_label.text() == f"{NAME}  ·  MRN\N{NO-BREAK SPACE}{MRN}"
    assert paused.status_label.text() == f"PAUSED 00:00: {PAUSE_REASON}"
    assert identifying(window)
    assert not window.lock_panel.isVisible()

    qtbot.mouseClick(toolbar_button(window, window.lock_action), Qt.MouseButton.LeftButton)

    assert window.locked
    assert window.lock_panel.isVisible()
    assert identifying(window) == []
    assert (tile.patient_label.text(), tile.course_label.text()) == ("", "")
    # Chair names, phases and timers stay; no action is offered.
    assert tile.name_label.text() == "Chair 1"
    assert tile.phase_label.text() == "INFUSING"
    assert paused.phase_label.text() == "PAUSED"
    assert paused.status_label.text() == "PAUSED 00:00"
    assert not any(b.isVisible() for t in window.board.tiles.values() for b in t.buttons.values())
    assert not toolbar_shows(window, window.users_action)
    before = tile.timer_label.text()
    assert before == "00:00 / 40:00"
    clock.advance(seconds=42)
    qtbot.waitUntil(lambda: tile.timer_label.text() == "00:42 / 40:00", timeout=2000)
    assert paused.status_label.text() == "PAUSED 00:42"
    assert identifying(window) == []

    unlock_with(qtbot, window, "not my password")
    assert window.lock_panel.message.text() == SIGN_IN_REFUSED
    assert window.locked
    assert identifying(window) == []

    unlock_with(qtbot, window, PASSWORD)
    assert not window.locked
    assert not window.lock_panel.isVisible()
    assert tile.patient_label.text() == f"{NAME}  ·  MRN\N{NO-BREAK SPACE}{MRN}"
    assert paused.status_label.text() == f"PAUSED 00:42: {PAUSE_REASON}"
    assert tile.buttons["stop"].isVisible()
    assert security_events(clinic) == [("nurse.jo", "lock"), ("nurse.jo", "unlock")]


def test_dialogs_open_at_lock_time_are_closed(clinic, clock, make_window, qtbot):
    first, _ = seat_patients(clinic, clock)
    window = make_window(clinic)
    dialog = SessionWindow.show_for(window, clinic, NURSE, first.id)
    assert any(NAME in t for t in label_texts(window))
    window.activateWindow()
    window.lock()
    assert not dialog.isVisible()
    # Closed dialogs are deleted, so the name is gone from the tree, not only from view.
    qtbot.waitUntil(lambda: identifying(window) == [], timeout=2000)


def test_ctrl_l_locks_and_the_keyboard_alone_unlocks(clinic, clock, make_window, qtbot):
    seat_patients(clinic, clock)
    window = make_window(clinic)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    assert identifying(window) == []
    password = window.lock_panel.password
    qtbot.waitUntil(password.hasFocus, timeout=2000)  # type straight away
    qtbot.keyClicks(password, PASSWORD)
    qtbot.keyClick(password, Qt.Key.Key_Return)
    assert not window.locked
    assert identifying(window)


def test_switch_user_makes_the_other_person_the_actor(clinic, clock, make_window, qtbot):
    seat_patients(clinic, clock)
    add_user(clinic, "nurse.sam", "Sam Okoye", "RN", "nurse", "sam's password 1")
    window = make_window(clinic)
    choose_from(qtbot, window.user_label, window.switch_action)
    assert window.locked
    assert identifying(window) == []
    panel = window.lock_panel.switch_panel
    assert panel.isVisible()
    qtbot.keyClicks(panel.username, "nurse.sam")
    qtbot.keyClicks(panel.password, "wrong password")
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    assert panel.message.text() == SIGN_IN_REFUSED
    assert window.locked and window.actor == NURSE

    panel.password.clear()
    qtbot.keyClicks(panel.password, "sam's password 1")
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    assert not window.locked
    assert window.actor == Actor("nurse.sam", "Sam Okoye, RN")
    assert window.user_label.text() == "Sam Okoye, RN"
    assert window.roles_action.text() == "Roles: nurse"
    # A nurse without the admin role is not offered Users… or Chairs….
    assert not toolbar_shows(window, window.users_action)
    assert not toolbar_shows(window, window.chairs_action)
    assert toolbar_shows(window, window.lock_action)
    # What Sam does now is recorded under Sam.
    paused = tile_of(window, 1)
    session_id = window.controller.session_on(paused.chair_id).id
    qtbot.mouseClick(paused.buttons["resume"], Qt.MouseButton.LeftButton)
    assert clinic.sessions.get(session_id).events[-1].actor == "nurse.sam"
    assert security_events(clinic) == [
        ("nurse.jo", "lock"),
        ("nurse.jo", "sign_out"),
        ("nurse.sam", "switch_user"),
    ]


def test_back_from_switch_user_stays_locked(clinic, clock, make_window, qtbot):
    seat_patients(clinic, clock)
    window = make_window(clinic)
    window.switch_user()
    qtbot.mouseClick(window.lock_panel.switch_panel.back_button, Qt.MouseButton.LeftButton)
    assert window.locked
    assert window.lock_panel.unlock_page.isVisible()
    assert not window.lock_panel.switch_page.isVisible()
    assert identifying(window) == []


def test_idle_lock_after_five_minutes_without_input(clinic, clock, make_window, qtbot):
    seat_patients(clinic, clock)
    window = make_window(clinic, auto_lock=True)
    assert window.idle_lock_minutes == 5

    def next_tick():
        with qtbot.waitSignal(window.board.ticked, timeout=3000):
            pass

    clock.advance(minutes=4)
    next_tick()
    assert not window.locked
    # Input (a click anywhere) starts the five minutes again.
    qtbot.mouseClick(window.board, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    clock.advance(minutes=4, seconds=59)
    next_tick()
    assert not window.locked
    assert identifying(window)
    clock.advance(seconds=1)
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    assert identifying(window) == []
    # Timers keep running on the locked board.
    tile = tile_of(window, 0)
    before = tile.timer_label.text()
    clock.advance(seconds=5)
    qtbot.waitUntil(lambda: tile.timer_label.text() != before, timeout=3000)

    unlock_with(qtbot, window, PASSWORD)
    assert not window.locked
    next_tick()
    assert not window.locked  # unlocking starts the idle time again


def test_idle_lock_follows_the_clinic_setting(clinic, clock, make_window, qtbot):
    clinic.settings.update(NURSE, idle_lock_minutes=2)
    window = make_window(clinic, auto_lock=True)
    assert window.idle_lock_minutes == 2
    clock.advance(minutes=2)
    qtbot.waitUntil(lambda: window.locked, timeout=3000)


def test_switch_user_to_a_new_account_asks_for_its_own_password_first(
    clinic, clock, make_window, qtbot
):
    from tests.conftest import TEMPORARY_PASSWORD

    clinic.users.add(NURSE, "nurse.sam", "Sam Okoye", "RN", "nurse", TEMPORARY_PASSWORD)
    window = make_window(clinic)
    window.switch_user()
    panel = window.lock_panel.switch_panel
    qtbot.keyClicks(panel.username, "nurse.sam")
    qtbot.keyClick(panel.username, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.password, TEMPORARY_PASSWORD)
    qtbot.keyClick(panel.password, Qt.Key.Key_Return)
    assert window.locked and window.actor == NURSE  # not yet
    assert panel.choose_box.isVisible()
    qtbot.keyClicks(panel.new_password, "sam's own password")
    qtbot.keyClick(panel.new_password, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.repeat_password, "sam's own password")
    qtbot.keyClick(panel.repeat_password, Qt.Key.Key_Return)
    assert not window.locked
    assert window.actor == Actor("nurse.sam", "Sam Okoye, RN")
    assert not clinic.auth.sign_in("nurse.sam", "sam's own password").must_change_password
