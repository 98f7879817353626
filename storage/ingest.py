"""Writes participation events in batches from one background writer, so the event loop never waits on disk.

Why a writer of its own: every reaction, reply and onboarding step becomes a ``participation_events`` row,
and platforms resend events (Slack up to three times, gateway replays), so the volume is bursty and full
of duplicates. A commit per event would cost ~100× more on SQLite and block the loop; instead rows are
buffered on the loop (a list append; well-formed rows are not even copied), and one worker thread
inserts them in batches with a Core ``INSERT ... ON CONFLICT (platform, event_id) DO NOTHING``, one
transaction per batch.

Error policy (a bad row must never take the bot down, nor its neighbours):

* duplicates (same ``(platform, event_id)`` already stored, or twice in one batch) are dropped silently
  and counted in ``duplicates`` — invariant 3, "every participation event is stored once";
* if a batch fails with a transient database error (``OperationalError``: locked, busy, I/O), the whole
  batch is retried with a growing backoff for up to 20 s (long enough for PostgreSQL to restart), in the
  worker thread;
* if it still fails, or fails for any other reason (a NULL ``member``, a missing key, a wrong type), the
  batch is retried row by row, one transaction per row: good rows are stored, each bad row is logged
  (platform, event id, error) and dropped, and counted in ``failed``. The writer keeps running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from bot import metrics
from storage.db import Database
from storage.models import ParticipationEvent

log = logging.getLogger(__name__)

#: The columns a submitted row carries (every ParticipationEvent column except the surrogate ``id``).
COLUMNS: tuple[str, ...] = ("community", "platform", "event_id", "member", "kind", "ritual", "subject", "at")
_DEFAULTS: dict[str, Any] = {"subject": ""}
_TRANSIENT_PATIENCE = 20.0  # seconds of retrying a batch on transient errors (a PostgreSQL restart, a lock)
_TRANSIENT_BACKOFF = 0.05  # seconds, doubled each retry ...
_TRANSIENT_BACKOFF_MAX = 1.0  # ... up to this
_CHUNK = 64  # rows per executemany call inside a batch's transaction (see _write_chunks)
_CHUNK_POSTGRES = 1000  # PostgreSQL: psycopg pipelines an executemany; the GIL is free while it waits

_TABLE: Table = ParticipationEvent.__table__  # type: ignore[attr-defined]

_COLUMN_SET = frozenset(COLUMNS)


def _insert_ignoring_duplicates(dialect_name: str) -> Insert:
    """``INSERT ... ON CONFLICT (platform, event_id) DO NOTHING`` in the dialect's own words."""
    if dialect_name == "sqlite":
        return sqlite.insert(_TABLE).on_conflict_do_nothing(index_elements=["platform", "event_id"])
    if dialect_name == "postgresql":
        return postgresql.insert(_TABLE).on_conflict_do_nothing(index_elements=["platform", "event_id"])
    raise NotImplementedError(f"participation ingest supports sqlite and postgresql, not {dialect_name}")


def _postgres_sql() -> str:
    """The same insert as plain SQL for psycopg's own executemany (see ``_BatchWriter.__init__``)."""
    columns = ", ".join(COLUMNS)
    values = ", ".join(f"%({name})s" for name in COLUMNS)
    return f"INSERT INTO {_TABLE.name} ({columns}) VALUES ({values}) ON CONFLICT (platform, event_id) DO NOTHING"


def _brief(exc: BaseException) -> str:
    """The driver's message without SQLAlchemy's SQL-and-parameters dump (which would log a whole batch)."""
    orig = getattr(exc, "orig", None)
    return f"{type(orig or exc).__name__}: {orig or exc}".splitlines()[0]


