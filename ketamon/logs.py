"""A rotating log file in the data folder. It never holds patient names, MRNs or passwords:
log lines name records by their numeric ids and staff by username only.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILENAME = "ketamon.log"
_configured: Path | None = None


def configure(folder: Path) -> Path | None:
    """Log to FOLDER/ketamon.log (1 MB x 5 files). Returns the path, or None if unwritable."""
    global _configured
    path = folder / LOG_FILENAME
    if _configured == path:
        return path
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        return None  # no log is better than no app
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("ketamon")
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    _configured = path
    return path
