"""The README's table of CSV columns is the export's own header, file by file (no drift)."""

from __future__ import annotations

from pathlib import Path

from ketamon.domain.exports import CSV_FILES
from ketamon.services.exports import header

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_lists_every_exported_column() -> None:
    text = README.read_text(encoding="utf-8")
    for kind, table in CSV_FILES:
        assert f"| `{kind}.csv` | " + ", ".join(header(table)) + " |" in text, kind