class _BatchWriter:
    """The synchronous half: ``prepare`` runs where rows are submitted, ``write`` in the worker thread."""

    def __init__(self, db: Database) -> None:
        self.db = db
        dialect = db.engine.dialect
        self.sqlite = dialect.name == "sqlite"
        self.stmt = _insert_ignoring_duplicates(dialect.name)
        # PostgreSQL: SQLAlchemy's executemany of this statement reports rowcount -1 (so stored counts were 0),
        # and with RETURNING it becomes giant multi-VALUES statements whose parameter parsing in psycopg
        # cost 3x Core's time. Plain SQL through psycopg's executemany (pipelined, prepared once) is as fast
        # as Core and its rowcount is the number of rows really inserted.
        self.postgres_sql = _postgres_sql() if dialect.name == "postgresql" else None
        self.chunk = _CHUNK if self.postgres_sql is None else _CHUNK_POSTGRES
        # Other drivers that cannot count the rows of an executemany: count what RETURNING gives back.
        self.use_returning = self.postgres_sql is None and not dialect.supports_sane_multi_rowcount
        if self.use_returning:
            self.stmt = self.stmt.returning(_TABLE.c.id)

    def prepare(self, row: Mapping[str, Any]) -> Mapping[str, Any]:
        """Exactly the insert's keys (executemany needs the same keys on every row), ``at`` in UTC.

        Cheap on purpose, since it runs on the event loop for every event: a row that already has exactly
        the columns and an ``at`` in UTC (or naive, on SQLite) is used as it is, not copied, so callers
        must not change a row after submitting it. Otherwise missing keys become NULL (the database then
        refuses the row, which is logged and dropped), and an aware ``at`` is converted to UTC: SQLite
        would keep its wall-clock digits and drop the offset. A naive ``at`` is taken to be UTC.
        """
        at = row.get("at")
        if row.keys() == _COLUMN_SET and isinstance(at, datetime):
            tz = at.tzinfo
            if tz is UTC or (tz is None and self.sqlite):
                return row
        out = {name: row.get(name, _DEFAULTS.get(name)) for name in COLUMNS}
        if isinstance(at, datetime):
            if at.tzinfo is None:
                out["at"] = at if self.sqlite else at.replace(tzinfo=UTC)
            elif at.utcoffset():
                out["at"] = at.astimezone(UTC)
        elif not self.sqlite:
            # PostgreSQL would parse text such as "yesterday" into a time; a non-datetime is a bad row on both
            # backends (SQLite's type refuses it), so it becomes NULL here and is refused, logged and dropped.
            out["at"] = None
        return out

    def write(self, rows: list[Mapping[str, Any]]) -> tuple[int, int, int]:
        """Store one batch of prepared rows in one transaction; returns (stored, duplicates, failed)."""
        delay = _TRANSIENT_BACKOFF
        give_up = time.monotonic() + _TRANSIENT_PATIENCE  # a retry budget, not a clock reading for logic
        attempt = 0
        while True:
            attempt += 1
            try:
                with self.db.engine.begin() as conn:
                    stored = self._write_chunks(conn, rows)
                return stored, len(rows) - stored, 0
            except OperationalError as exc:
                # Transient: SQLite busy, or PostgreSQL restarting (the pool reconnects on the next try).
                if time.monotonic() + delay > give_up:
                    log.warning(
                        "participation batch of %d failed %d times (%s); retrying row by row",
                        len(rows),
                        attempt,
                        _brief(exc),
                    )
                    break
                time.sleep(delay)
                delay = min(delay * 2, _TRANSIENT_BACKOFF_MAX)
            except Exception as exc:
                log.warning("participation batch of %d failed (%s); retrying row by row", len(rows), _brief(exc))
                break
        return self._write_row_by_row(rows)

    def _write_chunks(self, conn: Connection, rows: list[Mapping[str, Any]]) -> int:
        """Insert in small executemany calls, de-duplicating within the batch as it goes.

        Why chunks: SQLAlchemy's per-row parameter work holds the GIL for the whole list it is given;
        short lists keep each hold well under a millisecond, between sqlite3's GIL-free steps, so the
        event loop never waits long for the GIL while a big batch is written.
        """
        stored = 0
        seen: set[tuple[Any, Any]] = set()
        add = seen.add
        size = self.chunk
        for start in range(0, len(rows), size):
            chunk: list[Mapping[str, Any]] = []
            for row in rows[start : start + size]:
                key = (row["platform"], row["event_id"])
                if key not in seen:
                    add(key)
                    chunk.append(row)
            if chunk:
                stored += self._execute(conn, chunk)
        return stored

    def _execute(self, conn: Connection, batch: list[Mapping[str, Any]]) -> int:
        if self.postgres_sql is not None:
            return max(conn.exec_driver_sql(self.postgres_sql, batch).rowcount, 0)  # type: ignore[arg-type]
        result = conn.execute(self.stmt, batch)
        if self.use_returning:
            return len(result.all())
        return max(result.rowcount, 0)

    def _write_row_by_row(self, rows: list[Mapping[str, Any]]) -> tuple[int, int, int]:
        """The slow path after a failed batch: each row alone, so one bad row costs only itself."""
        stored = failed = 0
        for row in rows:
            try:
                with self.db.engine.begin() as conn:
                    stored += self._execute(conn, [row])
            except Exception as exc:
                failed += 1
                log.error(
                    "dropped participation event %s/%s: %s", row.get("platform"), row.get("event_id"), _brief(exc)
                )
        return stored, len(rows) - stored - failed, failed


