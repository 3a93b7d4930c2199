"""The board's clock: the time of day in the local zone, from the injected clock, changing
when the minute does (no repaint in between)."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import NURSE


def test_the_board_shows_the_time_of_day_and_follows_the_clock(clinic, clock, make_window):
    window = make_window(clinic, NURSE)
    window.board.tick()
    now = clock().astimezone()
    assert window.clock_label.text() == f"{now:%H:%M} {now:%Z}".strip()
    clock.advance(timedelta(minutes=7))
    window.board.tick()
    later = clock().astimezone()
    assert window.clock_label.text() == f"{later:%H:%M} {later:%Z}".strip()
    assert window.clock_label.text() != f"{now:%H:%M} {now:%Z}".strip()
