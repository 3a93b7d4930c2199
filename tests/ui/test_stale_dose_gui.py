"""The dose record open on workstation A while B changes the plan: A's save is refused in
words, the dialog shows B's plan with A's typed weight kept (marked), and saving again
keeps B's lot number."""

from __future__ import annotations

import pytest

from ketamon.domain.actors import Actor
from ketamon.ui.actions.infusion import DoseRecording
from ketamon.ui.app import application
from ketamon.ui.dialogs.dose_record import DoseRecordDialog
from tests.conftest import NURSE, add_user, draft, open_clinic, plan_dose

KIM = Actor("nurse.kim", "Kim Osei, RN")


@pytest.fixture
def checked_in(clinic) -> int:
    add_user(clinic, "nurse.kim", "Kim Osei", "RN", "nurse")
    patient = clinic.patients.register(NURSE, draft(name="Lena Park", weight_kg=80))
    return clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id


def test_a_stale_dose_plan_is_refused_and_the_typed_weight_is_kept(
    clinic, db_url, clock, checked_in, qtbot
) -> None:
    application()
    plan_dose(clinic, checked_in, lot_number="KET-A")
    handlers = DoseRecording(clinic, NURSE).handlers(checked_in)
    dialog = DoseRecordDialog(None, "Chair 1", handlers, clinic.dose.get(checked_in))
    qtbot.addWidget(dialog)
    other = open_clinic(db_url, clock)
    try:
        plan_dose(other, checked_in, KIM, lot_number="KET-B")  # B, meanwhile
    finally:
        other.close()
    dialog.weight.selectAll()
    qtbot.keyClicks(dialog.weight, "70")
    assert dialog.plan() is None  # refused
    assert dialog.errors.message.text().startswith(
        "Not saved: The dose record was changed by Kim Osei, RN at "
    )
    assert (dialog.weight.text(), dialog.lot.text()) == ("70", "KET-B")
    assert dialog.weight.property("kept") is True and dialog.lot.property("kept") is False
    saved = dialog.plan()
    assert saved is not None and (saved.weight_kg, saved.lot_number) == (70.0, "KET-B")
