"""The installed wheel, run from outside the source tree (`make wheel-check`).

Imports every module of the installed `ketamon` package, then, offscreen, on a freshly
seeded demo clinic: the first-run dialog, the sign-in screen (typed and clicked), the
board, a session's window, the physician's review list, and every dialog class of
ketamon.ui.dialogs and ketamon.ui.review, each opened the way the app opens it. A dialog's
exec() is replaced by show() + close(), so nothing waits for a click. Any exception, an
error message shown, or a dialog class never shown fails it, naming what.

Usage: python wheel_smoke.py DATA_FOLDER  (QT_QPA_PLATFORM=offscreen is set if unset)
"""

from __future__ import annotations

import faulthandler
import importlib
import inspect
import os
import pkgutil
import sys
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
faulthandler.dump_traceback_later(300, exit=True)  # a dialog really waiting: fail, not hang

DEMO_PASSWORD = "ketamon-demo"
# Scripts, not libraries: importing them runs them (the app; Alembic's migration context).
RUN_NOT_IMPORTED = ("ketamon.__main__", "ketamon.migrations.env")
PROBLEMS: list[str] = []


def fail(text: str) -> None:
    PROBLEMS.append(text)
    print(f"wheel smoke: FAILED: {text}", file=sys.stderr)


def import_everything() -> list[str]:
    """Every module of the installed package, or SystemExit naming the first that fails."""
    import ketamon

    source = Path(__file__).resolve().parents[1] / "ketamon"
    installed = Path(ketamon.__file__).resolve()
    if installed.parent == source:
        raise SystemExit(f"wheel smoke: ketamon was imported from the source tree ({installed})")
    names = ["ketamon"]
    for info in pkgutil.walk_packages(ketamon.__path__, "ketamon."):
        if info.name not in RUN_NOT_IMPORTED:
            importlib.import_module(info.name)
        names.append(info.name)
    for name in RUN_NOT_IMPORTED:
        if name not in names:
            raise SystemExit(f"wheel smoke: {name} is not in the installed wheel")
    for package in ("ketamon.ui.review", "ketamon.migrations.versions", "ketamon.resources"):
        if package not in names:
            raise SystemExit(f"wheel smoke: {package} is not in the installed wheel")
    return names


def dialog_classes(names: list[str]) -> set[type]:
    """The QDialog subclasses defined in ketamon.ui.dialogs.* and ketamon.ui.review.*."""
    from PySide6.QtWidgets import QDialog

    found = set()
    for name in names:
        if name.startswith(("ketamon.ui.dialogs", "ketamon.ui.review")):
            module = importlib.import_module(name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, QDialog) and cls.__module__ == name:
                    found.add(cls)
    return found


