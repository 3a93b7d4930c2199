"""The session window: chart of current sets only, table of every set, corrections and voids."""

from __future__ import annotations

import struct
import sys
from datetime import timedelta

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont

from ketamon.domain.vitals import Grade, VitalsDraft
from ketamon.ui import session_window as sw
from ketamon.ui.dialogs.reason import ReasonDialog
from ketamon.ui.dialogs.vitals_correct import CorrectVitalsDialog
from ketamon.ui.session_window import SessionWindow
from ketamon.ui.vitals_table import ENTERED_BY, FLAGS, STATUS
from tests.conftest import NURSE, T0, ask_questionnaires, draft, plan_dose, plan_escort
from tests.ui.conftest import click, tile_of

CORE = ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate")


def vitals(sys_bp=124, dia=78, hr=72, spo2=98, rr=14, **kw) -> VitalsDraft:
    return VitalsDraft(systolic=sys_bp, diastolic=dia, heart_rate=hr, spo2=spo2, resp_rate=rr, **kw)


@pytest.fixture
def infusing(clinic, clock):
    """Checked in at T0, baseline and dose plan at +3 min, started at +5 min, sets at +15
    and +25."""
    patient = clinic.patients.register(NURSE, draft(name="Lena Park", mrn="KM-4242"))
    session = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    clock.advance(minutes=3)
    clinic.vitals.record(NURSE, session.id, vitals())
    plan_dose(clinic, session.id)
    clock.advance(minutes=2)
    plan_escort(clinic, session.id)
    ask_questionnaires(clinic, session.id)
    clinic.sessions.start(NURSE, session.id)
    clock.advance(minutes=10)
    clinic.vitals.record(NURSE, session.id, vitals(150, 92, 88))
    clock.advance(minutes=10)
    clinic.vitals.record(NURSE, session.id, vitals(185, 104, 115, 92, 22))  # red BP
    return session


def open_window(qtbot, clinic, session) -> SessionWindow:
    window = SessionWindow.show_for(None, clinic, NURSE, session.id)
    qtbot.addWidget(window)
    return window


def test_chart_holds_exactly_the_current_sets_in_minutes_from_start(qtbot, clinic, infusing):
    window = open_window(qtbot, clinic, infusing)
    xs, ys = window.chart.series("systolic")
    assert xs == [-2.0, 10.0, 20.0]  # baseline 2 min before the start
    assert ys == [124.0, 150.0, 185.0]
    assert window.chart.series("heart_rate")[1] == [72.0, 88.0, 115.0]
    assert window.chart.series("spo2")[1] == [98.0, 98.0, 92.0]
    # Each grade has its own points item with its own symbol: not colour alone.
    points = window.chart.points["systolic"]
    assert list(points[Grade.NORMAL].getData()[0]) == [-2.0, 10.0]
    assert list(points[Grade.RED].getData()[0]) == [20.0]
    assert list(points[Grade.AMBER].getData()[0]) == []
    symbols = {g: points[g].opts["symbol"] for g in Grade}
    assert len(set(symbols.values())) == 3
    assert list(window.chart.points["resp_rate"][Grade.AMBER].getData()[1]) == [22.0]
    assert "infusion start" in window.chart.bottom_plot.getAxis("bottom").labelText
    # The start is marked on every plot.
    starts = [line.value() for line in window.chart.event_lines["systolic"] if line.isVisible()]
    assert starts == [0.0]


def test_refresh_updates_with_setdata_on_the_same_items(qtbot, clinic, clock, infusing):
    window = open_window(qtbot, clinic, infusing)
    before = window.chart.items()
    curves = dict(window.chart.curves)
    clock.advance(minutes=5)
    clinic.vitals.record(NURSE, infusing.id, vitals(132, 80, 76))
    window.refresh()
    assert window.chart.series("systolic")[1] == [124.0, 150.0, 185.0, 132.0]
    assert window.chart.series("systolic")[0][-1] == 25.0
    after = window.chart.items()
    assert len(after) == len(before)
    assert all(a is b for a, b in zip(after, before, strict=True))
    assert all(window.chart.curves[k] is curves[k] for k in curves)
    assert window.model.rowCount() == 4


