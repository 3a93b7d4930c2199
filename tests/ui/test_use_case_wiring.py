"""One wiring per use case: the same action offers the same thing from every screen, and a
change refreshes only what it touches (counted in transactions and statements)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import event

from ketamon.domain.vitals import VitalsDraft
from ketamon.ui import session_window as sw
from ketamon.ui.dialogs.checkin import CheckInDialog
from ketamon.ui.dialogs.side_effects import SideEffectsDialog
from ketamon.ui.vitals_entry import VitalsEntryDialog
from tests.conftest import NURSE
from tests.ui.conftest import click, tile_of
from tests.ui.test_board_gui import PATIENT, fill_new_patient
from tests.ui.test_vitals_entry import infusing

LEFT = Qt.MouseButton.LeftButton


@dataclass
class Cost:
    transactions: int = 0
    statements: int = 0


@contextmanager
def counted(clinic):
    """Transactions begun and SQL statements sent to the database inside the block."""
    cost = Cost()
    engine = clinic.db.engine

    def began(_conn):
        cost.transactions += 1

    def executed(_conn, _cursor, statement, *_args):
        if statement not in ("BEGIN", "BEGIN IMMEDIATE"):  # the begin is counted above
            cost.statements += 1

    event.listen(engine, "begin", began)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield cost
    finally:
        event.remove(engine, "begin", began)
        event.remove(engine, "before_cursor_execute", executed)


def windows_of(main_window) -> list:
    return [w for w in sw.open_windows() if w.parent() is main_window]


def moaas_amber_from(clinic, edge: int) -> None:
    bands = dict(clinic.settings.get().vital_bands)
    bands["sedation"] = [1, edge, None, None]
    clinic.settings.update(NURSE, vital_bands=bands)


def words_for_typed_moaas(qtbot, monkeypatch, open_popup, typed: str) -> str:
    """Open the vitals popup (by `open_popup()`), type a MOAA/S level, read its words."""
    seen: list[str] = []

    def ask(cls, parent, title, handlers):
        dialog = VitalsEntryDialog(parent, title, handlers)
        dialog.show()
        qtbot.keyClicks(dialog.fields["sedation"], typed)
        seen.append(dialog.words["sedation"].text())
        dialog.close()
        dialog.deleteLater()
        return 0

    monkeypatch.setattr(VitalsEntryDialog, "ask", classmethod(ask))
    open_popup()
    assert len(seen) == 1
    return seen[0]


def test_a_typed_moaas_is_graded_by_the_clinic_bands_from_the_tile_and_the_window(
    clinic, clock, make_window, qtbot, monkeypatch
):
    """The drift case of issue 14: with the MOAA/S amber edge at 4, typing 4 said AMBER in
    the popup from the session window and nothing in the popup from the tile."""
    session = infusing(clinic, clock)
    moaas_amber_from(clinic, 4)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    from_tile = words_for_typed_moaas(qtbot, monkeypatch, lambda: click(qtbot, tile, "vitals"), "4")
    click(qtbot, tile, "open")
    [session_window] = windows_of(window)
    from_window = words_for_typed_moaas(
        qtbot,
        monkeypatch,
        lambda: qtbot.mouseClick(session_window.buttons["Record vitals…"], LEFT),
        "4",
    )
    assert from_window.endswith("· AMBER")
    assert from_tile == from_window
    # ... and what the service stores agrees with what both said.
    saved = clinic.vitals.record(NURSE, session.id, VitalsDraft(sedation=4))
    assert saved.grades["sedation"].label == "AMBER"
    session_window.close()


# -- what one user action costs --------------------------------------------------------------
# Measured on main before the change channel (issue 14), transactions / statements:
#   vitals save from a tile, its window open: 17 / 56 (+ a board reload after the popup)
#   side effect ticked in the session window: 14 / 48
#   full session-window refresh: 15 / 35; check-in from the board: 4 / 39


def test_a_vitals_save_from_a_tile_with_its_window_open(
    clinic, clock, make_window, qtbot, monkeypatch
):
    infusing(clinic, clock, minutes=16)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    click(qtbot, tile, "open")
    [session_window] = windows_of(window)
    shown = len(session_window.model.sets)
    costs: dict[str, Cost] = {}

    def ask(cls, parent, title, handlers):
        dialog = VitalsEntryDialog(parent, title, handlers)
        dialog.show()
        for key, text in (("bp", "128/84"), ("heart_rate", "72"), ("spo2", "98")):
            qtbot.keyClicks(dialog.fields[key], text)
        qtbot.keyClicks(dialog.fields["resp_rate"], "14")
        with counted(clinic) as costs["save"]:
            qtbot.keyClick(dialog.fields["resp_rate"], Qt.Key.Key_Return)
            QApplication.processEvents()
        assert len(dialog.saved_sets) == 1
        # The board and the open window already show it.
        assert tile.vitals_label.text() == "Vitals due in 14:00 · every 15 min"
        assert len(session_window.model.sets) == shown + 1
        with counted(clinic) as costs["close"]:
            dialog.close()
            dialog.deleteLater()
        return 1

    monkeypatch.setattr(VitalsEntryDialog, "ask", classmethod(ask))
    with counted(clinic) as whole:
        click(qtbot, tile, "vitals")
        QApplication.processEvents()
    print(f"vitals save from a tile, its window open: save {costs['save']}, "
          f"popup close {costs['close']}, whole action {whole}")  # fmt: skip
    assert costs["save"].transactions <= 3
    assert costs["close"].transactions == 0
    assert session_window.chart.series("systolic")[1][-1] == 128.0
    session_window.close()


def test_a_full_session_window_refresh(clinic, clock, make_window, qtbot):
    infusing(clinic, clock)
    window = make_window(clinic)
    click(qtbot, tile_of(window, 0), "open")
    [session_window] = windows_of(window)
    with counted(clinic) as cost:
        session_window.refresh(full=True)
    print(f"full session-window refresh: {cost}")
    assert cost.transactions <= 15  # as on main: the full re-read is not this change's
    session_window.close()


def test_a_side_effect_ticked_in_the_session_window(clinic, clock, make_window, qtbot, monkeypatch):
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    click(qtbot, tile, "open")
    [session_window] = windows_of(window)
    costs: dict[str, Cost] = {}

    def ask(cls, parent, title, handlers):
        dialog = SideEffectsDialog(parent, title, handlers)
        dialog.show()
        with counted(clinic) as costs["tick"]:
            qtbot.mouseClick(dialog.row("dizziness").check, LEFT)
            QApplication.processEvents()
        with counted(clinic) as costs["close"]:
            dialog.close()
            dialog.deleteLater()
            QApplication.processEvents()
        return dialog.changes

    monkeypatch.setattr(SideEffectsDialog, "ask", classmethod(ask))
    with counted(clinic) as whole:
        qtbot.mouseClick(session_window.buttons["Side effects…"], LEFT)
    print(f"side effect ticked in the session window: tick {costs['tick']}, "
          f"close {costs['close']}, whole action {whole}")  # fmt: skip
    assert [e.kind_key for e in clinic.side_effects.for_session(session.id)] == ["dizziness"]
    assert costs["tick"].transactions <= 4
    session_window.close()


def test_a_check_in_from_the_board(clinic, clock, make_window, qtbot, monkeypatch):
    window = make_window(clinic)
    tile = tile_of(window, 0)

    def ask(cls, parent, chair_name, handlers, settings):
        dialog = CheckInDialog(parent, chair_name, handlers, settings)
        qtbot.addWidget(dialog)
        fill_new_patient(qtbot, dialog, **PATIENT)
        qtbot.mouseClick(dialog.check_in_button, LEFT)
        return dialog.result() == CheckInDialog.DialogCode.Accepted

    monkeypatch.setattr(CheckInDialog, "ask", classmethod(ask))
    with counted(clinic) as cost:
        click(qtbot, tile, "check_in")
    print(f"check-in from the board: {cost}")
    assert tile.phase_label.text() == "CHECKED IN"
    assert cost.transactions <= 4


def test_a_vitals_save_in_the_session_window_is_not_read_back_by_it(
    clinic, clock, make_window, qtbot, monkeypatch
):
    """The window that saved the set shows it at once (it started the change); only the
    board behind it reads."""
    infusing(clinic, clock, minutes=16)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    click(qtbot, tile, "open")
    [session_window] = windows_of(window)
    costs: dict[str, Cost] = {}

    def ask(cls, parent, title, handlers):
        dialog = VitalsEntryDialog(parent, title, handlers)
        dialog.show()
        for key, text in (("bp", "128/84"), ("heart_rate", "72"), ("spo2", "98")):
            qtbot.keyClicks(dialog.fields[key], text)
        qtbot.keyClicks(dialog.fields["resp_rate"], "14")
        with counted(clinic) as costs["save"]:
            qtbot.keyClick(dialog.fields["resp_rate"], Qt.Key.Key_Return)
        dialog.close()
        dialog.deleteLater()
        return 1

    monkeypatch.setattr(VitalsEntryDialog, "ask", classmethod(ask))
    qtbot.mouseClick(session_window.buttons["Record vitals…"], LEFT)
    print(f"vitals save in the session window: {costs['save']}")
    assert costs["save"].transactions <= 2  # the write, the board's one read
    assert session_window.chart.series("systolic")[1][-1] == 128.0
    assert tile.vitals_label.text() == "Vitals due in 14:00 · every 15 min"
    session_window.close()
