"""How a duration is written on the board, in the checklist and on paper."""

from __future__ import annotations

from datetime import timedelta


def format_duration(value: timedelta) -> str:
    """mm:ss with minutes unbounded ("62:05"), whole seconds, never negative."""
    seconds = max(0, int(value.total_seconds()))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"