def test_corrected_and_voided_sets_are_in_the_table_not_the_chart(qtbot, clinic, infusing):
    sets = clinic.vitals.for_session(infusing.id)
    clinic.vitals.correct(NURSE, sets[1].id, vitals(140, 90, 88), "Typing error")
    clinic.vitals.void(NURSE, sets[2].id, "Cuff moved")
    window = open_window(qtbot, clinic, infusing)
    assert window.chart.series("systolic") == ([-2.0, 10.0], [124.0, 140.0])
    model = window.model
    rows = [model.row_texts(r) for r in range(model.rowCount())]
    status = [r[STATUS] for r in rows]
    assert status == [
        "current",
        "corrected (Typing error)",
        "current (a correction)",
        "VOIDED (Cuff moved)",
    ]
    assert rows[1][2] == "150/92"
    voided = model.index(3, 2)
    assert model.data(voided, Qt.ItemDataRole.FontRole).strikeOut()
    assert rows[3][2] == "185/104 RED"  # the text keeps its grade; only current rows are coloured
    assert model.data(voided, Qt.ItemDataRole.BackgroundRole) is None
    reason = model.index(3, STATUS)
    assert not model.data(reason, Qt.ItemDataRole.FontRole).strikeOut()  # the reason is readable


def test_table_shows_grade_as_text_and_colour(qtbot, clinic, infusing):
    window = open_window(qtbot, clinic, infusing)
    model = window.model
    red = model.row_texts(2)
    assert red[2] == "185/104 RED"
    assert red[3] == "115 AMBER"
    assert red[4] == "92 AMBER"
    assert red[FLAGS] == "RED: BP sys; AMBER: BP dia, HR, SpO2, RR"
    assert red[ENTERED_BY] == "Jo Rivera, RN"  # the display name; the username is its tip
    assert model.row_texts(0)[1:6] == ["Baseline", "124/78", "72", "98", "14"]
    assert model.data(model.index(2, 2), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(0, 2), Qt.ItemDataRole.BackgroundRole) is None
    font: QFont = model.data(model.index(2, 2), Qt.ItemDataRole.FontRole)
    assert font.bold()
    taken = (T0 + timedelta(minutes=3)).astimezone().strftime("%H:%M:%S %Z")
    assert model.row_texts(0)[0] == taken


def drive_correction(monkeypatch, qtbot, steps):
    """Replace the modal exec(): `steps(dialog)` types and saves like the nurse would."""
    seen = []

    def ask(cls, parent, original, submit):
        dialog = cls(parent, original, submit)
        qtbot.addWidget(dialog)
        seen.append(dialog)
        steps(dialog)
        return dialog.saved

    monkeypatch.setattr(CorrectVitalsDialog, "ask", classmethod(ask))
    return seen


def test_correction_through_the_ui_updates_table_and_chart(qtbot, clinic, infusing, monkeypatch):
    window = open_window(qtbot, clinic, infusing)
    window.table.selectRow(2)
    assert window.buttons["Correct…"].isEnabled()

    def steps(dialog):
        dialog.edits["bp"].setText("158/96")
        dialog.save()  # no reason yet: refused at the reason field, nothing typed lost
        assert dialog.errors["reason"].text() == "A reason is required to correct a vitals set"
        assert dialog.edits["bp"].text() == "158/96"
        dialog.edits["heart_rate"].setText("400")
        dialog.reason.setEditText("Typing error")
        dialog.save()
        assert dialog.errors["heart_rate"].text() == "Heart rate must be 20–300 /min"
        assert dialog.edits["bp"].text() == "158/96"
        dialog.edits["heart_rate"].setText("115")
        assert dialog.save()

    seen = drive_correction(monkeypatch, qtbot, steps)
    qtbot.mouseClick(window.buttons["Correct…"], Qt.MouseButton.LeftButton)
    [dialog] = seen
    assert dialog.result() == dialog.DialogCode.Accepted
    assert window.chart.series("systolic")[1] == [124.0, 150.0, 158.0]
    assert window.chart.series("diastolic")[1] == [78.0, 92.0, 96.0]
    status = [window.model.row_texts(r)[STATUS] for r in range(window.model.rowCount())]
    assert status == ["current", "current", "corrected (Typing error)", "current (a correction)"]
    assert window.table.selected_set().values.systolic == 158
    stored = clinic.vitals.for_session(infusing.id)
    assert [(s.status, s.values.systolic) for s in stored][-2:] == [
        ("corrected", 185),
        ("current", 158),
    ]
    # The original is in the audit history shown in the window.
    assert any(
        r[3].startswith("vitals set") and r[6] == "Typing error" for r in window.history.rows()
    )


