"""Work around a reference-count bug in PySide6 6.12.0 on CPython before 3.12.

Every `Signal.emit()` made from Python drops one reference to `True` (and some paths drop
`None`) that it never took. On CPython 3.11 those objects are not immortal, so after a few
thousand emits their count reaches zero and the interpreter aborts ("Fatal Python error:
bool_dealloc"). pyqtgraph emits on every setData and range change, and the board emits
once a second, so a long-running clinic workstation would crash.

`protect_singletons()` raises the counts of True, False and None by 2**40 once: far more
than any process can lose. It does nothing on CPython 3.12+ (immortal objects) or when
PySide6 is another version. Remove it once the pinned PySide6 no longer has the bug
(check with tests/ui/test_session_window.py::test_signal_emits_do_not_drain_true).
"""

from __future__ import annotations

import ctypes
import sys

import PySide6

AFFECTED = ("6.12.0",)
_BUMP = 2**40
_done = False


def needed() -> bool:
    return sys.version_info < (3, 12) and PySide6.__version__ in AFFECTED


def protect_singletons() -> bool:
    """Apply once (idempotent). True when applied now or before."""
    global _done
    if _done or not needed():
        return _done
    for obj in (True, False, None):
        ctypes.c_ssize_t.from_address(id(obj)).value += _BUMP
    _done = True
    return True
