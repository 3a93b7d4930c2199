"""A row of action buttons, each with its tooltip, added to a layout and kept by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QBoxLayout, QPushButton

ButtonSpec = tuple[str, str, Callable[[], object]]  # (text, tooltip, what a click does)


def add_buttons(
    layout: QBoxLayout,
    specs: Iterable[ButtonSpec],
    into: dict[str, QPushButton],
    *,
    min_height: int = 0,
) -> None:
    """One QPushButton per (text, tooltip, slot), added to `layout` and to `into[text]`."""
    for text, tip, slot in specs:
        button = QPushButton(text)
        button.setToolTip(tip)
        if min_height:
            button.setMinimumHeight(min_height)
        button.clicked.connect(slot)
        into[text] = button
        layout.addWidget(button)
