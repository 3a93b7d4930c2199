"""Child process for test_crash_restart: runs a real board mid-infusion until killed."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date

from ketamon.domain.actors import Actor
from ketamon.domain.discharge import Escort
from ketamon.domain.patients import PatientDraft
from ketamon.domain.vitals import VitalsDraft
from ketamon.services.clinic import Clinic
from ketamon.ui.app import application
from ketamon.ui.main_window import MainWindow


def main(url: str) -> None:
    app = application()
    actor = Actor("nurse.kim", "Kim Lee")
    clinic = Clinic.open(url)
    clinic.users.create_first_admin("nurse.kim", "Kim Lee", "RN", "crash test pw", "nurse,admin")
    chairs = clinic.chairs.ensure_defaults(actor)
    patient = clinic.patients.register(
        actor, PatientDraft("KM-5150", "Rosa Diaz", date(1985, 6, 1), 64.0)
    )
    session = clinic.sessions.check_in(actor, chairs[2].id, patient.id, 40)
    clinic.vitals.record(
        actor,
        session.id,
        VitalsDraft(systolic=124, diastolic=78, heart_rate=70, spo2=98, resp_rate=14),
    )
    clinic.dose.plan(actor, session.id, 64.0, 0.5, 10.0, "KET-24101")  # planned before the start
    escort = Escort("Maria Lopez", "Sister", "(212) 555-0143")  # confirmed before the dose
    clinic.discharge.save_escort_plan(actor, session.id, escort)
    for name, items in (("PHQ-9", 9), ("GAD-7", 7)):  # the clinic's, asked before the start
        clinic.outcomes.record(actor, session.id, name, [0] * items)
    window = MainWindow(clinic, actor)
    window.show()
    window.board.tile_at(2).buttons["start"].click()
    session = window.controller.session_on(chairs[2].id)
    print("STARTED", session.id, session.times.started_at.isoformat(), flush=True)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1])
