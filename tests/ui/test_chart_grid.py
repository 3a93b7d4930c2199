"""The chart's grid lines sit at the ticks each axis shows, and follow a change of range."""

from __future__ import annotations

import pytest

from tests.conftest import NURSE
from tests.ui.test_session_window import infusing, open_window, vitals  # noqa: F401


def _axis_ticks(plot, side: str, low: float, high: float, pixels: float) -> list[float]:
    levels = plot.getAxis(side).tickValues(low, high, pixels)
    return sorted(v for _spacing, values in levels[:2] for v in values if low <= v <= high)


def test_grid_lines_are_at_the_axis_ticks_and_follow_the_range(qtbot, clinic, clock, infusing):  # noqa: F811
    window = open_window(qtbot, clinic, infusing)
    window.resize(1480, 960)
    window.show()
    qtbot.waitExposed(window)
    chart = window.chart
    plot = chart.plots["systolic"]
    box = plot.getViewBox()
    grid = chart.grids[box]

    def check() -> tuple[float, float]:
        (x0, x1), (y0, y1) = box.viewRange()
        assert sorted(grid.values(0)) == pytest.approx(
            _axis_ticks(plot, "left", y0, y1, box.height())
        )
        assert sorted(grid.values(90)) == pytest.approx(
            _axis_ticks(plot, "bottom", x0, x1, box.width())
        )
        return y1, x1

    top_before, right_before = check()
    assert len(grid.values(0)) >= 4  # a grid a nurse can read values against
    clock.advance(minutes=60)  # far right, and a systolic far above the old range
    clinic.vitals.record(NURSE, infusing.id, vitals(262, 120, 80))
    window.refresh()
    top_after, right_after = check()
    assert top_after > top_before and right_after > right_before
    assert max(grid.values(0)) > top_before  # lines where there were none
