"""The dialog kit (ketamon.ui.dialogs.kit): one ask(), one FieldErrors, one catch.

Through a real dialog over a real database: a FieldError the service raises shows under
its field, a StorageError (a read-only database) in the dialog's error line, and nothing
typed is lost either way; the dialog stays open until the entry is saved.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

from ketamon.domain.errors import DomainError, FieldError, StorageError, ValidationErrors
from ketamon.ui.app import application
from ketamon.ui.dialogs.kit import FieldErrors, KitDialog, guard, guarded
from ketamon.ui.dialogs.patient_form import EditPatientDialog
from tests.conftest import NURSE, draft, open_clinic


def _edit_dialog(qtbot, clinic, patient):
    application()  # the stylesheet, as in the app
    dialog = EditPatientDialog(
        None,
        patient,
        lambda d, reason, version: clinic.patients.correct(
            NURSE, patient.id, d, reason, version=version
        ),
        lambda: clinic.patients.get(patient.id),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _retype(qtbot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def test_a_field_error_from_the_service_shows_under_its_field_and_keeps_what_was_typed(
    qtbot, clinic
):
    patient = clinic.patients.register(NURSE, draft())
    dialog = _edit_dialog(qtbot, clinic, patient)
    _retype(qtbot, dialog.form.fields["full_name"], "Ada King")
    _retype(qtbot, dialog.form.fields["weight_kg"], "900")  # the domain's range: 20-350
    dialog.reason.setEditText("Weighed again")
    qtbot.keyClick(dialog.form.fields["weight_kg"], Qt.Key.Key_Return)

    assert dialog.isVisible() and dialog.saved is None
    assert dialog.errors.text("weight_kg").startswith("Weight")
    assert dialog.form.errors["weight_kg"].isVisible()
    assert dialog.form.fields["weight_kg"].property("invalid") is True
    assert dialog.message.text() == ""  # not in the error line: under the field
    assert dialog.focusWidget() is dialog.form.fields["weight_kg"]
    assert dialog.form.fields["full_name"].text() == "Ada King"  # nothing typed lost
    assert dialog.reason.currentText() == "Weighed again"
    assert clinic.patients.get(patient.id).full_name == "Ada Lovelace"

    # Typing in the field clears its error; a reason missing goes under the reason.
    _retype(qtbot, dialog.form.fields["weight_kg"], "81")
    assert not dialog.form.errors["weight_kg"].isVisible()
    assert dialog.form.fields["weight_kg"].property("invalid") is False
    dialog.reason.setEditText("")
    qtbot.keyClick(dialog.form.fields["weight_kg"], Qt.Key.Key_Return)
    assert dialog.errors.text("reason") == "A reason is required to correct patient details"

    dialog.reason.setEditText("Weighed again")
    qtbot.keyClick(dialog.form.fields["weight_kg"], Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.errors.shown() == {}
    assert clinic.patients.get(patient.id).weight_kg == 81


def test_a_storage_error_shows_in_the_error_line_and_keeps_what_was_typed(qtbot, clinic, clock):
    patient = clinic.patients.register(NURSE, draft())
    path = Path(clinic.location)
    read_only = open_clinic(f"sqlite:///file:{path}?mode=ro&uri=true", clock)
    try:
        dialog = _edit_dialog(qtbot, read_only, patient)
        _retype(qtbot, dialog.form.fields["full_name"], "Ada King")
        dialog.reason.setEditText("Checked against the patient's ID")
        qtbot.keyClick(dialog.form.fields["full_name"], Qt.Key.Key_Return)

        assert dialog.isVisible() and dialog.saved is None
        assert str(path) in dialog.message.text() and "read-only" in dialog.message.text()
        assert dialog.errors.shown() == {}  # no field to blame
        assert dialog.form.fields["full_name"].text() == "Ada King"
        assert dialog.reason.currentText() == "Checked against the patient's ID"
    finally:
        read_only.close()
    assert clinic.patients.get(patient.id).full_name == "Ada Lovelace"


class _Form(KitDialog):
    """The smallest dialog built from the kit: two fields, the error line, save()."""

    def __init__(self, parent, save) -> None:
        super().__init__(parent)
        self.save_call = save
        self.errors = FieldErrors(hide_empty_message=True, focus=True)
        self.name, self.dose = QLineEdit(), QLineEdit()
        layout = QVBoxLayout(self)
        for key, edit in (("name", self.name), ("dose", self.dose)):
            layout.addWidget(edit)
            layout.addWidget(self.errors.label(key, edit))
        layout.addWidget(self.errors.message)

    def save(self) -> bool:
        self.errors.clear()
        with guard(self.errors) as refused:
            self.saved = self.save_call(self.name.text(), self.dose.text())
        if refused:
            return False
        self.accept()
        return True


def _form(qtbot, save):
    dialog = _Form(None, save)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "ondansetron")
    qtbot.keyClicks(dialog.dose, "40")
    return dialog


def test_guard_sends_each_refusal_where_it_belongs(qtbot):
    def refuse(error):  # the service's refusal, as it raises it
        def save(name, dose):
            raise error

        return save

    dialog = _form(qtbot, refuse(FieldError("dose", "Dose: 0.1-32 mg")))
    assert dialog.save() is False
    assert dialog.errors.shown() == {"dose": "Dose: 0.1-32 mg"}
    assert dialog.focusWidget() is dialog.dose
    assert not dialog.errors.message.isVisible()

    both = ValidationErrors({"name": "Name is required", "route": "Route: choose one"})
    dialog = _form(qtbot, refuse(both))
    assert dialog.save() is False
    assert dialog.errors.shown() == {"name": "Name is required"}
    assert dialog.errors.message.text() == "Route: choose one"  # no such field here
    assert dialog.errors.message.isVisible()

    dialog = _form(qtbot, refuse(DomainError("The session has ended")))
    assert dialog.save() is False
    assert dialog.errors.message.text() == "The session has ended"

    dialog = _form(qtbot, refuse(StorageError("clinic.sqlite3", "disk I/O error")))
    assert dialog.save() is False
    assert dialog.errors.shown() == {}
    assert dialog.errors.message.text() == "Database clinic.sqlite3: disk I/O error"
    assert (dialog.name.text(), dialog.dose.text()) == ("ondansetron", "40")  # kept

    dialog.save_call = lambda name, dose: (name, float(dose))
    assert dialog.save() is True
    assert dialog.errors.message.text() == "" and not dialog.errors.message.isVisible()
    assert dialog.saved == ("ondansetron", 40.0)


def test_guarded_returns_the_result_or_none_and_anything_else_is_a_bug(qtbot):
    shown = []
    assert guarded(shown.append, lambda: 7) == 7
    assert guarded(shown.append, lambda: (_ for _ in ()).throw(DomainError("no"))) is None
    assert [str(e) for e in shown] == ["no"]
    try:
        guarded(shown.append, lambda: 1 / 0)
    except ZeroDivisionError:
        pass
    else:
        raise AssertionError("a programming error must not be swallowed")


def test_ask_builds_runs_returns_the_answer_and_deletes_the_dialog(qtbot, monkeypatch):
    built = []

    def exec_(dialog):  # the nurse types and presses Enter in the modal dialog
        built.append(dialog)
        dialog.show()
        qtbot.keyClicks(dialog.dose, "4")
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(_Form, "exec", exec_)
    answer = _Form.ask(None, lambda name, dose: f"{dose} mg")
    assert answer == "4 mg"
    destroyed = []
    built[0].destroyed.connect(lambda *_: destroyed.append(True))
    qtbot.waitUntil(lambda: bool(destroyed), timeout=2000)  # deleteLater ran


def test_a_caught_refusal_keeps_no_frame_alive():
    """Without a garbage collection (the app collects only between events), what the
    refused call's frames held (the dialog, what was typed) is freed as soon as they end."""

    class Typed:
        pass

    def act():
        typed = Typed()
        with guard(lambda error: None) as refused:
            raise DomainError("The session has ended")
        return weakref.ref(typed), refused

    was_enabled = gc.isenabled()  # off in the application (ui/collector.py): left so
    gc.disable()
    try:
        typed, refused = act()
        assert refused and str(refused.error) == "The session has ended"
        assert typed() is None
    finally:
        if was_enabled:
            gc.enable()
