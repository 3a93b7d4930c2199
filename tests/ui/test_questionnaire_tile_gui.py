"""The questionnaires from the board: a checked-in tile says which are still to ask; Q asks
them one after the other (typed like a nurse: nine keys, Enter); a positive PHQ-9 item 9
puts the alert on the tile, in words, keeps the infusion from starting, and Q opens the
clinician's review, after which the tile is ready to start. A locked board keeps it private."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ketamon.ui.dialogs.item9_review import Item9ReviewDialog
from ketamon.ui.dialogs.questionnaire import QuestionnaireDialog
from tests.conftest import NURSE, baseline, draft, plan_dose, plan_escort
from tests.ui.conftest import click, tile_of


def checked_in(clinic) -> int:
    patient = clinic.patients.register(NURSE, draft())
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id
    baseline(clinic, sid)
    plan_dose(clinic, sid)
    plan_escort(clinic, sid)
    return sid


def drive(monkeypatch, qtbot, cls, keys: list[str]) -> list[str]:
    """Patch `cls.ask`: show the real dialog, type the next answer, press Enter."""
    titles: list[str] = []

    def ask(klass, parent, *args):
        dialog = klass(parent, *args)
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        titles.append(dialog.windowTitle())
        keys.pop(0)(dialog) if callable(keys[0]) else qtbot.keyClicks(dialog.quick, keys.pop(0))
        if dialog.isVisible():
            target = dialog.quick if hasattr(dialog, "quick") else dialog.note
            qtbot.keyClick(target, Qt.Key.Key_Return)
        return dialog.answer()

    monkeypatch.setattr(cls, "ask", classmethod(ask))
    return titles


def test_q_asks_the_questionnaires_and_a_positive_item_9_is_reviewed_from_the_tile(
    qtbot, clinic, make_window, monkeypatch
) -> None:
    sid = checked_in(clinic)
    window = make_window(clinic)
    tile = tile_of(window)
    assert tile.status_label.text() == "To ask first: PHQ-9, GAD-7 (Q)"

    titles = drive(monkeypatch, qtbot, QuestionnaireDialog, ["111111112", "1111111"])
    reviews: list = []

    def decide(dialog) -> None:
        reviews.append(dialog)
        dialog.decision.button(0).click()  # proceed
        qtbot.keyClicks(dialog.note, "Passive thoughts; safety plan reviewed")

    drive(monkeypatch, qtbot, Item9ReviewDialog, [decide])
    monkeypatch.setattr(  # after the PHQ-9, the review comes first: Esc on it for now
        Item9ReviewDialog, "ask", classmethod(lambda cls, *a: None)
    )
    click(qtbot, tile, "questionnaire")
    assert titles == ["PHQ-9: Ada Lovelace"]  # item 9 positive: the GAD-7 waits
    window.controller.reload()
    tile = tile_of(window)
    assert tile.alert_label.text().startswith("PHQ-9 item 9 = 2 — clinician review")
    assert tile.status_label.text() == "Not to start: PHQ-9 item 9 (Q)"
    assert "clinician review" in clinic.sessions.start_check(sid).item9_stop

    window.lock()
    QApplication.processEvents()
    assert "item 9" not in tile_of(window).alert_label.text()
    assert "PHQ-9" not in tile_of(window).status_label.text()
    window.lock_panel.password.setText("correct horse battery")
    qtbot.keyClick(window.lock_panel.password, Qt.Key.Key_Return)

    drive(monkeypatch, qtbot, Item9ReviewDialog, [decide])
    click(qtbot, tile_of(window), "questionnaire")
    assert len(reviews) == 1
    window.controller.reload()
    tile = tile_of(window)
    assert tile.alert_banner.isHidden()
    assert tile.status_label.text() == "To ask first: GAD-7 (Q)"
    check = clinic.sessions.start_check(sid)  # the stop lifted; the GAD-7 still owed
    assert check.item9_stop == "" and check.questionnaires_missing == ("GAD-7",)
