"""Stores participation events in batches from one background writer, so the event loop never waits on disk.

Why: every reaction, reply and post becomes a row, platforms resend events (Slack up to three times, gateway
replays), and a commit per event costs ~100x a batch on SQLite. Rows are buffered on the loop and one worker
thread inserts them with ``INSERT ... ON CONFLICT (platform, event_id) DO NOTHING``, one transaction per batch,
through the driver's own executemany. Duplicates are dropped and counted (invariant 3).

Two kinds of failure, two policies. A row the database refuses (a NOT NULL or type violation: ``IntegrityError``,
``DataError``...) is the row's fault: the batch is retried row by row, so a bad row costs only itself, and it is
logged and dropped. A database that cannot be written at all (disk full, read-only, locked, unreachable: every
other driver error) is nobody's row's fault: nothing is dropped. The writer keeps the rows in memory, up to
``max_backlog`` (default ``MAX_BACKLOG``), retries with backoff up to ``RETRY_MAX_SECONDS`` apart, says what is
wrong in :attr:`ParticipationWriter.problem` (``/healthz`` turns red on it) and catches up by itself once a write
succeeds again. Rows beyond the bound are counted (``overflowed``) and logged, never silently lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError

from storage.db import Database
from storage.models import ParticipationEvent

log = logging.getLogger(__name__)

#: The columns a submitted row carries (every ParticipationEvent column except the surrogate ``id``).
COLUMNS: tuple[str, ...] = ("community", "platform", "event_id", "member", "kind", "ritual", "subject", "at")
_DEFAULTS: dict[str, Any] = {"subject": ""}
_TRANSIENT_PATIENCE = 20.0  # seconds ``store_events`` retries a batch the database cannot take (a restart, a lock)
_WRITER_PATIENCE = 1.0  # the same inside the writer's thread, before the batch goes back to the backlog
_TRANSIENT_BACKOFF = 0.05  # seconds, doubled each retry ...
_TRANSIENT_BACKOFF_MAX = 1.0  # ... up to this (inside one attempt)
RETRY_MAX_SECONDS = 10.0
"""The longest the writer waits between two attempts while the database cannot be written: the longest an event
waits to be stored after space (or the server) comes back, beyond the time to write the backlog itself."""
MAX_BACKLOG = 100_000
"""Rows kept in memory at most while the database cannot be written (about 3 hours of Slack's Events API cap of
30,000 events an hour; ~0.5 KB each, so ~50 MB at most). Rows arriving beyond it are counted and logged."""
_CHUNK_POSTGRES = 1000  # PostgreSQL: rows per psycopg executemany (pipelined; the GIL is free while it waits)

_TABLE: Table = ParticipationEvent.__table__  # type: ignore[attr-defined]

_COLUMN_SET = frozenset(COLUMNS)
_PLAIN_COLUMNS = COLUMNS[:-1]  # all but ``at``, which SQLite needs as text
assert COLUMNS[-1] == "at"
_plain_values = itemgetter(*_PLAIN_COLUMNS)
_PLATFORM, _EVENT_ID = COLUMNS.index("platform"), COLUMNS.index("event_id")

#: A row as queued for the worker: on SQLite a tuple in ``COLUMNS`` order (``at`` as text), else a mapping.
Row = Mapping[str, Any] | tuple[Any, ...]


def _postgres_sql() -> str:
    """The same insert as plain SQL for psycopg's own executemany (see ``_BatchWriter.__init__``)."""
    columns = ", ".join(COLUMNS)
    values = ", ".join(f"%({name})s" for name in COLUMNS)
    return f"INSERT INTO {_TABLE.name} ({columns}) VALUES ({values}) ON CONFLICT (platform, event_id) DO NOTHING"


def _sqlite_sql() -> str:
    """The same insert as plain SQL for sqlite3's own executemany, positional (rows are tuples)."""
    columns = ", ".join(COLUMNS)
    values = ", ".join("?" for _ in COLUMNS)
    return f"INSERT INTO {_TABLE.name} ({columns}) VALUES ({values}) ON CONFLICT (platform, event_id) DO NOTHING"