def test_a_refused_correction_keeps_the_dialog_and_shows_the_service_message(
    qtbot, clinic, infusing, monkeypatch
):
    window = open_window(qtbot, clinic, infusing)
    window.table.selectRow(1)
    stale = window.table.selected_set()
    clinic.vitals.void(NURSE, stale.id, "Entered twice")  # from another workstation

    def steps(dialog):
        dialog.reason.setEditText("Typing error")
        assert not dialog.save()
        assert dialog.message.text() == "This set was already voided; change the current one"
        assert dialog.edits["bp"].text() == "150/92"

    drive_correction(monkeypatch, qtbot, steps)
    qtbot.mouseClick(window.buttons["Correct…"], Qt.MouseButton.LeftButton)
    assert [s.status for s in clinic.vitals.for_session(infusing.id)] == [
        "current",
        "voided",
        "current",
    ]


def test_void_through_the_ui_strikes_the_row_and_leaves_the_chart(
    qtbot, clinic, infusing, monkeypatch
):
    window = open_window(qtbot, clinic, infusing)
    window.table.selectRow(2)
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "Cuff moved"))
    qtbot.mouseClick(window.buttons["Void…"], Qt.MouseButton.LeftButton)
    assert window.chart.series("systolic")[1] == [124.0, 150.0]
    assert window.model.row_texts(2)[STATUS] == "VOIDED (Cuff moved)"
    assert not window.buttons["Correct…"].isEnabled()  # a voided row cannot be changed


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_chart_png_export_has_the_requested_size(qtbot, clinic, infusing, tmp_path, monkeypatch):
    window = open_window(qtbot, clinic, infusing)
    path = window.export_png(tmp_path / "chart.png", 1200, 700)
    assert path is not None and path.stat().st_size > 10_000
    assert png_size(path) == (1200, 700)
    monkeypatch.setattr(sw, "ask_png_path", lambda parent, suggested: str(tmp_path / "b.png"))
    qtbot.mouseClick(window.buttons["Save chart as PNG…"], Qt.MouseButton.LeftButton)
    assert png_size(tmp_path / "b.png") == (1600, 900)


def test_render_png_without_showing_a_window(qtbot, clinic, infusing, tmp_path):
    from ketamon.ui.vitals_chart import VitalsChart

    chart = VitalsChart()
    qtbot.addWidget(chart)
    snapshot = clinic.sessions.get(infusing.id)
    chart.show_data(
        clinic.vitals.for_session(infusing.id), snapshot.events, clinic.settings.get().bands
    )
    assert not chart.isVisible()
    path = chart.render_png(tmp_path / "summary.png", 900, 500)
    assert png_size(path) == (900, 500)


def test_before_the_start_the_chart_counts_from_check_in(qtbot, clinic, clock):
    patient = clinic.patients.register(NURSE, draft())
    session = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    clock.advance(minutes=4)
    clinic.vitals.record(NURSE, session.id, vitals())
    window = open_window(qtbot, clinic, session)
    assert window.chart.series("systolic") == ([4.0], [124.0])
    assert "check-in" in window.chart.bottom_plot.getAxis("bottom").labelText
    assert window.chart.clock_time(4.0) == (T0 + timedelta(minutes=4)).astimezone().strftime(
        "%H:%M:%S %Z"
    )


def test_open_session_on_a_tile_shows_the_window_and_a_board_save_refreshes_it(
    clinic, clock, infusing, make_window, qtbot
):
    window = make_window(clinic)
    click(qtbot, tile_of(window, 0), "open")
    [session_window] = sw.open_windows()
    assert session_window.parent() is window
    assert [session_window.tabs.tabText(i) for i in range(3)] == ["Vitals", "Timeline", "History"]
    assert "Lena Park" in session_window.header.text()
    assert "KM-4242" in session_window.header.text()
    click(qtbot, tile_of(window, 0), "open")  # a second click brings the same window forward
    assert sw.open_windows() == [session_window]
    clock.advance(minutes=5)
    clinic.vitals.record(NURSE, infusing.id, vitals(130, 80, 70))
    window.controller.reload()  # what the board does after its own vitals entry saves
    assert len(session_window.chart.series("systolic")[0]) == 4
    clinic.sessions.pause(NURSE, infusing.id, "Patient request")
    window.controller.reload()
    visible = [ln for ln in session_window.chart.event_lines["systolic"] if ln.isVisible()]
    assert [ln.value() for ln in visible] == [0.0, 25.0]
    window.lock()  # a lock closes the window: no patient data left behind
    qtbot.waitUntil(lambda: sw.open_windows() == [], timeout=2000)


