"""A reading's grade: normal, AMBER or RED. A module of its own so that the first window
(ui.palette's colours, before the sign-in) does not import the vitals rules with it
(issue 19: ketamon.domain.vitals alone was 11 ms of the first window's 60 over a bare
one). ketamon.domain.vitals re-exports it."""

from __future__ import annotations

from enum import IntEnum


class Grade(IntEnum):
    NORMAL = 0
    AMBER = 1
    RED = 2

    @property
    def label(self) -> str:
        return ("normal", "AMBER", "RED")[self]
