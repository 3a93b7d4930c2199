"""The error the UI catches for a database fault is plain Python (issue 19: a window can be
shown before SQLAlchemy is imported); storage raises that same class."""

from __future__ import annotations

import subprocess
import sys

from ketamon.domain.errors import StorageError


def test_storage_error_imports_without_sqlalchemy():
    code = (
        "import sys\n"
        "from ketamon.domain.errors import DomainError, FieldError, StorageError\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic'))\n"
        "assert not loaded, loaded\n"
        "print(StorageError('clinic.sqlite3', 'disk I/O error'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Database clinic.sqlite3: disk I/O error"


def test_storage_raises_the_same_class_it_re_exports():
    from ketamon.storage import database

    assert database.StorageError is StorageError
    error = StorageError("clinic.sqlite3", "locked")
    assert (error.location, error.reason) == ("clinic.sqlite3", "locked")