def _iso_text(at: datetime) -> str:
    """``at``'s wall-clock digits as 'YYYY-MM-DD HH:MM:SS.ffffff', any UTC offset left out.

    SQLAlchemy's own format string for SQLite, applied to the fields directly. It runs on the loop for
    every event: 1.1-1.8 µs on the bench machine, against 1.9-2.7 µs for ``isoformat(" ", "microseconds")``
    and 2.7-3.4 µs for the same as an f-string (hence the % format).
    """
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031  (faster than format specifiers, above)
        at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond
    )


def _sqlite_time_text(dialect: Dialect) -> Callable[[Any], str | None]:
    """A function turning an ``at`` into exactly the text SQLAlchemy's SQLite DateTime stores, or None.

    SQLite has no time type: SQLAlchemy stores text, and range queries compare that text, so ours must
    be identical to what the ORM writes. The type's own bind processor is the reference; ``_iso_text``
    does the same for a plain ``datetime`` in a third of the time, and is used only if it agrees with
    the processor on probes (it would not if the column's storage format were ever customised).
    An aware time is converted to UTC first (SQLite would keep its digits and lose the offset); a naive
    one is taken to be UTC. Something that is not a time becomes None, which the NOT NULL column
    refuses when the batch is written, so the row is logged and dropped (as on PostgreSQL).
    """
    processor = _TABLE.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:  # SQLAlchemy's SQLite DateTime always has one
        raise RuntimeError("SQLite DateTime without a bind processor")
    probes = (datetime(1, 2, 3, 4, 5, 6), datetime(2026, 11, 23, 1, 2, 3, 7))
    fast = all(processor(probe) == _iso_text(probe) for probe in probes)

    def text(at: Any) -> str | None:
        if isinstance(at, datetime):
            tz = at.tzinfo
            if tz is not None and tz is not UTC and at.utcoffset():
                at = at.astimezone(UTC)
            if fast and type(at) is datetime:
                return _iso_text(at)
        try:
            return processor(at)  # type: ignore[no-any-return]  # a date, a datetime subclass, None
        except TypeError:
            return None

    return text


def _brief(exc: BaseException) -> str:
    """The driver's message without SQLAlchemy's SQL-and-parameters dump (which would log a whole batch)."""
    orig = getattr(exc, "orig", None)
    return f"{type(orig or exc).__name__}: {orig or exc}".splitlines()[0]


_ROW_ERRORS = (IntegrityError, DataError, ProgrammingError, TypeError, ValueError)


def _is_row_error(exc: BaseException) -> bool:
    """True when the database refused *this row* (a constraint, a bad value), False when it cannot be written
    at all (disk full, read-only, locked, gone): the first is dropped, the second is kept and retried."""
    return isinstance(exc, _ROW_ERRORS)


class StorageUnavailable(RuntimeError):
    """The database could not be written (disk full, read-only, unreachable); nothing was dropped."""


@dataclass(frozen=True)
class BatchOutcome:
    """What one attempt at a batch did; ``unwritten`` rows stay the caller's to keep and retry."""

    stored: int = 0
    duplicates: int = 0
    failed: int = 0
    unwritten: Sequence[Row] = ()
    error: str | None = None


