"""A schema upgrade's progress, in words (issue 19: an upgrade of a clinic's years of
records can take many seconds at start-up, and must not look like a hang).

Storage reports an `UpgradeStep` as each migration begins; the sign-in window shows
`words` with a bar of `number` out of `total`. Plain Python: the first window imports
this without SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class UpgradeStep:
    number: int  # 1-based: the step now running
    total: int
    revision: str
    title: str  # what the step does, from its migration ("record versions")
    creating: bool = False  # a new, empty database: its schema is being created

    @property
    def words(self) -> str:
        verb = "Creating" if self.creating else "Upgrading"
        return f"{verb} the clinic's database, step {self.number} of {self.total}: {self.title}"


UpgradeProgress = Callable[[UpgradeStep], None]


def step_title(doc: str | None) -> str:
    """A migration's docstring shortened to what it does: its first clause ("vitals:
    supplemental oxygen when the set was taken", "record versions")."""
    text = (doc or "").strip()
    first = text.splitlines()[0] if text else ""
    first = first.replace("`", "").split(";", 1)[0].split(" (", 1)[0]
    head, colon, rest = first.partition(":")
    first = f"{head}:{rest}" if colon and " " not in head.strip() else head
    first = first.strip().rstrip(",.")
    if len(first) <= 60:
        return first
    return first[:60].rsplit(" ", 1)[0].rstrip(",") + "…"
