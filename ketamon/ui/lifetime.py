"""Whether a widget's C++ side still exists (a closed dialog is deleted with deleteLater;
its Python wrapper can outlive it)."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QWidget


def alive(widget: QWidget) -> bool:
    return shiboken6.isValid(widget)
