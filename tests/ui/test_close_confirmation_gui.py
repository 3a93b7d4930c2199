"""Alt+F4 or the window's close button while chairs are in session asks first, saying the
timers keep their state; the safe answer (Enter, Esc) keeps KetaMon open. With no one in a
chair, or when KetaMon closes itself (sign-out, shutdown), nothing is asked."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent

from ketamon.ui.dialogs.messages import Confirm
from tests.conftest import NURSE, draft


class WindowManagerClose(QCloseEvent):
    """A close the window manager sent (Alt+F4, the title bar's button)."""

    def spontaneous(self) -> bool:
        return True


def asked(monkeypatch, answer: bool) -> list[str]:
    texts: list[str] = []

    def ask(cls, parent, title, text, yes):
        texts.append(f"{title}|{text}|{yes}")
        return answer

    monkeypatch.setattr(Confirm, "ask", classmethod(ask))
    return texts


def test_closing_with_chairs_in_session_asks_and_going_back_keeps_it_open(
    qtbot, clinic, make_window, monkeypatch
) -> None:
    patient = clinic.patients.register(NURSE, draft())
    clinic.sessions.check_in(NURSE, clinic.chairs.all()[0].id, patient.id, 40)
    window = make_window(clinic)
    texts = asked(monkeypatch, False)
    event = WindowManagerClose()
    window.closeEvent(event)
    assert not event.isAccepted() and window.isVisible() and not window.signed_out
    (text,) = texts
    assert text.startswith("Close KetaMon?|1 chair is in session. Closing loses nothing")
    assert "the timers keep running from the recorded times" in text
    texts = asked(monkeypatch, True)
    event = WindowManagerClose()
    window.closeEvent(event)
    assert event.isAccepted() and window.signed_out and len(texts) == 1


def test_with_no_one_in_a_chair_or_when_closed_by_the_app_nothing_is_asked(
    qtbot, clinic, make_window, monkeypatch
) -> None:
    texts = asked(monkeypatch, False)
    window = make_window(clinic)
    event = WindowManagerClose()
    window.closeEvent(event)
    assert event.isAccepted() and texts == []
    patient = clinic.patients.register(NURSE, draft("MRN-2", "Bea Busy"))
    clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40)
    other = make_window(clinic)
    other.close()  # programmatic: the app's own shutdown or a sign-out
    assert texts == [] and not other.isVisible()
