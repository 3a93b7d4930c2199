"""Before an infusion starts without a dose plan: plan it (the safe answer, Enter), start
without one (its own key, Alt+W, then a required reason), or go back (Esc)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from ketamon.ui.dialogs.kit import run_box
from ketamon.ui.dialogs.reason import ReasonDialog

PLAN, WITHOUT = "plan", "without"
NO_PLAN_REASONS = (
    "Physician ordered start; plan to be entered after the start",
    "Dose prepared and checked on the paper record (system down)",
    "Pharmacy-prepared dose; figures not yet to hand",
)


def ask_plan_first(parent: QWidget | None, patient_name: str) -> str | None:
    """PLAN, WITHOUT, or None (go back: nothing starts)."""
    box = QMessageBox(parent)
    box.setProperty("large", True)  # QSS: 16px text and buttons
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("No dose plan")
    box.setText(
        f"There is no dose plan for {patient_name}.\n\n"
        "The plan (weight, mg/kg, total mg, concentration, rate, lot) belongs before the "
        "infusion. Plan the dose now, then the infusion starts; or start without a plan "
        "and record why."
    )
    plan = box.addButton("&Plan the dose…", QMessageBox.ButtonRole.AcceptRole)
    without = box.addButton("Start &without a plan…", QMessageBox.ButtonRole.DestructiveRole)
    without.setAutoDefault(False)
    back = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(plan)
    box.setEscapeButton(back)
    clicked = run_box(box)
    if clicked is plan:
        return PLAN
    if clicked is without:
        return WITHOUT
    return None


def ask_no_plan_reason(parent: QWidget | None, patient_name: str) -> str | None:
    """The reason to start without a dose plan (required), or None (nothing starts)."""
    return ReasonDialog.ask(
        parent,
        "Start without a dose plan",
        f"Reason to start the infusion for {patient_name} without a dose plan "
        "(recorded with the start: who, when, why)",
        NO_PLAN_REASONS,
    )
