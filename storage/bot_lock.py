"""One bot per SQLite file: ``copbot run`` holds an OS file lock beside the database for its whole life.

Why: SQLite has one writer at a time and no way for two bots to share slot claims and outbox rows
safely across machines; two bots on one file would fight over the write lock and, worse, each would
believe a ``sending`` delivery of the other had crashed. Only a second *bot* is refused: ``copbot report``,
``copbot db current`` and tests that open the database in the same process take no lock.

The lock is ``flock`` on ``<database>.lock`` (Windows: ``msvcrt.locking``): the kernel releases it when
the process ends, however it ends (SIGKILL, a crash, a power cut), so a stale lock file never blocks a
restart. The file holds the holder's pid and host, only to make the refusal message useful.
PostgreSQL needs no such lock: replicas coordinate through unique claims in the database.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from types import TracebackType
from typing import IO

from sqlalchemy.engine import make_url


class AnotherBotIsRunning(RuntimeError):
    """A second ``copbot run`` on the same SQLite file; the message says who holds it and what to do."""


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, or None (PostgreSQL, in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.database.startswith("file:"):
        return None  # URI filenames (shared-cache memory databases and the like): not a plain file
    return Path(parsed.database).expanduser().resolve()


class BotLock:
    """Held from ``acquire()`` until ``release()`` (or process exit). A no-op for non-file databases."""

    def __init__(self, url: str) -> None:
        db_file = sqlite_file(url)
        self.path: Path | None = db_file.with_name(db_file.name + ".lock") if db_file else None
        self._handle: IO[str] | None = None

    def acquire(self) -> BotLock:
        if self.path is None or self._handle is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115  (kept open: the lock lives with it)
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            database = self.path.with_suffix("")
            raise AnotherBotIsRunning(
                f"another copbot is already running on {database} ({holder}). SQLite serves one bot per "
                "database file: stop the other one first, or run several replicas on PostgreSQL "
                "(COPBOT_DATABASE_URL=postgresql+psycopg://..., see `copbot db migrate-sqlite-to-postgres`)"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            _unlock(self._handle)
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def __enter__(self) -> BotLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _try_lock(handle: IO[str]) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
