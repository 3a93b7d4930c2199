"""A nurse ticks side effects from a chair tile and from the session window; a severe one
alerts the tile until acknowledged; an admin edits the list."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ketamon.domain.side_effects import Severity
from ketamon.ui.dialogs.messages import Confirm
from ketamon.ui.dialogs.reason import ReasonDialog
from ketamon.ui.dialogs.side_effect_catalog import SideEffectCatalogDialog
from ketamon.ui.dialogs.side_effects import SideEffectsDialog, hhmm, service_handlers
from tests.conftest import NURSE
from tests.ui.conftest import choose_setup, click, tile_of
from tests.ui.test_vitals_entry import infusing

LEFT = Qt.MouseButton.LeftButton


def drive(monkeypatch, qtbot, driver) -> list:
    """Replace the modal exec() with the real dialog, shown, driven by `driver(dialog)`."""
    seen: list = []

    def ask(cls, parent, title, handlers):
        dialog = SideEffectsDialog(parent, title, handlers)
        dialog.show()
        seen.append(dialog)
        driver(dialog)
        dialog.close()
        dialog.deleteLater()
        return dialog.changes

    monkeypatch.setattr(SideEffectsDialog, "ask", classmethod(ask))
    return seen


def test_nurse_ticks_a_severe_side_effect_sees_the_alert_acknowledges_and_resolves(
    clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)
    tile = tile_of(window, 0)
    assert not tile.alert_banner.isVisible()

    def tick_vomiting_severe(dialog):
        row = dialog.row("vomiting")
        assert not row.check.isChecked()
        qtbot.mouseClick(row.check, LEFT)
        assert row.check.isChecked()
        assert row.severity.currentText() == "mild"  # the default, asked for next
        qtbot.waitUntil(row.severity.hasFocus, timeout=2000)
        qtbot.keyClick(row.severity, Qt.Key.Key_Down)
        qtbot.keyClick(row.severity, Qt.Key.Key_Down)
        assert row.severity.currentText() == "SEVERE"
        assert row.pending_label.isVisible()  # stepped to, not saved yet
        qtbot.keyClick(row.severity, Qt.Key.Key_Return)  # settled: saved
        assert not row.pending_label.isVisible()
        assert row.ack_label.isVisible() and row.ack_label.text() == "not acknowledged"
        # The board behind the dialog already shows the alert, in words.
        assert tile.alert_banner.isVisible()
        assert "SEVERE SIDE EFFECT: Vomiting" in tile.alert_label.text().replace("\xa0", " ")

    drive(monkeypatch, qtbot, tick_vomiting_severe)
    click(qtbot, tile, "side_effects")
    [effect] = clinic.side_effects.for_session(session.id)
    assert (effect.kind_key, effect.severity, effect.onset_at) == (
        "vomiting",
        Severity.SEVERE,
        clock(),
    )
    assert tile.alert_banner.isVisible()
    assert tile.alert_banner.toolTip() == "SEVERE SIDE EFFECT: Vomiting — acknowledge (A)"

    click(qtbot, tile, "acknowledge")
    assert not tile.alert_banner.isVisible()
    assert tile.detail_label.text().endswith(" · 1 side effect open (E)")  # still watched
    [effect] = clinic.side_effects.for_session(session.id)
    assert (effect.acknowledged_by, effect.acknowledged_at) == (NURSE.username, clock())

    clock.advance(minutes=4)

    def resolve(dialog):
        row = dialog.row("vomiting")
        assert not row.ack.isVisible()  # acknowledged
        qtbot.mouseClick(row.resolve_button, LEFT)
        assert row.resolved.text() == hhmm(clock())
        assert row.resolve_button.text() == "Recurred"

    drive(monkeypatch, qtbot, resolve)
    click(qtbot, tile, "side_effects")
    [effect] = clinic.side_effects.for_session(session.id)
    assert effect.resolved_at == clock()
    assert "side effect" not in tile.detail_label.text()  # resolved: no longer open


def test_untick_asks_a_reason_and_a_bad_onset_is_shown_at_its_row(
    clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)
    reasons: list[str] = []

    def reason(cls, parent, title, prompt, presets=()):
        reasons.append(title)
        return "Ticked on the wrong line"

    monkeypatch.setattr(ReasonDialog, "ask", classmethod(reason))

    def driver(dialog):
        row = dialog.row("headache")
        qtbot.keyClicks(row.onset, "-30")  # before check-in (22 minutes ago)
        qtbot.mouseClick(row.check, LEFT)
        assert not row.check.isChecked()
        assert row.error.isVisible()
        assert row.error.text() == "Headache: Onset time cannot be before the patient checked in"
        assert row.onset.text() == "-30"  # nothing typed is lost
        row.onset.clear()
        qtbot.keyClicks(row.onset, "-5")
        qtbot.keyClicks(row.note, "after the first 10 minutes")
        qtbot.mouseClick(row.check, LEFT)
        assert row.check.isChecked() and not row.error.isVisible()
        qtbot.mouseClick(row.check, LEFT)  # un-tick: void, with a reason
        assert not row.check.isChecked()

    drive(monkeypatch, qtbot, driver)
    click(qtbot, tile_of(window, 0), "side_effects")
    [effect] = clinic.side_effects.for_session(session.id)
    assert effect.onset_at == clock() - timedelta(minutes=5)
    assert effect.note == "after the first 10 minutes"
    assert (effect.status, effect.status_reason) == ("voided", "Ticked on the wrong line")
    assert reasons == ["Un-tick side effect"]


def test_the_list_fits_a_1920x1080_screen_without_scrolling(clinic, clock, qtbot):
    session = infusing(clinic, clock, minutes=12)
    clinic.side_effects.tick(NURSE, session.id, "other", other_text="Hiccups", note="x" * 80)
    clinic.side_effects.tick(NURSE, session.id, "vomiting", severity=Severity.SEVERE)
    handlers = service_handlers(clinic.side_effects, NURSE, session.id, clock)
    dialog = SideEffectsDialog(None, "Chair 1 · Maria Gonzalez", handlers)
    qtbot.addWidget(dialog)
    assert len(dialog.rows) == 18  # every default entry is a row
    hint = dialog.sizeHint()
    assert hint.width() <= 1920 and hint.height() <= 1080 - 80  # title bar and task bar
    dialog.resize(hint)
    dialog.show()
    QApplication.processEvents()
    assert all(row.check.isVisible() for row in dialog.rows.values())


def test_side_effects_button_in_the_session_window(clinic, clock, make_window, qtbot, monkeypatch):
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)
    click(qtbot, tile_of(window, 0), "open")
    from ketamon.ui.session_window import open_windows

    [session_window] = open_windows()

    def driver(dialog):
        qtbot.mouseClick(dialog.row("dizziness").check, LEFT)

    drive(monkeypatch, qtbot, driver)
    qtbot.mouseClick(session_window.buttons["Side effects…"], LEFT)
    assert [e.kind_key for e in clinic.side_effects.for_session(session.id)] == ["dizziness"]
    session_window.close()


def test_admin_adds_and_retires_entries_from_the_toolbar(
    clinic, clock, make_window, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=12)
    clinic.side_effects.tick(NURSE, session.id, "speech")
    window = make_window(clinic)
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a: True))

    def ask(cls, parent, handlers):
        dialog = SideEffectCatalogDialog(parent, handlers)
        dialog.show()
        dialog.name.clear()
        qtbot.keyClicks(dialog.name, "Chills")
        qtbot.mouseClick(dialog.buttons["Add"], LEFT)
        assert dialog.selected().key == "chills"
        dialog.select("speech")
        qtbot.mouseClick(dialog.buttons["Retire…"], LEFT)
        assert "RETIRED" in dialog.list.currentItem().text()
        dialog.name.clear()
        qtbot.keyClicks(dialog.name, "Chills")
        qtbot.mouseClick(dialog.buttons["Add"], LEFT)  # a duplicate: refused, in words
        assert dialog.message.text() == "'Chills' is already on the side effects list"
        dialog.close()
        dialog.deleteLater()
        return dialog.changed

    monkeypatch.setattr(SideEffectCatalogDialog, "ask", classmethod(ask))
    choose_setup(qtbot, window, window.side_effects_action)
    keys = [k.key for k in clinic.side_effects.catalog() if not k.retired]
    assert keys[-1] == "chills" and "speech" not in keys

    def driver(dialog):
        assert "chills" in dialog.rows
        speech = dialog.row("speech")  # retired, but this session has it
        assert speech.check.isChecked() and "retired" in speech.check.text()

    seen = drive(monkeypatch, qtbot, driver)
    click(qtbot, tile_of(window, 0), "side_effects")
    assert seen

    other = infusing_other(clinic)
    dialog = SideEffectsDialog(
        None, "x", service_handlers(clinic.side_effects, NURSE, other, clock)
    )
    qtbot.addWidget(dialog)
    assert "speech" not in dialog.rows  # not offered for new ticks


def infusing_other(clinic) -> int:
    from tests.conftest import draft

    patient = clinic.patients.register(NURSE, draft(mrn="KM-2", name="Sam Other"))
    return clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40).id


def test_a_long_severe_name_wraps_on_the_tile_and_the_board_stays_on_screen(
    clinic, clock, make_window, qtbot
):
    session = infusing(clinic, clock, minutes=12)
    clinic.side_effects.tick(NURSE, session.id, "emergence", severity=Severity.SEVERE)
    clinic.side_effects.tick(NURSE, session.id, "hallucinations", severity=Severity.SEVERE)
    window = make_window(clinic)
    window.resize(1920, 1080)
    QApplication.processEvents()
    tile = tile_of(window, 0)
    assert tile.alert_label.text() == (
        "SEVERE SIDE EFFECTS: Dysphoria / agitation (emergence reaction), "
        "Hallucinations / perceptual disturbance"
    )
    assert window.width() <= 1920


def test_changing_a_recorded_onset_asks_a_reason_and_saves_the_correction(
    clinic, clock, qtbot, monkeypatch
):
    session = infusing(clinic, clock, minutes=12)
    ticked = clinic.side_effects.tick(NURSE, session.id, "anxiety")
    asked: list[str] = []

    def reason(cls, parent, title, prompt, presets=()):
        asked.append(prompt)
        return "Recorded late: this is when it happened"

    monkeypatch.setattr(ReasonDialog, "ask", classmethod(reason))
    handlers = service_handlers(clinic.side_effects, NURSE, session.id, clock)
    dialog = SideEffectsDialog(None, "Chair 1", handlers)
    qtbot.addWidget(dialog)
    dialog.show()
    row = dialog.row("anxiety")
    earlier = clock() - timedelta(minutes=3)
    row.onset.selectAll()
    qtbot.keyClicks(row.onset, hhmm(earlier))
    qtbot.keyClick(row.onset, Qt.Key.Key_Return)
    assert len(asked) == 1 and "being changed from" in asked[0]
    [corrected] = clinic.side_effects.for_session(session.id)
    assert corrected.id == ticked.id
    assert corrected.onset_at == earlier.replace(second=0)
    assert row.onset.text() == hhmm(earlier)
    # Severity and note are saved at once, without a reason.
    qtbot.keyClicks(row.note, "breathing exercise")
    qtbot.keyClick(row.note, Qt.Key.Key_Return)
    assert clinic.side_effects.for_session(session.id)[0].note == "breathing exercise"
    assert len(asked) == 1


def test_by_keyboard_focus_starts_on_the_first_row_space_ticks_and_the_width_holds(
    clinic, clock, make_window, qtbot, monkeypatch
):
    """Issue 16: focus started on Close, so Space closed the dialog; and the dialog grew to
    the right on every change. E opens it, Space ticks the first row, Esc closes; the width
    stays put through tick, SEVERE (Acknowledge appears), resolve and a second episode."""
    session = infusing(clinic, clock, minutes=12)
    window = make_window(clinic)
    widths: list[int] = []

    def by_keyboard(dialog):
        QApplication.processEvents()
        widths.append(dialog.width())
        first = next(iter(dialog.rows.values()))
        qtbot.waitUntil(first.check.hasFocus, timeout=2000)
        assert not dialog.close_button.hasFocus()
        qtbot.keyClick(first.check, Qt.Key.Key_Space)
        assert first.check.isChecked() and dialog.isVisible()
        qtbot.waitUntil(first.severity.hasFocus, timeout=2000)
        qtbot.keyClick(first.severity, Qt.Key.Key_Down)
        qtbot.keyClick(first.severity, Qt.Key.Key_Down)
        qtbot.keyClick(first.severity, Qt.Key.Key_Return)
        QApplication.processEvents()
        assert first.ack.isVisible()
        widths.append(dialog.width())
        qtbot.mouseClick(first.ack, LEFT)
        qtbot.mouseClick(first.resolve_button, LEFT)
        QApplication.processEvents()
        widths.append(dialog.width())
        qtbot.mouseClick(first.resolve_button, LEFT)  # "Recurred": a second episode
        QApplication.processEvents()
        assert first.earlier_label.text() == "+1 earlier"
        widths.append(dialog.width())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert not dialog.isVisible()

    seen = drive(monkeypatch, qtbot, by_keyboard)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    tile = tile_of(window, 0)
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(tile.hasFocus, timeout=2000)
    qtbot.keyClick(tile, Qt.Key.Key_E)
    assert len(seen) == 1
    assert len(set(widths)) == 1, widths
    assert widths[0] <= 1366 - 20  # a 1366-px screen, its frame included
    effects = clinic.side_effects.for_session(session.id)
    assert [e.severity for e in effects] == [Severity.SEVERE, Severity.MILD]
