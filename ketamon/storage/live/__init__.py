"""News of changes committed by other processes on the same database (live refresh).

Every board, session window and review list follows the changes committed at its own
workstation through the ChangeChannel. A `Feed` brings those committed anywhere else on the
same database into it, within about a second: PostgreSQL tells every listener itself
(ketamon.storage.live.postgres), SQLite is asked once a second whether another connection
committed (ketamon.storage.live.sqlite). A feed runs on its own thread (no Qt here): it
hands each Change to `deliver`, from that thread; the caller moves it where it belongs.
"""

from __future__ import annotations

from ketamon.storage.database import Database
from ketamon.storage.live.base import Deliver, Feed
from ketamon.storage.live.postgres import PostgresFeed
from ketamon.storage.live.sqlite import SqliteFeed

__all__ = ["Deliver", "Feed", "PostgresFeed", "SqliteFeed", "feed_for"]


def feed_for(db: Database) -> Feed:
    """The feed for this database; it starts to tell the others of this process's changes
    now (PostgreSQL: a NOTIFY in each committing transaction), and to listen on start()."""
    if db.is_sqlite:
        return SqliteFeed(db)
    return PostgresFeed(db)
