"""A chair's dialogs open beside its tile, not over it (the vitals popup for Chair 3 used
to cover Chairs 1 and 2, and its own tile): the side with room, within the screen."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication

from ketamon.ui.dialogs.kit import place_beside
from ketamon.ui.vitals_entry import VitalsEntryDialog
from tests.ui.conftest import click, tile_of
from tests.ui.test_board_fits_screen import chairs, seat

SCREEN = QRect(0, 0, 1920, 1080)


def _global_rect(widget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def test_the_vitals_popup_opens_beside_the_chair_it_is_for(
    clinic, clock, make_window, qtbot, monkeypatch
):
    for n, chair in enumerate(chairs(clinic, 6)):
        seat(clinic, clock, chair, "infusing", n)
    window = make_window(clinic)
    window.showNormal()
    window.setGeometry(SCREEN)
    QApplication.processEvents()
    placed = {}

    def ask(cls, parent, title, handlers):
        dialog = VitalsEntryDialog(parent, title, handlers)
        qtbot.addWidget(dialog)
        anchor = parent.dialog_anchor  # what KitDialog's show places it beside
        dialog.show()
        QApplication.processEvents()
        place_beside(dialog, anchor, area=SCREEN)  # on a 1920 x 1080 screen
        placed[title.split(" · ")[0]] = (_global_rect(dialog), anchor)
        dialog.close()
        return None

    monkeypatch.setattr(VitalsEntryDialog, "ask", classmethod(ask))
    for index in (0, 2, 4):  # left, right and middle columns
        click(qtbot, tile_of(window, index), "vitals")
    for index, name in ((0, "Chair 1"), (2, "Chair 3")):
        rect, anchor = placed[name]
        tile = tile_of(window, index)
        assert anchor is tile
        assert not rect.intersects(_global_rect(tile)), name  # the chair stays in sight
        assert SCREEN.contains(rect), name
    rect, anchor = placed["Chair 5"]
    assert anchor is tile_of(window, 4)
    assert SCREEN.contains(rect)  # no room beside the middle column: kept on the screen
    assert window.dialog_anchor is None  # only while the chair's action runs
