"""A SQLite database whose disk fills up and frees again, for tests of what the bot does when writes fail.

The failures are SQLite's own: ``PRAGMA max_page_count`` caps the file at its current size, so the next write
that needs a new page gets SQLITE_FULL ("database or disk is full") from the driver, exactly what a full disk
gives. The cap is set on every connection as the pool hands it out, so it reaches the writer's thread too.
``fail_commits`` makes COMMIT itself fail the same way (a full disk met while the WAL is written), which the
page cap cannot reach: the write succeeded, the commit does not.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event

from storage.db import Database

UNLIMITED = 1_073_741_823  # SQLite's own default max_page_count


class FullDisk:
    """Fill and free the disk under one SQLite ``Database`` (installs pool listeners on its engine)."""

    def __init__(self, db: Database) -> None:
        if db.engine.dialect.name != "sqlite":
            raise ValueError("FullDisk works on SQLite only")
        self.db = db
        self.max_pages = UNLIMITED
        self.commits_fail = False
        event.listen(db.engine, "checkout", self._cap)
        event.listen(db.engine, "commit", self._commit)

    def _cap(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={self.max_pages}")

    def _commit(self, _conn: Any) -> None:
        if self.commits_fail:
            raise sqlite3.OperationalError("database or disk is full")

    def pages(self) -> int:
        with self.db.engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())

    def fill(self) -> None:
        """No room for one more page: inserts that need space fail from now on."""
        self.max_pages = self.pages()

    def fail_commits(self) -> None:
        self.commits_fail = True

    def free(self) -> None:
        """Space is back."""
        self.max_pages = UNLIMITED
        self.commits_fail = False