def test_signal_emits_do_not_drain_true():
    """PySide6 6.12.0 drops a reference to True on every Python-side emit, and CPython 3.11
    aborts once the count reaches zero (a board emits every second). pyproject.toml keeps
    PySide6 below 6.12; this fails if an allowed version brings the bug back."""

    class Emitter(QObject):
        fired = Signal()
        flag = Signal(bool)

    emitter = Emitter()
    emitter.flag.connect(lambda _value: None)
    before = sys.getrefcount(True)
    for _ in range(500):
        emitter.fired.emit()
        emitter.flag.emit(True)
    assert abs(sys.getrefcount(True) - before) <= 2  # with the bug: 1,000 fewer


def test_record_vitals_from_the_window_updates_the_chart_at_each_save(
    qtbot, clinic, clock, infusing, monkeypatch
):
    from ketamon.ui.vitals_entry import VitalsEntryDialog

    window = open_window(qtbot, clinic, infusing)
    published = []
    clinic.changes.subscribe(published.append)  # the board follows what is published
    seen = []

    def ask(cls, parent, title, handlers):  # what the popup does on each Enter
        seen.append(title)
        clock.advance(minutes=2)
        saved = handlers.record(vitals(136, 84, 80), None, False)
        handlers.saved(saved)
        assert window.chart.series("systolic")[1][-1] == 136.0  # before the popup closes
        return 1

    monkeypatch.setattr(VitalsEntryDialog, "ask", classmethod(ask))
    qtbot.mouseClick(window.buttons["Record vitals…"], Qt.MouseButton.LeftButton)
    assert seen == ["Chair 1 · Lena Park"]
    assert window.model.row_texts(3)[2] == "136/84"
    assert window.model.row_texts(3)[ENTERED_BY] == "Jo Rivera, RN"
    [change] = published
    assert change.sessions == {infusing.id} and change.started_by(window)


def test_a_back_dated_set_saved_in_the_window_lands_in_time_order(
    qtbot, clinic, clock, infusing, monkeypatch
):
    """The window places the set it just saved itself (no re-read); what it shows is what a
    fresh read of the session shows, even for a set typed with an earlier time."""
    from ketamon.ui.vitals_entry import VitalsEntryDialog

    window = open_window(qtbot, clinic, infusing)
    first_two = [s.taken_at for s in window.sets[:2]]
    earlier = first_two[0] + (first_two[1] - first_two[0]) / 2  # between the first two

    def ask(cls, parent, title, handlers):
        clock.advance(minutes=2)
        handlers.saved(handlers.record(vitals(150, 95, 88), earlier, False))
        return 1

    monkeypatch.setattr(VitalsEntryDialog, "ask", classmethod(ask))
    qtbot.mouseClick(window.buttons["Record vitals…"], Qt.MouseButton.LeftButton)
    assert window.sets == clinic.vitals.for_session(infusing.id)
    assert window.model.row_texts(1)[2] == "150/95"
    xs, ys = window.chart.series("systolic")
    assert ys[1] == 150.0 and xs == sorted(xs)


def _write(clinic, actor, at, reason=""):
    from ketamon.storage.audit import AuditContext

    return clinic.db.transaction(audit=AuditContext(actor, at, reason))


def _effect_medication_and_rate(clinic, session_id):
    """Stored as the side-effect and medication services store them (audited rows)."""
    from sqlalchemy import func, select

    from ketamon.storage.models import MedicationRow, SessionEventRow, SideEffectRow

    at = T0 + timedelta(minutes=12)
    with _write(clinic, "nurse.al", at) as s:
        effect = SideEffectRow(
            session_id=session_id,
            kind_key="emergence",
            label="Agitation",
            other_text="",
            onset_at=at,
            severity="severe",
            note="",
            entered_by="nurse.al",
            entered_at=at,
            status="current",
            status_reason="",
        )
        s.add(effect)
        s.flush()
        s.add(
            MedicationRow(
                session_id=session_id,
                drug="Midazolam",
                dose=1,
                unit="mg",
                route="IV",
                given_at=at + timedelta(minutes=1),
                given_by="nurse.al",
                side_effect_id=effect.id,
                note="",
                entered_by="nurse.al",
                entered_at=at + timedelta(minutes=1),
                status="current",
                status_reason="",
            )
        )
        seq = s.scalar(
            select(func.max(SessionEventRow.seq)).where(SessionEventRow.session_id == session_id)
        )
        s.add(
            SessionEventRow(
                session_id=session_id,
                seq=seq + 1,
                kind="rate_change",
                at=at + timedelta(minutes=2),
                actor="nurse.al",
                reason="Agitation",
                recorded_at=at + timedelta(minutes=2),
                rate_ml_h=45.0,
            )
        )


