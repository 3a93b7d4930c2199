"""Workstation A has the discharge checklist open while workstation B verifies the escort;
A's next save is refused in words, the checklist reloads with B's escort verification in
it, and what A typed stays in the fields (marked) to be saved again: nothing is wiped."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from ketamon.domain.actors import Actor
from ketamon.domain.discharge import Escort, Nausea
from ketamon.ui.dialogs.discharge import DischargeDialog
from tests.conftest import NURSE, open_clinic
from tests.ui.conftest import click, tile_of
from tests.ui.test_discharge_gui import _recovery, _show, _type

KIM = Actor("nurse.kim", "Kim Osei, RN")


@pytest.fixture(autouse=True)
def _paris(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_stale_checklist_reloads_keeps_what_was_typed_and_wipes_nothing(
    clinic, db_url, clock, make_window, qtbot, monkeypatch
) -> None:
    s = _recovery(clinic, clock)  # adds nurse.kim (Kim Osei, RN)
    other = open_clinic(db_url, clock)  # workstation B
    window = make_window(clinic)
    seen: dict[str, object] = {}

    def ask(cls, parent, title, handlers):
        d = DischargeDialog(parent, title, handlers)
        qtbot.addWidget(d)
        _show(qtbot, d)
        _type(qtbot, d.oriented, "Yes")  # saved at once

        clock.advance(minutes=1)  # 15:16 UTC: B verifies the escort in person
        b = other.discharge.state(s.id)
        verified = Escort("Luis Gonzalez", "Brother", "(212) 555-0143", True)
        other.discharge.save_answers(
            KIM, s.id, replace(b.answers, escort=verified), version=b.version
        )

        _type(qtbot, d.pain, "2")
        qtbot.keyClick(d.pain, Qt.Key.Key_Tab)  # leaving the field saves: refused
        seen["message"] = d.message.text()
        seen["pain"] = d.pain.text()
        seen["pain_kept"] = d.pain.property("kept")
        seen["escort"] = (d.escort_name.text(), d.escort_verified.isChecked())
        seen["stored_after_refusal"] = clinic.discharge.state(s.id).answers

        _type(qtbot, d.gait, "Yes")  # the next answer saves A's entries on top of B's
        seen["message_after"] = d.message.text()
        seen["pain_kept_after"] = d.pain.property("kept")
        return None  # closed

    monkeypatch.setattr(DischargeDialog, "ask", classmethod(ask))
    try:
        click(qtbot, tile_of(window, 0), "discharge")
    finally:
        other.close()

    assert seen["message"] == (
        "Not saved: The discharge checklist was changed by Kim Osei, RN at 16:16 CET on "
        "another workstation; it has been reloaded. Your entries are kept: check them and "
        "save again. Kept from your entries: Pain score."
    )
    assert seen["pain"] == "2" and seen["pain_kept"] is True
    assert seen["escort"] == ("Luis Gonzalez", True)
    refused = seen["stored_after_refusal"]
    assert refused.pain is None and refused.oriented is True  # A's first answer was saved
    assert refused.escort.present_verified and refused.escort.verified_by == "nurse.kim"
    assert seen["message_after"] == "" and seen["pain_kept_after"] is False

    stored = clinic.discharge.state(s.id).answers
    assert (stored.oriented, stored.steady_gait, stored.pain) == (True, True, 2)
    assert stored.escort.present_verified and stored.escort.verified_by == "nurse.kim"
    assert stored.escort.name == "Luis Gonzalez" and stored.nausea is not Nausea.SEVERE
    assert clinic.audit.verify() == []
    assert NURSE.username != KIM.username
