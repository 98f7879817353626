"""Moving a community from its SQLite file to PostgreSQL: ``copbot db migrate-sqlite-to-postgres SOURCE``.

Why a copy tool of our own: a community outgrows one process (replicas need a shared database), and its
history (who joined when, every prompt, pairing and rota turn, the participation behind the reports) must
come along intact. The copy:

* brings the target's schema to head first (Alembic), and refuses a source that is not at head, so the
  two schemas are the same revision table by table;
* refuses a target that already holds rows, unless ``force`` (then the target's rows are deleted first),
  except when the target already holds exactly the source's row counts: then it is a finished earlier
  copy and nothing is done (running the command twice is harmless);
* copies every table in dependency order (parents before the rows that reference them), in batches of
  ``batch_size`` rows ordered by primary key, inside ONE target transaction: a failure half-way leaves
  the target as it was, never half-copied;
* moves PostgreSQL's id sequences past the copied ids, so the next row the bot inserts gets a new id;
* verifies every table's row count before committing, and reports what it did.

Timestamps: SQLite gives back naive datetimes that are UTC by our convention (storage/models.py), and
they are stored as aware UTC in PostgreSQL's ``timestamptz``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, delete, func, insert, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import SQLModel

from storage.bot_lock import AnotherBotIsRunning, BotLock
from storage.db import Database, head_revision

DEFAULT_BATCH = 1000


class TransferError(Exception):
    """A problem the user can fix (wrong URL, source not migrated, target not empty); the message says how."""


@dataclass
class TransferReport:
    """What the copy did, table by table (``rows`` is the count in both databases afterwards)."""

    rows: dict[str, int] = field(default_factory=dict)
    already_done: bool = False
    cleared: dict[str, int] = field(default_factory=dict)  # rows deleted from the target first (--force)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


Progress = Callable[[str, int, int], None]  # (table, rows copied so far, rows in the table)


def sqlite_url(source: str) -> str:
    """Accept ``sqlite:///path`` or a plain file path; the file must exist (SQLite would create an empty one)."""
    url = source if "://" in source else f"sqlite:///{Path(source).expanduser().resolve()}"
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise TransferError(f"{source!r} is not a database URL or a file path: {exc}") from exc
    if parsed.get_backend_name() != "sqlite":
        raise TransferError(f"the source must be a SQLite database (sqlite:///path/to/copbot.db), not {source!r}")
    path = parsed.database
    if not path or path == ":memory:":
        raise TransferError("the source must be a SQLite file, not an in-memory database")
    if not os.path.isfile(path):
        raise TransferError(f"the source file {path} does not exist (give the path of the copbot.db to copy)")
    return url


def postgres_url(target: str | None) -> str:
    """The target must be a PostgreSQL URL; the driver defaults to psycopg 3 (the one copbot installs)."""
    if not target:
        raise TransferError(
            "no target: set COPBOT_DATABASE_URL=postgresql+psycopg://USER:PASSWORD@HOST:5432/DBNAME "
            "(or pass --to URL); create the empty database first (createdb DBNAME)"
        )
    try:
        parsed = make_url(target)
    except ArgumentError as exc:
        raise TransferError(f"the target {target!r} is not a database URL: {exc}") from exc
    if parsed.get_backend_name() != "postgresql":
        backend = parsed.get_backend_name()
        raise TransferError(f"the target must be PostgreSQL (postgresql+psycopg://...), not {backend}")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def tables_in_dependency_order() -> list[Table]:
    """Every copbot table, parents first (``SQLModel.metadata.sorted_tables`` follows the foreign keys)."""
    return list(SQLModel.metadata.sorted_tables)


def row_counts(conn: Connection, tables: list[Table]) -> dict[str, int]:
    return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in tables}


def _as_utc(row: Mapping[Any, Any]) -> dict[str, Any]:
    """Naive datetimes from SQLite are UTC by convention: make that explicit for ``timestamptz``."""
    return {k: v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v for k, v in row.items()}


def _batches(conn: Connection, table: Table, size: int) -> Iterator[list[dict[str, Any]]]:
    """The table's rows ordered by primary key, ``size`` at a time (keyset-free: SQLite streams the cursor)."""
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=size).execute(select(table).order_by(*order))
    for partition in result.mappings().partitions(size):
        yield [_as_utc(row) for row in partition]


def _reset_sequences(conn: Connection, table: Table) -> None:
    """Move each serial/identity sequence past the highest copied id (PostgreSQL only)."""
    for column in table.primary_key.columns:
        if not isinstance(column.type, Integer) or column.autoincrement is False:
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        ).scalar_one()
        if sequence is None:
            continue
        conn.execute(
            text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'),
            {"s": sequence},
        )


def copy_sqlite_to_postgres(
    source: str,
    target: str | None,
    *,
    force: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> TransferReport:
    """Copy every copbot table from the SQLite ``source`` into the PostgreSQL ``target`` (see the module doc)."""
    if batch_size < 1:
        raise TransferError("--batch-size must be at least 1")
    src_url, dst_url = sqlite_url(source), postgres_url(target)
    head = head_revision()
    # Hold the source's bot lock for the whole copy: a bot still writing to it would make the copy a
    # mix of moments, and a bot started mid-copy would write rows that never reach PostgreSQL.
    lock = BotLock(src_url)
    try:
        lock.acquire()
    except AnotherBotIsRunning as exc:
        raise TransferError(f"{exc}. Stop that bot first, so the copy is one consistent moment") from None
    src = Database(src_url)
    dst = Database(dst_url)
    try:
        at = src.current_revision()
        if at != head:
            raise TransferError(
                f"the source is at schema revision {at or 'none'}, this copbot's is {head}: upgrade it first with "
                f"`copbot db upgrade --url {src_url}` (or run this copbot once on it), then copy again"
            )
        dst.migrate()  # an unreachable server raises OperationalError: the caller says which URL, no password
        tables = tables_in_dependency_order()
        report = TransferReport()
        with src.engine.connect() as read, dst.engine.begin() as write:
            wanted = row_counts(read, tables)
            present = row_counts(write, tables)
            if any(present.values()):
                if present == wanted:
                    report.rows = present
                    report.already_done = True
                    return report
                if not force:
                    busy = ", ".join(f"{name} ({n})" for name, n in present.items() if n)
                    raise TransferError(
                        f"the target already holds rows: {busy}. Copying into it would mix two communities' "
                        "histories; point COPBOT_DATABASE_URL at an empty database, or add --force to DELETE "
                        "the target's rows and copy again"
                    )
                for table in reversed(tables):  # children first, so no foreign key is left dangling
                    if present[table.name]:
                        write.execute(delete(table))
                        report.cleared[table.name] = present[table.name]
            for table in tables:
                copied = 0
                for batch in _batches(read, table, batch_size):
                    write.execute(insert(table), batch)
                    copied += len(batch)
                    if progress is not None:
                        progress(table.name, copied, wanted[table.name])
                _reset_sequences(write, table)
            report.rows = row_counts(write, tables)
            if report.rows != wanted:
                wrong = ", ".join(
                    f"{name}: {report.rows[name]} copied of {n}" for name, n in wanted.items() if report.rows[name] != n
                )
                raise TransferError(f"row counts differ after the copy ({wrong}); nothing was committed")
        return report
    finally:
        src.dispose()
        dst.dispose()
        lock.release()