def test_scores_are_step_lines_and_every_item_is_a_marker_with_a_hover_text(
    qtbot, clinic, clock, infusing
):
    from ketamon.domain.record import EntryKind
    from ketamon.ui.vitals_chart import marker_text

    clinic.vitals.record(NURSE, infusing.id, vitals(sedation=4, dissociation=1))  # +25 -> x 20
    _effect_medication_and_rate(clinic, infusing.id)
    clock.advance(minutes=3)
    clinic.vitals.record(NURSE, infusing.id, VitalsDraft(sedation=1, dissociation=3))  # x 23
    clinic.sessions.pause(NURSE, infusing.id, "Agitation")  # x 23
    window = open_window(qtbot, clinic, infusing)
    chart = window.chart

    assert chart.series("sedation") == ([20.0, 23.0], [4.0, 1.0])
    assert chart.series("dissociation") == ([20.0, 23.0], [1.0, 3.0])
    assert chart.curves["sedation"].opts["stepMode"] == "right"  # holds until the next score
    red = chart.points["sedation"][Grade.RED]
    assert list(red.getData()[0]) == [23.0]
    assert red.opts["symbol"] == "s"  # a square, not only a red colour
    assert list(chart.points["sedation"][Grade.AMBER].getData()[0]) == []
    # the scores-only set has no BP point and leaves no gap in the BP line
    assert chart.series("systolic")[0] == [-2.0, 10.0, 20.0, 20.0]
    assert all(y == y for y in chart.series("systolic")[1])  # no NaN

    markers = chart.marker_data()
    assert [(m.kind, m.label) for m in markers] == [
        (EntryKind.INFUSION, "Start"),
        (EntryKind.SIDE_EFFECT, "Agitation SEVERE"),
        (EntryKind.MEDICATION, "Midazolam 1 mg IV"),
        (EntryKind.INFUSION, "45 mL/h"),
        (EntryKind.INFUSION, "Pause"),
    ]
    severe = chart.markers["severe"]
    assert list(severe.getData()[0]) == [7.0] and severe.opts["symbol"] == "star"
    assert list(chart.markers["medication"].getData()[0]) == [8.0]
    assert list(chart.markers["infusion"].getData()[0]) == [0.0, 9.0, 23.0]
    assert all(s.opts["hoverable"] for s in chart.markers.values())
    labels = {(lb.toPlainText(), lb.pos().x()) for lb in chart.marker_labels if lb.isVisible()}
    assert labels == {("Agitation SEVERE", 7.6), ("Midazolam 1 mg IV", 8.6), ("45 mL/h", 9.6)}
    tip = chart.markers["infusion"].opts["tip"](9.0, 2, markers[3])
    when = (T0 + timedelta(minutes=14)).astimezone().strftime("%H:%M:%S")
    assert tip.startswith(when) and "Infusion rate changed to 45 mL/h" in tip
    assert tip.endswith("by nurse.al")
    assert marker_text(markers[4]).endswith(f"by {NURSE.username}")


