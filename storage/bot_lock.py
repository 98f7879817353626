"""One bot per SQLite file: ``copbot run`` holds an OS file lock beside the database for its whole life.

Why: SQLite has one writer at a time and no way for two bots to share slot claims and outbox rows
safely across machines; two bots on one file would fight over the write lock and, worse, each would
believe a ``sending`` delivery of the other had crashed. Only a second *bot* is refused: ``copbot report``,
``copbot db current`` and tests that open the database in the same process take no lock.

The lock is on the database file's identity, not on its name: ``flock`` on the file itself, so a hard link,
a symlink, a ``file:`` URI or a relative path to the same file all meet the same lock (each name would get
its own ``-wal`` file from SQLite, which is how two bots on one file corrupt it). ``flock`` and SQLite's own
``fcntl`` byte-range locks are separate kinds of lock on Linux and macOS, so they do not get in each other's
way. The kernel releases the lock when the process ends, however it ends (SIGKILL, a crash, a power cut), so
nothing stale ever blocks a restart. ``<database>.lock`` beside the name used holds the holder's pid and host,
only to make the refusal message useful. (Windows has no ``flock``: there ``msvcrt.locking`` on that
``.lock`` file, by name, as before.)

Release only after the database is closed: closing any descriptor of a file drops the process's ``fcntl``
locks on it, SQLite's included (SQLite's "how to corrupt" page, section 2.2).
PostgreSQL needs no such lock: replicas coordinate through unique claims in the database.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import make_url


class AnotherBotIsRunning(RuntimeError):
    """A second ``copbot run`` on the same SQLite file; the message says who holds it and what to do."""


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, or None (PostgreSQL, in-memory SQLite).

    A URI filename (``sqlite:///file:/srv/copbot.db?mode=rwc&uri=true``) names a file too, unless it is an
    in-memory database (``file::memory:``, ``mode=memory``).
    """
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    if name.startswith("file:"):
        uri = urlsplit(name)
        path = unquote(uri.path)
        if parsed.query.get("mode") == "memory" or "mode=memory" in uri.query or path in ("", ":memory:"):
            return None
        name = path
    return Path(name).expanduser().resolve()


class BotLock:
    """Held from ``acquire()`` until ``release()`` (or process exit). A no-op for non-file databases."""

    def __init__(self, url: str) -> None:
        self.database = sqlite_file(url)
        self.path: Path | None = self.database.with_name(self.database.name + ".lock") if self.database else None
        self._fd: int | None = None

    def acquire(self) -> BotLock:
        if self.database is None or self.path is None or self._fd is not None:
            return self
        self.database.parent.mkdir(parents=True, exist_ok=True)
        target = self.path if os.name == "nt" else self.database  # pragma: no branch
        fd = _open(target)  # kept open: the lock lives with it
        if not _try_lock(fd):
            os.close(fd)
            raise AnotherBotIsRunning(
                f"another copbot is already running on {self.database} ({self._holder()}). SQLite serves one bot "
                "per database file, whatever name or link it is reached by: stop the other one first, or run "
                "several replicas on PostgreSQL (COPBOT_DATABASE_URL=postgresql+psycopg://..., see "
                "`copbot db migrate-sqlite-to-postgres`)"
            )
        self._fd = fd
        self._note(f"pid {os.getpid()} on {socket.gethostname()}")
        return self

    def _note(self, text: str) -> None:
        with contextlib.suppress(OSError):  # only the refusal message of a second bot would miss it
            if self.path is not None:
                self.path.write_text(text, encoding="utf-8")

    def _holder(self) -> str:
        """Who holds the lock, as its ``.lock`` note says (a bot started under another name leaves it elsewhere)."""
        try:
            note = self.path.read_text(encoding="utf-8").strip() if self.path is not None else ""
        except OSError:
            note = ""
        return note or "another process, perhaps started under another name or link for this file"

    def release(self) -> None:
        """Let go (close the database first: see the module docstring)."""
        if self._fd is not None:
            self._note("")  # a clean stop leaves no note that could name the wrong holder later
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> BotLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _open(path: Path) -> int:
    """A descriptor on ``path`` (created empty if missing: SQLite takes an empty file as a new database)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        return os.open(path, os.O_RDONLY)  # a lock needs no write access (the bot will say what it cannot do)


def _try_lock(fd: int) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)
