"""Before an infusion starts without a dose plan: plan it (the safe answer, Enter), start
without one (its own key, Alt+W, then a required reason), or go back (Esc). `ask_first`
is that question for anything owed before the start (the escort plan too)."""

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


def ask_first(title: str, text: str, do: str, without: str, parent: QWidget | None) -> str | None:
    """Something owed before the start: do it now (`do`, the default: Enter), start
    without it (`without`: its own mnemonic, then a reason) or go back (Esc). PLAN,
    WITHOUT, or None (nothing starts)."""
    box = QMessageBox(parent)
    box.setProperty("large", True)  # QSS: 16px text and buttons
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    plan = box.addButton(do, QMessageBox.ButtonRole.AcceptRole)
    skip = box.addButton(without, QMessageBox.ButtonRole.DestructiveRole)
    skip.setAutoDefault(False)
    back = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(plan)
    box.setEscapeButton(back)
    clicked = run_box(box)
    if clicked is plan:
        return PLAN
    if clicked is skip:
        return WITHOUT
    return None


def ask_plan_first(parent: QWidget | None, patient_name: str) -> str | None:
    """PLAN, WITHOUT, or None (go back: nothing starts)."""
    return ask_first(
        "No dose plan",
        f"There is no dose plan for {patient_name}.\n\n"
        "The plan (weight, mg/kg, total mg, concentration, rate, lot) belongs before the "
        "infusion. Plan the dose now, then the infusion starts; or start without a plan "
        "and record why.",
        "&Plan the dose…",
        "Start &without a plan…",
        parent,
    )


def ask_no_plan_reason(parent: QWidget | None, patient_name: str) -> str | None:
    """The reason to start without a dose plan (required), or None (nothing starts)."""
    return ReasonDialog.ask(
        parent,
        "Start without a dose plan",
        f"Reason to start the infusion for {patient_name} without a dose plan "
        "(recorded with the start: who, when, why)",
        NO_PLAN_REASONS,
    )
