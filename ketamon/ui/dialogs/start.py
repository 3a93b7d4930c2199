"""Before an infusion starts without a dose plan: plan it (the safe answer, Enter), start
without one (its own key, Alt+W, then a required reason), or go back (Esc). `ask_first`
is that question for anything owed before the start (the questionnaires and the escort
plan too)."""

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


NO_QUESTIONNAIRE_REASONS = (
    "Patient declined the questionnaires today",
    "Answered on paper; to be entered after the start",
    "Language or reading barrier; interpreter not available",
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


def _names(missing: tuple[str, ...]) -> tuple[str, str]:
    """("PHQ-9 and GAD-7", "them"), or ("GAD-7", "it")."""
    if len(missing) == 1:
        return missing[0], "it"
    return f"{', '.join(missing[:-1])} and {missing[-1]}", "them"


def ask_questionnaires_first(
    parent: QWidget | None, patient_name: str, missing: tuple[str, ...]
) -> str | None:
    """PLAN (ask them now), WITHOUT, or None (go back: nothing starts)."""
    names, them = _names(missing)
    return ask_first(
        "Questionnaires not asked",
        f"{names} not asked yet for {patient_name} in this session.\n\n"
        f"The clinic asks {them} before each infusion (a positive PHQ-9 item 9 is decided "
        f"by a clinician before the dose). Ask {them} now and the start goes on; or start "
        f"without {them} and record why.",
        f"&Ask {them} now…",
        f"Start &without {them}…",
        parent,
    )


def ask_no_questionnaire_reason(
    parent: QWidget | None, patient_name: str, missing: tuple[str, ...]
) -> str | None:
    """The reason to start without the questionnaires (required), or None."""
    names, _them = _names(missing)
    return ReasonDialog.ask(
        parent,
        "Start without the questionnaires",
        f"Reason to start the infusion for {patient_name} without {names} "
        "(recorded with the start: who, when, why)",
        NO_QUESTIONNAIRE_REASONS,
    )
