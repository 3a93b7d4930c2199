"""A signed session opens read-only, with the signature manifestation and its addenda."""

from __future__ import annotations

from ketamon.domain.actors import Actor
from ketamon.ui.session_window import SessionWindow
from tests.conftest import NURSE, PASSWORD, add_user
from tests.reports.conftest import discharged_session


def test_a_signed_session_window_shows_the_signature_and_offers_no_changes(
    clinic, clock, qtbot, qapp
):
    s = discharged_session(clinic, clock, sets=6)
    add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)
    doc = Actor("dr.patel", "Priya Patel, MD")
    window = SessionWindow.show_for(None, clinic, NURSE, s.id)
    assert window.buttons["Record vitals…"].isEnabled()
    assert window.signature_label.isHidden()
    clinic.review.sign(doc, s.id, PASSWORD, "Reviewed", reviewed=clinic.review.record_digest(s.id))
    clinic.review.add_addendum(
        NURSE, s.id, "Patient phoned: home safely", "Follow-up call", PASSWORD
    )
    window.refresh(full=True)
    text = window.signature_label.text()
    assert "Electronically signed by Priya Patel, MD — Reviewed — " in text
    assert "Addendum after signing" in text and "Patient phoned: home safely" in text
    assert not window.buttons["Record vitals…"].isEnabled()
    assert not window.buttons["Side effects…"].isEnabled()
    window.table.selectRow(0)
    assert not window.buttons["Correct…"].isEnabled()
    assert not window.buttons["Void…"].isEnabled()
    assert not window.interventions.buttons["Dose record…"].isEnabled()
    assert not window.interventions.buttons["Give medication…"].isEnabled()
    window.tabs.setCurrentWidget(window.record_view)  # the whole record, read-only
    record = window.record_view.toPlainText()
    assert window.record_view.isReadOnly()
    for needle in (
        "Discharge checklist",
        "PADSS 10/10",
        "Luis Gonzalez",
        "LOT-4411",
        "Electronically signed by Priya Patel, MD",
        "Patient phoned: home safely",
    ):
        assert needle in record, needle
    window.close()
