"""The log file never holds patient names, MRNs or passwords."""

from __future__ import annotations

import pytest

from ketamon.cli import main
from ketamon.services.users import SignInRefused
from tests.conftest import (
    NURSE,
    PASSWORD,
    ask_questionnaires,
    baseline,
    draft,
    plan_dose,
    plan_escort,
)


def test_a_working_day_leaves_no_phi_or_password_in_the_log(
    clinic, clock, _isolated_data_dir, monkeypatch
):
    from ketamon import logs

    monkeypatch.setattr(logs, "_configured", None)
    path = logs.configure(_isolated_data_dir)
    clinic.auth.sign_in("nurse.jo", PASSWORD)
    with pytest.raises(SignInRefused):
        clinic.auth.sign_in("nurse.jo", "Sup3r-Secret-Guess")
    patient = clinic.patients.register(NURSE, draft("KM-314159", "Philippa Quetzalcoatl"))
    chair = clinic.chairs.all()[0]
    session = clinic.sessions.check_in(NURSE, chair.id, patient.id, 40)
    baseline(clinic, session.id)
    plan_dose(clinic, session.id)
    plan_escort(clinic, session.id)
    ask_questionnaires(clinic, session.id)
    clinic.sessions.start(NURSE, session.id)
    clinic.sessions.pause(NURSE, session.id, "Philippa felt sick")
    # A refused action whose message names the patient:
    with pytest.raises(Exception, match="Philippa"):
        clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40)
    assert main(["--db", f"sqlite:///{_isolated_data_dir}/missing/x.sqlite3"]) == 1

    text = path.read_text("utf-8")
    assert f"session {session.id}: pause by nurse.jo" in text  # the log is being written
    assert "sign-in refused" in text
    for secret in (
        "Philippa",
        "Quetzalcoatl",
        "KM-314159",
        PASSWORD,
        "Sup3r-Secret-Guess",
        "felt sick",
        "$argon2",
    ):
        assert secret not in text