def store_events(db: Database, rows: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """Store rows now, in the caller's thread, in one transaction; returns (stored, duplicates).

    For callers outside the event loop (imports, simulations, tests). Same de-duplication and error
    policy as ``ParticipationWriter``; rows dropped as bad are in neither count (they are logged).
    """
    writer = _BatchWriter(db)
    stored, duplicates, _failed = writer.write([writer.prepare(row) for row in rows])
    return stored, duplicates


class ParticipationWriter:
    """The one writer of participation events: ``submit`` on the loop, batched inserts in a worker thread.

    ``batch_size`` caps rows per transaction. Each SQLite commit rewrites the index pages the batch
    touched, so small transactions cost throughput: writing the bench's 100,000 events (bench/ingest.py)
    in the worker alone took ~1.4× as long at 500 rows per commit as at 2,000, and 2,000 was within 5%
    of one transaction for everything; hence the default of 2,000. A big batch does not hold the GIL
    longer at a stretch, because it is executed in chunks of ``_CHUNK`` rows.
    ``max_delay`` is how long a partial batch may wait for company before it is written anyway (the
    latency of a lone event under light load). ``max_pending`` bounds the buffer for ``await submit``
    (back-pressure, default 10 batches); ``submit_nowait`` never blocks.
    """

    def __init__(
        self, db: Database, batch_size: int = 2000, max_delay: float = 0.05, max_pending: int | None = None
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.db = db
        self.batch_size = batch_size
        self.max_delay = max_delay
        self.max_pending = max_pending if max_pending is not None else batch_size * 10
        self.stored = 0
        self.duplicates = 0
        self.failed = 0
        self.batches = 0
        self._writer = _BatchWriter(db)
        self._pending: list[Mapping[str, Any]] = []
        self._oldest = 0.0  # loop time the oldest pending row arrived
        self._submitted = 0
        self._done = 0
        self._flushes: list[tuple[int, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._space = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._closing = False
        self._error: BaseException | None = None

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background writer on the running loop (call once, from a coroutine)."""
        if self._task is not None:
            raise RuntimeError("ParticipationWriter already started")
        loop = asyncio.get_running_loop()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copbot-ingest")
        self._task = loop.create_task(self._run(), name="copbot-participation-writer")

    async def stop(self) -> None:
        """Write everything submitted so far, then end the writer and its thread."""
        if self._task is None:
            return
        with contextlib.suppress(Exception):
            await self.flush()
        self._closing = True
        self._wake.set()
        try:
            await self._task
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
            self._executor = None

    @property
    def alive(self) -> bool:
        """Started and still writing (False before start, after stop, or once an unexpected error ended it)."""
        return self._task is not None and not self._task.done()

    @property
    def pending(self) -> int:
        """Rows submitted but not yet written (or dropped)."""
        return self._submitted - self._done

    # --- submitting -------------------------------------------------------------------------------

    def submit_nowait(self, row: Mapping[str, Any]) -> None:
        """Queue one row (keys: ``COLUMNS``) from sync code on the loop; never blocks, never raises on load."""
        if self._closing:
            raise RuntimeError("ParticipationWriter is stopped")
        pending = self._pending
        if not pending:
            self._oldest = asyncio.get_running_loop().time() if self._task is not None else time.monotonic()
        pending.append(self._writer.prepare(row))
        self._submitted += 1
        if len(pending) >= self.batch_size or len(pending) == 1:
            self._wake.set()

    async def submit(self, row: Mapping[str, Any]) -> None:
        """Queue one row; waits only while ``max_pending`` rows are already waiting (back-pressure)."""
        while len(self._pending) >= self.max_pending and self._task is not None and not self._task.done():
            self._space.clear()
            await self._space.wait()
        self.submit_nowait(row)

    async def flush(self) -> None:
        """Return once every row submitted before this call is committed (or counted as dropped)."""
        if self._error is not None:
            raise RuntimeError("participation writer failed") from self._error
        target = self._submitted
        if self._done >= target:
            return
        if self._task is None or self._task.done():
            raise RuntimeError("ParticipationWriter is not running; call start() first")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._flushes.append((target, future))
        self._wake.set()
        await future

    # --- the writer -------------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                if not self._pending:
                    if self._closing:
                        return
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                urgent = self._closing or bool(self._flushes) or len(self._pending) >= self.batch_size
                wait = self._oldest + self.max_delay - loop.time()
                if not urgent and wait > 0:
                    # A partial batch: give it up to max_delay to fill, unless woken by a full batch or a flush.
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), wait)
                    continue
                batch = self._pending[: self.batch_size]
                del self._pending[: self.batch_size]
                # _oldest stays as it was: the rows left over arrived after it, so they are never kept late.
                self._space.set()
                stored, dups, failed = await loop.run_in_executor(self._executor, self._writer.write, batch)
                self.stored += stored
                self.duplicates += dups
                self.failed += failed
                self.batches += 1
                metrics.participation_written(stored, dups, failed)
                self._done += len(batch)
                self._resolve_flushes()
        except BaseException as exc:
            self._error = exc
            for _target, future in self._flushes:
                if not future.done():
                    future.set_exception(RuntimeError("participation writer failed"))
            self._flushes.clear()
            self._space.set()
            if not isinstance(exc, asyncio.CancelledError):
                log.exception("participation writer stopped")
            raise

    def _resolve_flushes(self) -> None:
        if not self._flushes:
            return
        done = self._done
        still: list[tuple[int, asyncio.Future[None]]] = []
        for target, future in self._flushes:
            if target <= done:
                if not future.done():
                    future.set_result(None)
            else:
                still.append((target, future))
        self._flushes = still
