"""Colours for grades come from one place, ketamon.ui.palette: the chart and the tables use
its values, and the stylesheet names them as @tokens that the application fills in."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from PySide6.QtGui import QColor

from ketamon.domain.vitals import Grade
from ketamon.ui import palette, vitals_chart, vitals_table
from ketamon.ui.app import stylesheet
from ketamon.ui.dialogs import timeline

HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def _template() -> str:
    return resources.files("ketamon.resources").joinpath("ketamon.qss").read_text("utf-8")


def _rules(qss: str) -> list[tuple[str, str]]:
    """(selector, body) of every rule, comments dropped."""
    text = re.sub(r"/\*.*?\*/", "", qss, flags=re.S)
    return [(m[1].strip(), m[2]) for m in re.finditer(r"([^{}]+)\{([^{}]*)\}", text)]


def test_every_token_of_the_stylesheet_is_a_palette_colour_and_is_filled_in():
    used = set(palette.TOKEN.findall(_template()))
    assert used, "the stylesheet names no palette colour"
    assert used <= set(palette.QSS_TOKENS), used - set(palette.QSS_TOKENS)
    loaded = stylesheet()
    assert "@" not in loaded
    for token in used:
        assert palette.QSS_TOKENS[token] in loaded


def test_an_unknown_token_fails_loudly():
    with pytest.raises(KeyError):
        palette.render_qss("QLabel { color: @amber_fil; }")


def test_graded_and_checklist_rules_never_spell_a_colour_themselves():
    graded = [
        (selector, body)
        for selector, body in _rules(_template())
        if re.search(r'\[grade="(amber|red|normal)"\]|\[state=|missingFrame|\[refusal=', selector)
    ]
    assert len(graded) >= 15  # the tile, the popup's chips and frame, the checklist
    for selector, body in graded:
        spelled = [c for c in HEX.findall(body) if c.lower() != "#ffffff"]
        assert not spelled, f"{selector} spells {spelled}: name a palette colour (@token)"


def test_the_stylesheet_and_the_chart_draw_a_grade_from_the_same_values():
    loaded = stylesheet()
    for grade in (Grade.AMBER, Grade.RED):
        colours = palette.GRADES[grade]
        assert colours.fill in loaded and colours.border in loaded and colours.text in loaded
        assert vitals_chart.GRADE_COLOURS[grade] == colours.line
        assert vitals_table.GRADE_BACKGROUNDS[grade] == QColor(colours.table)
    assert timeline.SEVERITY_BACKGROUNDS["severe"] == QColor(palette.GRADES[Grade.RED].table)
    assert timeline.SEVERITY_BACKGROUNDS["moderate"] == QColor(palette.GRADES[Grade.AMBER].table)
    assert vitals_chart.SEVERE_MARKER[1] == palette.GRADES[Grade.RED].line


def test_no_module_of_the_ui_but_the_palette_spells_a_colour():
    import ketamon.ui

    root = resources.files(ketamon.ui)
    spelled = []
    for path in sorted(root.rglob("*.py")):  # type: ignore[attr-defined]
        if path.name != "palette.py" and HEX.search(path.read_text("utf-8")):
            spelled.append(path.name)
    assert spelled == []