class _BatchWriter:
    """The synchronous half: ``prepare`` runs where rows are submitted, ``write`` in the worker thread."""

    def __init__(self, db: Database) -> None:
        self.db = db
        dialect = db.engine.dialect
        if dialect.name not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"participation ingest supports sqlite and postgresql, not {dialect.name}")
        self.sqlite = dialect.name == "sqlite"
        # Both backends bypass SQLAlchemy's per-row parameter processing with the driver's own executemany.
        # PostgreSQL: SQLAlchemy's executemany of the Core insert reports rowcount -1 (so stored counts were
        # 0), and with RETURNING it becomes giant multi-VALUES statements whose parameter parsing in psycopg
        # cost 3x Core's time. Plain SQL through psycopg's executemany (pipelined, prepared once) is as fast
        # as Core and its rowcount is the number of rows really inserted.
        # SQLite: SQLAlchemy's work on each row took longer than SQLite's storing it (ours ÷ Core 0.6 in
        # bench/ingest.py); sqlite3's executemany of ready tuples does not, and its rowcount is the number
        # of rows really inserted, as SQLAlchemy's was.
        self.postgres_sql = _postgres_sql() if dialect.name == "postgresql" else None
        self.sqlite_sql = _sqlite_sql() if self.sqlite else None
        self._time_text = _sqlite_time_text(dialect) if self.sqlite else None

    def prepare(self, row: Mapping[str, Any]) -> Row:
        """The row as the worker's executemany takes it; runs on the loop for every event.

        SQLite: a tuple in ``COLUMNS`` order with ``at`` as the text SQLAlchemy's DateTime stores (see the
        module docstring for why here and not in the worker); a missing key becomes its default or None
        (the database then refuses the row, which is logged and dropped). PostgreSQL: ``_prepare_mapping``.
        """
        if self._time_text is None:
            return self._prepare_mapping(row)
        if type(row) is dict:  # not a subclass: a defaultdict would invent the keys it lacks
            try:
                return (*_plain_values(row), self._time_text(row["at"]))
            except KeyError:
                pass
        return (*(row.get(name, _DEFAULTS.get(name)) for name in _PLAIN_COLUMNS), self._time_text(row.get("at")))

    def _prepare_mapping(self, row: Mapping[str, Any]) -> Mapping[str, Any]:
        """PostgreSQL: exactly the insert's keys (executemany needs the same keys on every row), ``at`` in UTC.

        Cheap on purpose, since it runs on the event loop for every event: a row that already has exactly
        the columns and an ``at`` in UTC is used as it is, not copied, so callers must not change a row
        after submitting it. Otherwise missing keys become NULL (the database then refuses the row, which
        is logged and dropped), an aware ``at`` is converted to UTC and a naive one is taken to be UTC.
        """
        at = row.get("at")
        if row.keys() == _COLUMN_SET and isinstance(at, datetime) and at.tzinfo is UTC:
            return row
        out = {name: row.get(name, _DEFAULTS.get(name)) for name in COLUMNS}
        if isinstance(at, datetime):
            if at.tzinfo is None:
                out["at"] = at.replace(tzinfo=UTC)
            elif at.utcoffset():
                out["at"] = at.astimezone(UTC)
        else:
            # PostgreSQL would parse text such as "yesterday" into a time; a non-datetime is a bad row on both
            # backends, so it becomes NULL here and is refused, logged and dropped.
            out["at"] = None
        return out

    def write(self, rows: Sequence[Row], patience: float = _TRANSIENT_PATIENCE) -> BatchOutcome:
        """Store one batch of prepared rows in one transaction.

        A database that cannot be written is retried for ``patience`` seconds (a lock, a PostgreSQL restart),
        then the rows come back as ``unwritten``; a row the database refuses sends the batch row by row.
        """
        delay = _TRANSIENT_BACKOFF
        give_up = time.monotonic() + patience  # a retry budget, not a clock reading for logic
        while True:
            try:
                with self.db.engine.begin() as conn:
                    stored = self._write_chunks(conn, rows)
                return BatchOutcome(stored, len(rows) - stored)
            except Exception as exc:
                if _is_row_error(exc):
                    log.warning("participation batch of %d failed (%s); retrying row by row", len(rows), _brief(exc))
                    return self._write_row_by_row(rows)
                if time.monotonic() + delay > give_up:
                    return BatchOutcome(unwritten=rows, error=_brief(exc))
                time.sleep(delay)
                delay = min(delay * 2, _TRANSIENT_BACKOFF_MAX)

    def _write_chunks(self, conn: Connection, rows: Sequence[Row]) -> int:
        """Insert the batch; returns how many rows were really inserted (the others were duplicates).

        SQLite: one executemany for the whole batch. sqlite3's C loop holds the GIL only while it binds
        one row and releases it while SQLite stores the row, so chunks are not needed to keep GIL holds
        short. Tried on bench/ingest.py, they did not pay: 128-256 rows per executemany with a 0.2 ms
        sleep between (a window for a waiting loop to take the GIL) fell to 0.72-0.79 of Core without a
        measurable change in the longest loop stall; multi-row VALUES statements (one GIL release per 64-256
        rows) neither. Duplicates inside the batch need no Python either: the second insert of a key in
        the same transaction meets the first one's row and does nothing, and is not counted as inserted.
        PostgreSQL: psycopg's executemany in chunks, de-duplicating within the batch as it goes.
        """
        if self.sqlite_sql is not None:
            return self._execute(conn, rows)
        stored = 0
        seen: set[tuple[Any, Any]] = set()
        add = seen.add
        size = _CHUNK_POSTGRES
        for start in range(0, len(rows), size):
            chunk: list[Row] = []
            for row in rows[start : start + size]:
                key = _identity(row)
                if key not in seen:
                    add(key)
                    chunk.append(row)
            if chunk:
                stored += self._execute(conn, chunk)
        return stored

    def _execute(self, conn: Connection, batch: Sequence[Row]) -> int:
        """One executemany of plain SQL through the driver; the rows it really inserted."""
        if not batch:
            return 0
        sql = self.sqlite_sql if self.sqlite_sql is not None else self.postgres_sql
        assert sql is not None
        return max(conn.exec_driver_sql(sql, list(batch)).rowcount, 0)  # type: ignore[arg-type]

    def _write_row_by_row(self, rows: Sequence[Row]) -> BatchOutcome:
        """The slow path after a refused batch: each row alone, so one bad row costs only itself.

        A row counts as stored only once its transaction committed (a commit that fails on a full disk
        stores nothing). If the database stops taking writes half-way, the rest come back unwritten.
        """
        stored = duplicates = failed = 0
        for index, row in enumerate(rows):
            try:
                with self.db.engine.begin() as conn:
                    inserted = self._execute(conn, [row])
            except Exception as exc:
                if not _is_row_error(exc):
                    return BatchOutcome(stored, duplicates, failed, rows[index:], _brief(exc))
                failed += 1
                platform, event_id = _identity(row)
                log.error("dropped participation event %s/%s: %s", platform, event_id, _brief(exc))
                continue
            stored += inserted
            duplicates += 1 - inserted
        return BatchOutcome(stored, duplicates, failed)