def test_timeline_tab_lists_side_effects_medications_and_infusion_actions(
    qtbot, clinic, clock, infusing
):
    _effect_medication_and_rate(clinic, infusing.id)
    window = open_window(qtbot, clinic, infusing)
    rows = [r[1:] for r in window.timeline.rows()]
    assert rows == [
        ["Checked in", "Jo Rivera, RN", "", "Session"],  # by name
        ["Vitals: BP 124/78 · HR 72 · SpO2 98% · RR 14", "Jo Rivera, RN", "", "Vitals"],
        [
            "Dose planned: 36.25 mg (0.5 mg/kg × 72.5 kg), 10 mg/ml at 5.43 mL/h, lot KET-24101",
            "Jo Rivera, RN",
            "",
            "Dose",
        ],
        ["Infusion started", "Jo Rivera, RN", "", "Infusion"],
        # nurse.al has no account here: the username is all there is to show
        ["Side effect began: Agitation (SEVERE)", "nurse.al", "", "Side effect"],
        ["Medication given: Midazolam 1 mg IV (for Agitation)", "nurse.al", "", "Medication"],
        ["Infusion rate changed to 45 mL/h", "nurse.al", "Agitation", "Infusion"],
        ["Vitals: BP 150/92 · HR 88 · SpO2 98% · RR 14", "Jo Rivera, RN", "", "Vitals"],
        ["Vitals: BP 185/104 · HR 115 · SpO2 92% · RR 22", "Jo Rivera, RN", "", "Vitals"],
    ]
    # something recorded while the window is open shows at the next refresh
    clock.advance(minutes=1)
    clinic.sessions.pause(NURSE, infusing.id, "BP 185/104")
    window.refresh()
    assert window.timeline.rows()[-1][1:] == [
        "Infusion paused",
        "Jo Rivera, RN",
        "BP 185/104",
        "Infusion",
    ]
    assert len(window.chart.marker_data()) == 5


def test_nurse_saves_a_scores_only_set_and_sees_it_in_table_and_chart(
    qtbot, clinic, clock, infusing, monkeypatch
):
    from PySide6.QtWidgets import QApplication

    from ketamon.ui.vitals_entry import VitalsEntryDialog

    window = open_window(qtbot, clinic, infusing)
    window.activateWindow()
    clock.advance(minutes=2)  # x = 22

    def ask(cls, parent, title, handlers):
        dialog = VitalsEntryDialog(parent, title, handlers)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda: dialog.fields["bp"].hasFocus(), timeout=2000)
        for _ in range(4):  # past BP, HR, SpO2 and RR, left empty
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert dialog.sedation.hasFocus()
        qtbot.keyClicks(dialog.sedation, "2")
        assert dialog.words["sedation"].text() == (
            "2 · responds only after mild prodding or shaking · AMBER"
        )
        qtbot.keyClick(dialog.sedation, Qt.Key.Key_Tab)
        qtbot.keyClicks(QApplication.focusWidget(), "1")
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        assert [c.text() for c in dialog.chips] == [
            "MOAA/S 2 AMBER",
            "Dissociation 1 (mild) normal",
        ]
        # the chart has the scores before the popup closes
        assert window.chart.series("sedation") == ([22.0], [2.0])
        count = len(dialog.saved_sets)
        dialog.close()
        dialog.deleteLater()
        return count

    monkeypatch.setattr(VitalsEntryDialog, "ask", classmethod(ask))
    qtbot.mouseClick(window.buttons["Record vitals…"], Qt.MouseButton.LeftButton)
    texts = window.model.row_texts(3)
    assert texts[2] == "– (scores only)"
    assert texts[3:6] == ["–", "–", "–"]
    assert texts[8] == "2 AMBER"
    assert texts[9] == "1 mild"
    assert texts[FLAGS] == "AMBER: MOAA/S"
    assert window.chart.series("systolic")[1] == [124.0, 150.0, 185.0]  # no BP point
    assert list(window.chart.points["sedation"][Grade.AMBER].getData()[0]) == [22.0]
    assert "3 vitals sets + 1 score entry" in window.header.text()  # scores are not a set


def test_a_scores_only_set_is_corrected_with_its_scores(qtbot, clinic, clock, infusing):
    clock.advance(minutes=1)
    scores = clinic.vitals.record(NURSE, infusing.id, VitalsDraft(sedation=3, dissociation=1))
    dialog = CorrectVitalsDialog(
        None,
        scores,
        lambda draft, reason: clinic.vitals.correct(NURSE, scores.id, draft, reason),
    )
    qtbot.addWidget(dialog)
    typed = dialog.typed()
    assert (typed["bp"], typed["sedation"], typed["dissociation"], typed["cadss"]) == (
        "",
        "3",
        "1",
        "",
    )
    dialog.edits["cadss"].setText("93")
    dialog.reason.setEditText("Typing error")
    assert not dialog.save()
    assert dialog.errors["cadss"].text() == "CADSS total must be 0–92"
    dialog.edits["cadss"].setText("40")
    dialog.edits["dissociation"].setText("2")
    assert dialog.save()
    fixed = clinic.vitals.for_session(infusing.id)[-1]
    assert fixed.scores_only and fixed.corrects_id == scores.id
    assert (fixed.values.sedation, fixed.values.dissociation, fixed.values.cadss) == (3, 2, 40)


