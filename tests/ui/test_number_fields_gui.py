""" "nan", "inf" and "1e400" typed in a numeric field are refused at that field as "must be
a number" with the range, never a crash or a stored NaN; what was typed stays typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from ketamon.ui.app import application
from ketamon.ui.dialogs.checkin import CheckInDialog, CheckInHandlers
from ketamon.ui.dialogs.dose_record import DoseHandlers, DoseRecordDialog
from ketamon.ui.dialogs.infusion import RateChangeDialog
from ketamon.ui.dialogs.medication import MedicationDialog, MedicationHandlers
from ketamon.ui.vitals_entry import VitalsEntryDialog, VitalsEntryHandlers
from ketamon.ui.vitals_fields import score_words
from tests.conftest import NURSE, PASSWORD, ask_questionnaires, baseline, draft, plan_escort

LEFT = Qt.MouseButton.LeftButton


def type_text(qtbot, edit, text: str) -> None:
    """Type `text`; characters QTest cannot key (², Arabic-Indic digits) are pasted in."""
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


NOT_NUMBERS = ["nan", "NaN", "inf", "-inf", "1e400", "Infinity"]


@pytest.fixture
def infusing(clinic, clock) -> int:
    clinic.users.add(NURSE, "nurse.kim", "Kim Osei", "RN", "nurse", PASSWORD)
    patient = clinic.patients.register(NURSE, draft(weight_kg=80))
    sid = clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40).id
    baseline(clinic, sid)
    # Started without a plan (with its reason): these tests type the plan afterwards.
    plan_escort(clinic, sid)
    ask_questionnaires(clinic, sid)
    clinic.sessions.start(NURSE, sid, no_plan_reason="Dose prepared on the paper record")
    clock.advance(minutes=40)
    return sid


def _dose_dialog(qtbot, clinic, sid: int) -> DoseRecordDialog:
    application()
    handlers = DoseHandlers(
        plan=lambda w, d, c, lot, over, why, v: clinic.dose.plan(
            NURSE, sid, w, d, c, lot, reason=why, version=v, over_plan_reason=over
        ),
        complete=lambda a, w, who, pw, over, why, v: clinic.dose.complete(
            NURSE, sid, a, w, who, pw, over, reason=why, version=v
        ),
        defaults=clinic.dose.defaults(sid),
    )
    dialog = DoseRecordDialog(None, "Chair 1", handlers, clinic.dose.get(sid))
    qtbot.addWidget(dialog)
    return dialog


@pytest.mark.parametrize("typed", NOT_NUMBERS)
def test_nan_typed_as_wasted_is_refused_at_the_field_and_verify_stays_clean(
    clinic, infusing, qtbot, typed
):
    dialog = _dose_dialog(qtbot, clinic, infusing)
    qtbot.keyClicks(dialog.concentration, "10")
    qtbot.keyClicks(dialog.lot, "KX-2291")
    qtbot.mouseClick(dialog.save_plan, LEFT)
    qtbot.keyClicks(dialog.actual, "40")
    qtbot.keyClicks(dialog.wasted, typed)
    qtbot.keyClicks(dialog.witness, "nurse.kim")
    qtbot.keyClicks(dialog.witness_password, PASSWORD)
    qtbot.mouseClick(dialog.complete_button, LEFT)
    assert dialog.errors.text("wasted_mg") == "Wasted amount must be a number, 0–10000 mg"
    assert dialog.wasted.text() == typed  # kept, to be corrected
    assert clinic.dose.get(infusing).completed_at is None
    assert clinic.audit.verify() == []  # no NULL in the record against 'nan' on the trail


@pytest.mark.parametrize("typed", NOT_NUMBERS)
def test_nan_typed_in_the_plan_is_refused_at_the_field(clinic, infusing, qtbot, typed):
    dialog = _dose_dialog(qtbot, clinic, infusing)
    qtbot.keyClicks(dialog.concentration, typed)
    qtbot.keyClicks(dialog.lot, "KX-2291")
    qtbot.mouseClick(dialog.save_plan, LEFT)
    assert dialog.errors.text("concentration_mg_ml") == (
        "Concentration must be a number, 0.1–100 mg/mL"
    )
    assert dialog.concentration.text() == typed
    assert clinic.dose.get(infusing) is None


@pytest.mark.parametrize("typed", NOT_NUMBERS)
def test_nan_typed_as_a_medication_dose_is_refused_at_the_field(clinic, infusing, qtbot, typed):
    application()
    handlers = MedicationHandlers(
        give=lambda d: clinic.interventions.give(NURSE, infusing, d),
        now=clinic.clock,
        choices=clinic.settings.get().medication_choices,
        users=[("nurse.jo", "Jo Rivera, RN")],
        actor="nurse.jo",
    )
    dialog = MedicationDialog(None, "Chair 1", handlers)
    qtbot.addWidget(dialog)
    dialog.drug.setCurrentIndex(dialog.drug.findData("ondansetron"))
    qtbot.keyClicks(dialog.dose, typed)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), LEFT)
    assert dialog.errors.text("dose") == "Dose must be a number above 0 and up to 1000 mg"
    assert dialog.dose.text() == typed
    assert clinic.interventions.for_session(infusing) == []


@pytest.mark.parametrize("typed", NOT_NUMBERS)
def test_nan_typed_as_a_pump_rate_is_refused_at_the_field(clinic, infusing, qtbot, typed):
    application()
    dialog = RateChangeDialog(
        None,
        "Chair 1",
        "",
        lambda rate, why: clinic.sessions.rate_change(NURSE, infusing, rate, why),
    )
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.rate, typed)
    qtbot.keyClicks(dialog.reason.lineEdit(), "pump alarm")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), LEFT)
    assert dialog.errors.text("rate_ml_h") == "New rate must be 0.1–999 mL/h"
    assert dialog.rate.text() == typed
    assert clinic.sessions.get(infusing).events[-1].kind.value == "start"


@pytest.mark.parametrize("typed", NOT_NUMBERS)
def test_nan_typed_as_a_weight_at_registration_is_refused_at_the_field(clinic, qtbot, typed):
    application()
    handlers = CheckInHandlers(
        search=clinic.patients.search,
        register=lambda d: clinic.patients.register(NURSE, d),
        check_in=lambda pid, minutes, escort: None,
    )
    dialog = CheckInDialog(None, "Chair 1", handlers, clinic.settings.get())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(1)
    for key, text in dict(
        mrn="MRN9", full_name="Sam Patel", date_of_birth="1980-01-02", weight_kg=typed
    ).items():
        qtbot.keyClicks(dialog.fields[key], text)
    qtbot.mouseClick(dialog.check_in_button, LEFT)
    assert dialog.errors["weight_kg"].text() == "Weight must be a number, 20–350 kg"
    assert dialog.fields["weight_kg"].text() == typed
    assert clinic.patients.search("Sam") == []


@pytest.mark.parametrize("typed", NOT_NUMBERS + ["²", "٣٣٣"])
def test_nan_or_odd_digits_typed_in_vitals_are_refused_at_the_field(clinic, infusing, qtbot, typed):
    application()
    handlers = VitalsEntryHandlers(
        record=lambda d, t, p: clinic.vitals.record(NURSE, infusing, d, t, pre_discharge=p),
        now=clinic.clock,
    )
    dialog = VitalsEntryDialog(None, "Chair 1", handlers)
    qtbot.addWidget(dialog)
    before = len(clinic.vitals.for_session(infusing))
    for key, text in dict(bp="128/84", heart_rate=typed, spo2="98", resp_rate="14").items():
        type_text(qtbot, dialog.fields[key], text)
    type_text(qtbot, dialog.sedation, typed)  # described as it is typed: never a crash
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.errors["heart_rate"].text().startswith("Heart rate must be")
    assert dialog.fields["heart_rate"].text() == typed
    assert len(clinic.vitals.for_session(infusing)) == before
    assert score_words("sedation", typed) == "type a level 0–5"


def test_a_plan_lowered_under_the_amount_given_asks_the_over_plan_reason_there(
    clinic, infusing, qtbot
):
    dialog = _dose_dialog(qtbot, clinic, infusing)
    qtbot.keyClicks(dialog.concentration, "10")
    qtbot.keyClicks(dialog.lot, "KX-2291")
    qtbot.mouseClick(dialog.save_plan, LEFT)  # 80 kg x 0.5 mg/kg = 40 mg
    qtbot.keyClicks(dialog.actual, "40")
    qtbot.keyClicks(dialog.wasted, "0")
    qtbot.keyClicks(dialog.witness, "nurse.kim")
    qtbot.keyClicks(dialog.witness_password, PASSWORD)
    qtbot.mouseClick(dialog.complete_button, LEFT)
    assert clinic.dose.get(infusing).completed
    dialog.mg_per_kg.selectAll()
    qtbot.keyClicks(dialog.mg_per_kg, "0.3")  # 24 mg: 40 mg given is far above it
    qtbot.keyClicks(dialog.reason, "mg/kg misread from the order")
    qtbot.mouseClick(dialog.save_plan, LEFT)
    assert dialog.errors.text("over_plan_reason") == (
        "40 mg is more than 10% above the planned 24 mg (up to 26.4 mg without a reason): "
        "a reason is required"
    )
    assert clinic.dose.get(infusing).mg_per_kg == 0.5  # nothing changed
    qtbot.keyClicks(dialog.over_plan_reason, "Given from the first order")
    qtbot.mouseClick(dialog.save_plan, LEFT)
    stored = clinic.dose.get(infusing)
    assert (stored.mg_per_kg, stored.actual_mg) == (0.3, 40)
    assert stored.over_plan_reason == "Given from the first order"
