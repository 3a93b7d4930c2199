"""Clinic settings: an admin adds, renames, reorders and retires chairs from the dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from ketamon.ui.dialogs.chairs import ChairsDialog, NameDialog
from tests.conftest import NURSE, draft
from tests.ui.conftest import tile_of


def button(dialog, text):
    return next(b for b in dialog.findChildren(QPushButton) if b.text() == text)


def names(dialog):
    return [dialog.list.item(i).text() for i in range(dialog.list.count())]


def test_chairs_dialog_changes_the_board(clinic, make_window, qtbot, monkeypatch):
    window = make_window(clinic)
    opened = []

    def ask(cls, parent, handlers):
        dialog = ChairsDialog(parent, handlers)
        qtbot.addWidget(dialog)
        opened.append(dialog)
        monkeypatch.setattr(NameDialog, "ask", classmethod(lambda c, *a: "Recliner A"))
        qtbot.mouseClick(button(dialog, "Add chair…"), Qt.MouseButton.LeftButton)
        assert names(dialog)[-1] == "Recliner A"
        qtbot.mouseClick(button(dialog, "Move up"), Qt.MouseButton.LeftButton)
        assert names(dialog)[-2:] == ["Recliner A", "Chair 6"]
        dialog.list.setCurrentRow(0)
        monkeypatch.setattr(NameDialog, "ask", classmethod(lambda c, *a: "Window chair"))
        qtbot.mouseClick(button(dialog, "Rename…"), Qt.MouseButton.LeftButton)
        assert names(dialog)[0] == "Window chair"
        dialog.list.setCurrentRow(1)
        qtbot.mouseClick(button(dialog, "Retire"), Qt.MouseButton.LeftButton)
        assert "Chair 2" not in names(dialog)
        # Refused: a name already in use; the message shows in the dialog.
        monkeypatch.setattr(NameDialog, "ask", classmethod(lambda c, *a: "chair 3"))
        qtbot.mouseClick(button(dialog, "Add chair…"), Qt.MouseButton.LeftButton)
        assert "already called" in dialog.message.text()
        return dialog.changed

    monkeypatch.setattr(ChairsDialog, "ask", classmethod(ask))
    window.controller.edit_chairs()
    board_names = [t.name_label.text() for t in window.board.tiles.values()]
    assert board_names == ["Window chair", "Chair 3", "Chair 4", "Chair 5", "Recliner A", "Chair 6"]
    retired = [c for c in clinic.chairs.all(include_retired=True) if c.retired]
    assert [c.name for c in retired] == ["Chair 2"]


def test_an_occupied_chair_cannot_be_retired(clinic, make_window, qtbot, monkeypatch):
    patient = clinic.patients.register(NURSE, draft())
    chair = clinic.chairs.all()[0]
    clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    window = make_window(clinic)

    def ask(cls, parent, handlers):
        dialog = ChairsDialog(parent, handlers)
        qtbot.addWidget(dialog)
        dialog.list.setCurrentRow(0)
        qtbot.mouseClick(button(dialog, "Retire"), Qt.MouseButton.LeftButton)
        assert dialog.message.text() == "Chair 1 has a patient in it; end that session first"
        return dialog.changed

    monkeypatch.setattr(ChairsDialog, "ask", classmethod(ask))
    window.controller.edit_chairs()
    assert tile_of(window, 0).phase_label.text() == "CHECKED IN"