def _identity(row: Row) -> tuple[Any, Any]:
    """(platform, event_id) of a queued row, for de-duplication and the log."""
    if isinstance(row, tuple):
        return row[_PLATFORM], row[_EVENT_ID]
    return row.get("platform"), row.get("event_id")


def store_events(db: Database, rows: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """Store rows now, in the caller's thread, in one transaction; returns (stored, duplicates).

    For callers outside the event loop (imports, simulations, tests). Same de-duplication and bad-row
    policy as ``ParticipationWriter``; rows dropped as bad are in neither count (they are logged). A database
    that still cannot be written after ``_TRANSIENT_PATIENCE`` raises :class:`StorageUnavailable`: the caller
    holds the rows and decides (nothing is dropped behind its back).
    """
    writer = _BatchWriter(db)
    outcome = writer.write([writer.prepare(row) for row in rows])
    if outcome.unwritten:
        raise StorageUnavailable(
            f"{len(outcome.unwritten)} participation events could not be written ({outcome.error}); "
            f"{outcome.stored} were"
        )
    return outcome.stored, outcome.duplicates


class ParticipationWriter:
    """The one writer of participation events: ``submit`` on the loop, batched inserts in a worker thread.

    ``batch_size`` caps rows per transaction. Each SQLite commit rewrites the index pages the batch
    touched, so small transactions cost throughput: writing the bench's 100,000 events (bench/ingest.py)
    in the worker alone took ~1.4× as long at 500 rows per commit as at 2,000, and 2,000 was within 5%
    of one transaction for everything; hence the default of 2,000. A big batch does not hold the GIL
    longer at a stretch (see ``_BatchWriter._write_chunks``).
    ``max_delay`` is how long a partial batch may wait for company before it is written anyway (the
    latency of a lone event under light load). ``max_pending`` bounds the buffer for ``await submit``
    (back-pressure, default 10 batches) while the database keeps up; ``submit_nowait`` never blocks.
    ``max_backlog`` bounds what is kept while the database cannot be written (see the module docstring);
    ``retry_max`` is the longest pause between two attempts then.
    """

    def __init__(
        self,
        db: Database,
        batch_size: int = 2000,
        max_delay: float = 0.05,
        max_pending: int | None = None,
        *,
        max_backlog: int = MAX_BACKLOG,
        retry_max: float = RETRY_MAX_SECONDS,
        on_written: Callable[[int, int, int], None] | None = None,
        on_overflow: Callable[[int], None] | None = None,
    ) -> None:
        """``on_written(stored, duplicates, failed)`` hears each batch's outcome and ``on_overflow(n)`` each row
        the backlog had no room for (the runtime counts them for /metrics); storage itself knows nothing of who
        reads the figures."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.db = db
        self.batch_size = batch_size
        self.on_written = on_written
        self.on_overflow = on_overflow
        self.max_delay = max_delay
        self.max_pending = max_pending if max_pending is not None else batch_size * 10
        self.max_backlog = max(max_backlog, batch_size)
        self.retry_max = retry_max
        self.stored = 0
        self.duplicates = 0
        self.failed = 0
        self.overflowed = 0
        self.batches = 0
        self._writer = _BatchWriter(db)
        self._pending: list[Row] = []
        self._oldest = 0.0  # loop time the oldest pending row arrived
        self._submitted = 0
        self._done = 0
        self._flushes: list[tuple[int, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._space = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._closing = False
        self._error: BaseException | None = None
        self._failing: str | None = None  # the database's complaint while it cannot be written
        self._failing_since = 0.0  # time.monotonic() of the first failed attempt in a row (shown, not used)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background writer on the running loop (call once, from a coroutine)."""
        if self._task is not None:
            raise RuntimeError("ParticipationWriter already started")
        loop = asyncio.get_running_loop()
        self._loop, self._loop_thread = loop, threading.get_ident()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copbot-ingest")
        self._task = loop.create_task(self._run(), name="copbot-participation-writer")

    async def stop(self) -> None:
        """Write everything submitted so far, then end the writer and its thread.

        While the database cannot be written, stopping does not wait for it: one last attempt is made, and
        the rows still held are logged as lost (a stop is the one moment the writer gives up on them).
        """
        if self._task is None:
            return
        if self._failing is None:
            with contextlib.suppress(Exception):
                await self.flush()
        self._closing = True
        self._wake.set()
        self._stopping.set()
        try:
            await self._task
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
            self._executor = None
        if self._pending:
            log.error("stopped with %d participation events not written (%s)", len(self._pending), self._failing)

    @property
    def alive(self) -> bool:
        """Started and still writing (False before start, after stop, or once an unexpected error ended it)."""
        return self._task is not None and not self._task.done()

    @property
    def pending(self) -> int:
        """Rows submitted but not yet written (or dropped)."""
        return self._submitted - self._done

    @property
    def failing_for(self) -> float:
        """Seconds since the database stopped taking this writer's rows (0.0 while it takes them)."""
        return 0.0 if self._failing is None else time.monotonic() - self._failing_since

    @property
    def problem(self) -> str | None:
        """Why participation is not being stored right now (for /healthz), or None when it is."""
        if self._failing is not None:
            return (
                f"cannot write participation events for {self.failing_for:.0f} s ({self._failing}); "
                f"{self.pending} kept in memory (at most {self.max_backlog}), retrying"
            )
        if self._task is not None and not self.alive and not self._closing:
            return "the participation writer has stopped: reactions and replies are not being stored"
        return None

    # --- submitting -------------------------------------------------------------------------------

    def submit_nowait(self, row: Mapping[str, Any]) -> None:
        """Queue one row (keys: ``COLUMNS``) from sync code on the loop; never blocks, never raises on load.

        From another thread (a command run off the loop) the row is handed to the loop's thread.

        Beyond ``max_backlog`` rows waiting (only while the database cannot be written), the row is
        counted in ``overflowed`` and logged instead of kept.
        """
        if self._loop is not None and threading.get_ident() != self._loop_thread:
            # a command running in a worker thread recorded something: hand the row to the loop's thread
            self._loop.call_soon_threadsafe(self.submit_nowait, row)
            return
        if self._closing:
            raise RuntimeError("ParticipationWriter is stopped")
        pending = self._pending
        if len(pending) >= self.max_backlog:
            self._overflow(row)
            return
        if not pending:
            self._oldest = asyncio.get_running_loop().time() if self._task is not None else time.monotonic()
        pending.append(self._writer.prepare(row))
        self._submitted += 1
        if len(pending) >= self.batch_size or len(pending) == 1:
            self._wake.set()

    def _overflow(self, row: Mapping[str, Any]) -> None:
        self.overflowed += 1
        if self.on_overflow is not None:
            with contextlib.suppress(Exception):
                self.on_overflow(1)
        if self.overflowed == 1 or self.overflowed % 1000 == 0:  # one line per thousand, not one per event
            log.error(
                "participation backlog full (%d events kept while the database cannot be written); dropped "
                "%s/%s (%d dropped so far)", self.max_backlog, row.get("platform"), row.get("event_id"),
                self.overflowed,
            )

    async def submit(self, row: Mapping[str, Any]) -> None:
        """Queue one row; waits only while ``max_pending`` rows are already waiting (back-pressure).

        Never while the database cannot be written: waiting then would stop the bot's event handling
        for as long as the disk is full; the bounded backlog takes the rows instead.
        """
        while (
            len(self._pending) >= self.max_pending
            and self._failing is None
            and self._task is not None
            and not self._task.done()
        ):
            self._space.clear()
            await self._space.wait()
        self.submit_nowait(row)

    async def flush(self) -> None:
        """Return once every row submitted before this call is committed (or counted as dropped).

        While the database cannot be written, this waits for it to come back.
        """
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
        try:
            await self._write_forever()
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

    async def _write_forever(self) -> None:
        loop = asyncio.get_running_loop()
        retry_in = _TRANSIENT_BACKOFF
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
            try:
                outcome = await loop.run_in_executor(self._executor, self._writer.write, batch, _WRITER_PATIENCE)
            except Exception as exc:  # not the database's answer (the executor, a bug): keep the rows, retry
                outcome = BatchOutcome(unwritten=batch, error=_brief(exc))
            self._count(outcome, len(batch) - len(outcome.unwritten))
            if not outcome.unwritten:
                if self._failing is not None:
                    log.warning("participation events are being written again (%d waiting)", len(self._pending))
                self._failing = None
                retry_in = _TRANSIENT_BACKOFF
                self._space.set()
                continue
            self._pending[:0] = outcome.unwritten  # back at the front, in order: nothing is lost
            if self._failing is None:
                self._failing_since = time.monotonic()
                log.error("cannot write participation events (%s); keeping them and retrying", outcome.error)
            self._failing = outcome.error or "unknown error"
            if self._closing:
                return  # stop() while the database cannot be written: stop() logs what is left
            with contextlib.suppress(TimeoutError):  # only stop() cuts the pause short, not new events
                await asyncio.wait_for(self._stopping.wait(), retry_in)
            retry_in = min(retry_in * 2, self.retry_max)

    def _count(self, outcome: BatchOutcome, settled: int) -> None:
        """Add a batch's outcome to the figures; ``settled`` rows (written, duplicate or dropped) are done."""
        if not settled:
            return
        self.stored += outcome.stored
        self.duplicates += outcome.duplicates
        self.failed += outcome.failed
        self.batches += 1
        if self.on_written is not None:
            try:
                self.on_written(outcome.stored, outcome.duplicates, outcome.failed)
            except Exception:  # a listener's bug must not stop the writing
                log.exception("participation writer: the on_written listener failed")
        self._done += settled
        self._resolve_flushes()

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
