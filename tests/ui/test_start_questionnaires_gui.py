"""The clinic's questionnaires before the dose, at the board by keyboard: S on a chair whose
PHQ-9 and GAD-7 were not asked says so first; Enter asks them (typed as keys, Enter) and
the start goes on; a positive item 9 opens its review and nothing starts until a clinician
decides to proceed; Alt+W starts without them after a required reason; Esc goes back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ketamon.ui.dialogs.item9_review import Item9ReviewDialog
from ketamon.ui.dialogs.questionnaire import QuestionnaireDialog
from ketamon.ui.dialogs.reason import ReasonDialog
from tests.conftest import NURSE, plan_dose
from tests.ui.conftest import tile_of
from tests.ui.test_start_dose_plan_gui import (
    ALT,
    ENTER,
    ESC,
    key,
    not_started,
    press_on,
    reason_typed,
)
from tests.ui.test_start_dose_plan_gui import waiting_tile as tile_waiting


def waiting_tile(clinic, make_window, qtbot):
    """Lena Park checked in with a baseline, a dose plan and an escort plan; nothing asked."""
    s, window, tile = tile_waiting(clinic, make_window, qtbot, asked=False)
    plan_dose(clinic, s.id)
    return s, window, tile


def answer(qtbot, keys: str, titles: list | None = None):
    def act(dialog):
        if titles is not None:
            titles.append(dialog.windowTitle())
        assert dialog.focusWidget() is dialog.quick
        qtbot.keyClicks(dialog.quick, keys)
        qtbot.keyClick(dialog.quick, ENTER)

    return act


def in_turn(*acts):
    """One act per dialog of a class, in the order they appear."""
    queue = list(acts)
    return lambda dialog: queue.pop(0)(dialog)


def test_s_says_what_is_not_asked_and_esc_goes_back(clinic, make_window, qtbot, monkeypatch):
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    assert tile.status_label.text() == "To ask first: PHQ-9, GAD-7 (Q)"
    boxes: list = []
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ESC), boxes)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    [box] = boxes
    assert box.windowTitle() == "Questionnaires not asked"
    assert "PHQ-9 and GAD-7 not asked yet for Lena Park" in box.text()
    assert "item 9" in box.text()
    buttons = {b.text().replace("&", ""): b for b in box.buttons()}
    assert box.defaultButton() is buttons["Ask them now…"]  # Enter: the safe answer
    assert box.escapeButton() is buttons["Go back"]
    assert "Start without them…" in buttons
    not_started(clinic, s, tile)


def test_enter_asks_both_then_the_infusion_starts(clinic, make_window, qtbot, monkeypatch):
    s, window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), [])
    titles: list = []
    forms = in_turn(answer(qtbot, "110100000", titles), answer(qtbot, "1100000", titles))
    press_on(monkeypatch, qtbot, QuestionnaireDialog, forms, [])
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert titles == ["PHQ-9: Lena Park", "GAD-7: Lena Park"]
    assert tile_of(window, 0).phase_label.text() == "INFUSING"
    stored = [(r.score.instrument.value, r.score.total) for r in clinic.outcomes.for_session(s.id)]
    assert stored == [("PHQ-9", 3), ("GAD-7", 2)]
    assert clinic.sessions.get(s.id).events[-1].reason == ""  # nothing was skipped


def test_esc_in_a_questionnaire_starts_nothing(clinic, make_window, qtbot, monkeypatch):
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), [])
    forms = in_turn(answer(qtbot, "000000000"), key(qtbot, ESC))
    press_on(monkeypatch, qtbot, QuestionnaireDialog, forms, [])
    qtbot.keyClick(tile, Qt.Key.Key_S)
    not_started(clinic, s, tile)
    assert clinic.sessions.start_check(s.id).questionnaires_missing == ("GAD-7",)


def test_a_positive_item_9_opens_its_review_and_nothing_starts_until_decided(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, window, tile = waiting_tile(clinic, make_window, qtbot)
    boxes: list = []
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), boxes)
    asked: list = []
    press_on(monkeypatch, qtbot, QuestionnaireDialog, answer(qtbot, "000000001"), asked)
    reviews: list = []
    press_on(monkeypatch, qtbot, Item9ReviewDialog, key(qtbot, ESC), reviews)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert len(asked) == 1 and len(reviews) == 1  # the GAD-7 waits for the review
    not_started(clinic, s, tile)
    tile = tile_of(window, 0)
    assert tile.status_label.text() == "Not to start: PHQ-9 item 9 (Q)"

    # S again: the stop is said at once, nothing else is asked, no reason can lift it.
    boxes.clear()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: "PHQ-9 item 9 = 1" in window.controller.last_message)
    assert "Press Q to review it" in window.controller.last_message
    assert boxes == [] and len(asked) == 1
    not_started(clinic, s, tile)


def test_alt_w_starts_without_them_after_a_required_reason(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, _window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, Qt.Key.Key_W, ALT), [])
    seen: dict = {}
    typed = reason_typed(qtbot, "Too distressed to answer; asked after", seen)
    press_on(monkeypatch, qtbot, ReasonDialog, typed, [])
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert (seen["title"], seen["still_open"]) == ("Start without the questionnaires", True)
    assert tile.phase_label.text() == "INFUSING"
    start = clinic.sessions.get(s.id).events[-1]
    assert start.reason == "Started without PHQ-9, GAD-7: Too distressed to answer; asked after"


def test_after_a_review_that_proceeds_the_rest_are_asked_and_the_infusion_starts(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, window, tile = waiting_tile(clinic, make_window, qtbot)
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ENTER), [])
    titles: list = []
    forms = in_turn(answer(qtbot, "000000001", titles), answer(qtbot, "0000000", titles))
    press_on(monkeypatch, qtbot, QuestionnaireDialog, forms, [])

    def proceed(dialog):
        dialog.decision.button(0).click()  # proceed
        qtbot.keyClicks(dialog.note, "Passive thoughts; safety plan reviewed")
        qtbot.keyClick(dialog.note, ENTER)

    press_on(monkeypatch, qtbot, Item9ReviewDialog, proceed, [])
    qtbot.keyClick(tile, Qt.Key.Key_S)
    assert titles == ["PHQ-9: Lena Park", "GAD-7: Lena Park"]  # the GAD-7 after the review
    assert tile_of(window, 0).phase_label.text() == "INFUSING"
    assert clinic.sessions.get(s.id).events[-1].reason == ""


def test_a_decision_to_delay_is_said_at_s_without_sending_to_a_review(
    clinic, make_window, qtbot, monkeypatch
) -> None:
    s, window, tile = waiting_tile(clinic, make_window, qtbot)
    phq = clinic.outcomes.record(NURSE, s.id, "PHQ-9", [0] * 8 + [2])
    clinic.outcomes.review_item9(NURSE, phq.id, "delay", "Wants to talk to her therapist first")
    window.controller.reload()
    tile = tile_of(window, 0)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    boxes: list = []
    press_on(monkeypatch, qtbot, QMessageBox, key(qtbot, ESC), boxes)
    qtbot.keyClick(tile, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: "decided to delay" in window.controller.last_message)
    assert "Press Q" not in window.controller.last_message  # decided: no review to open
    assert boxes == []  # nothing else asked
    not_started(clinic, s, tile)
