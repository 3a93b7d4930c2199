"""Which files are the clinic's SQLite files, for the UI's file dialogs, which must never
open one (see ketamon.storage.locks and ketamon.ui.file_dialogs). Only stat() is used.

The UI does not import storage; this is its window onto the names and open files."""

from ketamon.storage.database import SQLITE_NAME, is_database_file, open_database_inodes

__all__ = ["SQLITE_NAME", "is_database_file", "open_database_inodes"]
