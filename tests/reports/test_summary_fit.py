"""The summary's vitals table keeps words whole on paper: "baseline" and "184/106" are never
broken inside (the columns have their shares of the page), on A4 and on Letter."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC

import pypdf
import pytest

from ketamon.domain.vitals import Grade
from ketamon.reports.pdf import write_pdf
from ketamon.reports.summary_html import build_html


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_phase_and_bp_are_never_broken_inside(clinic, clock, finished, tmp_path, qapp, paper):
    summary = clinic.summary.snapshot(finished.id, tz=UTC)
    first = summary.vitals[1]
    red = replace(
        first,
        values=replace(first.values, systolic=184, diastolic=106, heart_rate=124),
        grades={"systolic": Grade.RED, "heart_rate": Grade.AMBER},
    )
    path = tmp_path / "summary.pdf"
    write_pdf(replace(summary, vitals=(summary.vitals[0], red, *summary.vitals[2:])), path, paper)
    words = " ".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages).split()
    assert "baseline" in words and "184/106" in words
    assert "RED" in words and "amber" in words
    assert not any(w in words for w in ("baselin", "184/10", "ambe"))


def test_the_vitals_table_gives_each_column_its_share(clinic, clock, finished):
    html = build_html(clinic.summary.snapshot(finished.id, tz=UTC))
    vitals = html[html.index(">Phase<") - 200 :]
    assert 'width="11%">Phase</th>' in vitals and 'width="21%">By</th>' in vitals
    assert html.count("<td>baseline</td>") == 1
