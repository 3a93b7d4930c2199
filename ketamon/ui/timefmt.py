"""Local time for display (stored times are UTC)."""

from __future__ import annotations

from datetime import datetime


def local_time(value: datetime, *, with_date: bool = False) -> str:
    local = value.astimezone()
    fmt = "%Y-%m-%d %H:%M:%S %Z" if with_date else "%H:%M:%S %Z"
    return local.strftime(fmt)