class Smoke:
    """The app with exec() replaced, a record of every dialog shown, and helpers to click."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEvent, QObject, qInstallMessageHandler
        from PySide6.QtWidgets import QDialog, QMessageBox

        from ketamon.ui.app import application

        self.app = application()
        self.shown: set[type] = set()
        self.then: dict[str, object] = {}  # dialog class name -> what to do while it is open
        smoke = self

        refusal = (QMessageBox.Icon.Warning, QMessageBox.Icon.Critical)

        class Shown(QObject):
            def eventFilter(self, watched, event):
                if event.type() == QEvent.Type.Show and isinstance(watched, QDialog):
                    smoke.shown.add(type(watched))
                    if isinstance(watched, QMessageBox) and watched.icon() in refusal:
                        fail(f"a message was shown: {watched.text()}")
                return False

        self.filter = Shown()
        self.app.installEventFilter(self.filter)

        def exec_(dialog) -> int:
            dialog.show()
            self.app.processEvents()
            follow = self.then.pop(type(dialog).__name__, None)
            if follow is not None:
                follow(dialog)
            dialog.reject()
            self.app.processEvents()
            return int(QDialog.DialogCode.Rejected.value)

        QDialog.exec = exec_
        QMessageBox.exec = exec_

        def qt_message(kind, context, text: str) -> None:
            if "propagateSizeHints" not in text:  # the offscreen platform's note
                print(f"Qt: {text}", file=sys.stderr)

        qInstallMessageHandler(qt_message)
        sys.excepthook = lambda kind, value, tb: fail(
            "".join(traceback.format_exception(kind, value, tb)).strip()
        )

    def click(self, parent, text: str) -> None:
        """Click the enabled button of `parent` whose text starts with `text`."""
        from PySide6.QtWidgets import QPushButton

        for button in parent.findChildren(QPushButton):
            if button.text().replace("&", "").startswith(text) and button.isEnabled():
                button.click()
                self.app.processEvents()
                return
        fail(f"no enabled button {text!r} in {type(parent).__name__}")

    def close_all(self) -> None:
        for widget in self.app.topLevelWidgets():
            widget.close()
        self.app.processEvents()


def main(data: Path) -> int:
    names = import_everything()
    print(f"wheel smoke: imported {len(names)} modules")
    smoke = Smoke()

    # Imported only now: the checks above come first (the installed copy, every module).
    from ketamon.cli import main as cli
    from ketamon.services.clinic import Clinic
    from ketamon.ui.app import Startup

    data.mkdir(parents=True, exist_ok=True)
    path = data / "smoke.sqlite3"
    for old in data.glob("smoke.sqlite3*"):
        old.unlink()
    url = f"sqlite:///{path}"

    # First run: the first administrator's dialog (cancelled), then the demo clinic.
    clinic = Clinic.open(url)
    if Startup(clinic).begin():
        fail("the first-run dialog did not open on an empty database")
    clinic.close()
    if cli(["demo", "--db", url]) != 0:
        raise SystemExit("wheel smoke: `ketamon demo` failed")
    clinic = Clinic.open(url)
    try:
        nurse_views(smoke, clinic)
        physician_views(smoke, clinic)
    finally:
        smoke.close_all()
        clinic.close()

    expected = dialog_classes(names)
    missing = sorted(  # a base class (AccountDialog) is shown through its subclasses
        c.__qualname__ for c in expected if not any(issubclass(s, c) for s in smoke.shown)
    )
    if missing:
        fail(f"dialogs never shown: {', '.join(missing)}")
    if PROBLEMS:
        return 1
    print(f"wheel smoke: {len(expected)} dialog classes shown, all windows opened")
    return 0


def nurse_views(smoke: Smoke, clinic) -> None:
    """Sign in as the charge nurse by typing, then every board action that opens a dialog."""
    from ketamon.ui.app import Startup

    startup = Startup(clinic)
    if not startup.begin():
        raise SystemExit("wheel smoke: the sign-in screen did not open")
    panel = startup.sign_in_window.panel
    panel.username.setText("charge.kim")
    panel.password.setText(DEMO_PASSWORD)
    panel.sign_in_button.click()
    smoke.app.processEvents()
    window = startup.main_window
    if window is None:
        raise SystemExit(f"wheel smoke: sign-in failed: {panel.message.text()}")
    controller = window.controller
    board = controller.board
    by_phase: dict[str, int] = {}
    for chair_id, session in board.sessions.items():
        key = "paused" if session.paused else session.phase.value
        by_phase.setdefault(key, chair_id)
    free = next(c.id for c in board.chairs if c.id not in board.sessions)
    infusing, recovery = by_phase["infusing"], by_phase["recovery"]

    controller.request("check_in", free)  # CheckInDialog
    controller.request("vitals", infusing)  # VitalsEntryDialog
    controller.request("pause", infusing)  # ReasonDialog
    controller.request("stop", infusing)  # ReasonDialog or Confirm
    controller.request("side_effects", infusing)  # SideEffectsDialog
    smoke.then["DischargeDialog"] = lambda d: smoke.click(d, "Left against medical advice")
    controller.request("discharge", recovery)  # DischargeDialog, AgainstAdviceDialog
    controller.show_recent()  # RecentDialog
    controller.edit_chairs()  # ChairsDialog
    controller.edit_settings()  # SettingsDialog
    controller.edit_side_effect_catalog()  # SideEffectCatalogDialog

    def users(dialog) -> None:
        smoke.click(dialog, "Add user")  # UserFormDialog
        dialog.table.selectRow(0)
        smoke.click(dialog, "Reset password")  # PasswordDialog

    smoke.then["UsersDialog"] = users
    controller.edit_users()
    controller.change_password()  # ChangePasswordDialog

    # A session's window: chart, table, interventions and the dialogs opened from them.
    session_id = board.sessions[infusing].id
    session_window = controller.open_session(session_id)
    if session_window is None:
        raise SystemExit("wheel smoke: the session window did not open")
    smoke.app.processEvents()
    page = session_window.interventions
    page.give_medication()  # MedicationDialog
    page.rate_change()  # RateChangeDialog
    page.dose()  # DoseRecordDialog
    session_window.table.selectRow(0)
    session_window.correct()  # CorrectVitalsDialog
    from ketamon.domain.side_effects import Severity

    clinic.side_effects.tick(controller.actor, session_id, "headache", severity=Severity.SEVERE)
    session_window.refresh(full=True)
    session_window.physician_decision()  # PhysicianDecisionDialog
    session_window.edit_patient()  # EditPatientDialog
    # asked by the medication dialog when the drug is in the patient's allergies
    from ketamon.domain.interventions import AllergyConflict
    from ketamon.ui.dialogs.medication import AllergyOverrideDialog

    AllergyOverrideDialog.ask(session_window, AllergyConflict("ondansetron", "Ondansetron"))
    # the questionnaire before an infusion (issue 17: the tile's key comes with its wiring)
    from ketamon.domain.instruments import Instrument
    from ketamon.ui.dialogs.questionnaire import QuestionnaireDialog

    QuestionnaireDialog.ask(session_window, Instrument.PHQ9, "Smoke Patient", lambda *_: None)
    from ketamon.domain.outcomes import OutcomeRecord, score
    from ketamon.domain.statuses import RecordStatus
    from ketamon.ui.dialogs.item9_review import Item9ReviewDialog

    positive = score(Instrument.PHQ9, [1] * 8 + [1])
    record = OutcomeRecord(
        1, 1, 1, 1, positive, False, clinic.clock(), "Smoke", RecordStatus.CURRENT
    )
    Item9ReviewDialog.ask(session_window, record, "Smoke Patient", lambda *_: None)
    from ketamon.ui.dialogs.due import DueDialog, DueHandlers

    DueDialog.ask(session_window, DueHandlers(clinic.courses.due))
    from ketamon.domain.courses import PatientPlan
    from ketamon.ui.dialogs.course_plan import CloseCourseDialog, PlanDialog

    PlanDialog.ask(session_window, "Smoke Patient", PatientPlan(), 6, (14, 28), lambda *_: None)
    CloseCourseDialog.ask(session_window, "Smoke Patient", "Initial series", lambda *_: True)
    # asked by the start when the session has no escort plan (the demo's check-in has none)
    from ketamon.ui.dialogs.escort import EscortPlanDialog

    EscortPlanDialog.ask(session_window, "Smoke Patient", lambda _escort: None)
    session_window.close()
    window.close()


def physician_views(smoke: Smoke, clinic) -> None:
    """The physician's start: the review list, a session opened read-only, signing."""
    from ketamon.domain.actors import Actor
    from ketamon.ui.main_window import MainWindow
    from ketamon.ui.session_window import open_windows

    user = clinic.auth.sign_in("dr.patel", DEMO_PASSWORD)
    window = MainWindow(clinic, Actor(user.username, user.display_name))
    window.show()
    window.open_start_view()  # the review list, for a physician who is not a nurse
    smoke.app.processEvents()
    review = getattr(window.controller, "review_window", None)
    if review is None:
        raise SystemExit("wheel smoke: the review list did not open")
    review.table.selectRow(0)
    smoke.app.processEvents()
    review.open_selected()  # the session window, read-only
    smoke.app.processEvents()
    if not any(w.isVisible() for w in open_windows()):
        fail("the review list did not open the session's window")
    review.sign_selected()  # SignDialog
    review.add_addendum()  # AddendumDialog
    window.controller.show_export()  # ExportDialog
    window.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
