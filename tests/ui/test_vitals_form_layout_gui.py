"""The vitals popup at 1366x768 and by keyboard: "abc" in HR says it must be a number, each
error has its own wrapped line under its field and the popup grows so nothing overlaps the
next row, and an empty field's hint reads as a hint (a range in grey italics), never as a
value that could pass for one typed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel

from ketamon.domain.errors import ValidationErrors
from ketamon.domain.vitals import parse_vitals
from ketamon.ui.app import application
from ketamon.ui.vitals_entry import VitalsEntryDialog, VitalsEntryHandlers
from ketamon.ui.vitals_fields import CORE

T = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def dialog(qtbot):
    application()  # the stylesheet
    saved = []
    handlers = VitalsEntryHandlers(record=lambda *a: saved.append(a), now=lambda: T)
    popup = VitalsEntryDialog(None, "Chair 2 · Maria Rossi", handlers)
    qtbot.addWidget(popup)
    popup.resize(popup.minimumWidth(), popup.sizeHint().height())  # as a 1366x768 screen
    popup.show()
    QApplication.processEvents()
    popup.saved_args = saved
    return popup


def in_dialog(dialog, widget) -> QRect:
    return QRect(widget.mapTo(dialog, QPoint(0, 0)), widget.size())


def type_into(qtbot, dialog, key: str, text: str) -> None:
    edit = dialog.fields[key]
    edit.setFocus()
    qtbot.keyClicks(edit, text)


def test_letters_in_hr_say_must_be_a_number_and_keep_what_was_typed(qtbot, dialog):
    for key, text in (("bp", "128/84"), ("heart_rate", "abc"), ("spo2", "98"), ("resp_rate", "14")):
        type_into(qtbot, dialog, key, text)
    qtbot.keyClick(dialog.fields["resp_rate"], Qt.Key.Key_Return)
    assert dialog.errors.text("heart_rate") == "Heart rate must be a number (20–300 /min)"
    assert dialog.saved_args == []
    assert dialog.fields["heart_rate"].text() == "abc"
    assert dialog.fields["bp"].text() == "128/84"


def test_errors_wrap_under_their_field_and_never_overlap_the_next_row(qtbot, dialog):
    height_before = dialog.height()
    for key, text in (
        ("bp", "128/9o"),
        ("heart_rate", "abc"),
        ("spo2", "101"),
        ("pain", "12"),
        ("taken_at", "25:99"),
    ):
        type_into(qtbot, dialog, key, text)
    qtbot.keyClick(dialog.fields["taken_at"], Qt.Key.Key_Return)
    QApplication.processEvents()
    shown = dialog.errors.shown()
    assert set(shown) == {"bp", "heart_rate", "spo2", "resp_rate", "pain", "taken_at"}
    assert dialog.height() > height_before  # grew for the error lines
    assert dialog.height() <= 768 - 60  # still fits a 1366x768 screen (title bar, panel)
    labels = {key: dialog.errors[key] for key in shown}
    others = [w for w in dialog.findChildren(QLabel) if w.isVisible()]
    others += [w for w in dialog.fields.values()]
    for key, label in labels.items():
        box = in_dialog(dialog, label)
        assert label.wordWrap()
        # Tall enough for every wrapped line (it was given one line and overlapped).
        assert box.height() >= label.heightForWidth(box.width()), key
        field = in_dialog(dialog, dialog.fields[key])
        assert box.top() >= field.bottom(), f"{key}: the error is not under its field"
        for widget in others:
            if widget is label:
                continue
            assert not box.intersects(in_dialog(dialog, widget)), (
                f"{key}'s error overlaps {widget.objectName() or widget.text()!r}"
            )
    assert in_dialog(dialog, dialog.save_button).bottom() <= dialog.height()


def test_empty_fields_hint_in_italics_and_hints_are_never_values(qtbot, dialog):
    for spec in CORE:
        hint = dialog.fields[spec.key].placeholderText()
        with pytest.raises(ValidationErrors) as refused:  # typed as such, it would be refused
            parse_vitals(
                {"bp": "120/80", "heart_rate": "70", "spo2": "97", "resp_rate": "14"}
                | {spec.key: hint}
            )
        assert spec.key in refused.value.errors, hint
    assert dialog.fields["heart_rate"].placeholderText() == "20–300"
    hr = dialog.fields["heart_rate"]
    assert hr.property("empty") is True and hr.font().italic()
    qtbot.keyClicks(hr, "72")
    assert hr.property("empty") is False and not hr.font().italic()  # a value: upright
    hr.clear()
    assert hr.font().italic()