def _axis_ticks(plot, side: str, low: float, high: float, pixels: float) -> list[float]:
    levels = plot.getAxis(side).tickValues(low, high, pixels)
    return sorted(v for _spacing, values in levels[:2] for v in values if low <= v <= high)


def test_grid_lines_are_at_the_axis_ticks_and_follow_the_range(qtbot, clinic, clock, infusing):
    window = open_window(qtbot, clinic, infusing)
    window.resize(1480, 960)
    window.show()
    qtbot.waitExposed(window)
    chart = window.chart
    plot = chart.plots["systolic"]
    box = plot.getViewBox()
    grid = chart.grids[box]

    def check() -> tuple[float, float]:
        (x0, x1), (y0, y1) = box.viewRange()
        assert sorted(grid.values(0)) == pytest.approx(
            _axis_ticks(plot, "left", y0, y1, box.height())
        )
        assert sorted(grid.values(90)) == pytest.approx(
            _axis_ticks(plot, "bottom", x0, x1, box.width())
        )
        return y1, x1

    top_before, right_before = check()
    assert len(grid.values(0)) >= 4  # a grid a nurse can read values against
    clock.advance(minutes=60)  # far right, and a systolic far above the old range
    clinic.vitals.record(NURSE, infusing.id, vitals(262, 120, 80))
    window.refresh()
    top_after, right_after = check()
    assert top_after > top_before and right_after > right_before
    assert max(grid.values(0)) > top_before  # lines where there were none


def test_the_keys_sit_above_their_panels_and_short_panels_drop_the_unit(qtbot, clinic, infusing):
    """The BP key once lay over the newest diastolic points (bottom right of the panel);
    the keys now have a row of their own, and an axis title too long for its panel (they
    ran into each other at 1366x768) keeps only the measure's name."""
    window = open_window(qtbot, clinic, infusing)
    window.resize(1900, 1000)
    window.show()
    qtbot.waitExposed(window)
    chart = window.chart
    for name in ("systolic", "scores"):
        plot = chart.plots[name]
        key = plot.titleLabel
        assert key.isVisible() and key.text
        key_box = key.sceneBoundingRect()
        view_box = plot.getViewBox().sceneBoundingRect()
        assert key_box.height() > 5
        assert key_box.bottom() <= view_box.top() + 1, name  # above the data, not on it
    assert "Diastolic" in chart.plots["systolic"].titleLabel.text
    assert "MOAA/S" in chart.plots["scores"].titleLabel.text
    assert chart.plots["systolic"].getAxis("left").labelText == "BP mmHg"
    window.resize(1300, 560)
    qtbot.waitUntil(lambda: chart.plots["systolic"].getAxis("left").labelText == "BP")
    assert chart.plots["heart_rate"].getAxis("left").labelText == "HR"


def test_on_a_small_screen_the_table_keeps_four_rows_and_opens_on_the_newest_set(
    qtbot, clinic, clock, infusing
) -> None:
    """At 1366x768 the chart took all but two rows and the newest set, the red one, was
    below the fold: the table keeps room for four and opens scrolled to the newest."""
    from ketamon.ui.vitals_table import MIN_ROWS

    for k in range(9):
        clock.advance(minutes=2)
        clinic.vitals.record(NURSE, infusing.id, vitals(120 + k, 78, 72))
    clinic.vitals.record(NURSE, infusing.id, vitals(188, 112, 90))  # the newest: red
    window = open_window(qtbot, clinic, infusing)  # the size it opens at (offscreen: small)
    qtbot.waitExposed(window)
    assert window.height() <= 800
    table = window.table
    row_height = table.verticalHeader().defaultSectionSize()
    qtbot.waitUntil(
        lambda: table.verticalScrollBar().value() == table.verticalScrollBar().maximum()
    )
    assert table.viewport().height() >= MIN_ROWS * row_height
    last = window.model.index(window.model.rowCount() - 1, 2)
    assert table.viewport().rect().contains(table.visualRect(last))
    assert window.model.data(last) == "188/112 RED"
