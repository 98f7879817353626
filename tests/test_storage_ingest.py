"""The participation writer stores every event once, in batches, off the loop, and survives bad rows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, func, select
from sqlalchemy.dialects import sqlite

from storage.db import Database, open_database
from storage.ingest import ParticipationWriter, store_events
from storage.models import ParticipationEvent

T0 = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


def event(i: int | str, platform: str = "slack", **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "community": "cop",
        "platform": platform,
        "event_id": f"Ev{i}",
        "member": f"U{int(str(i).strip('abcdefghijklmnopqrstuvwxyz') or 0) % 7}",
        "kind": "reaction",
        "ritual": "prompts",
        "subject": "prompt:1",
        "at": T0 + timedelta(seconds=int(str(i).strip("abcdefghijklmnopqrstuvwxyz") or 0)),
    }
    row.update(over)
    return row


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Every behaviour on both backends (PostgreSQL: a fresh database on the suite's own server)."""
    url = f"sqlite:///{tmp_path / 'copbot.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    database = open_database(url)
    yield database
    database.dispose()


@pytest.fixture
async def writer(db: Database) -> AsyncIterator[ParticipationWriter]:
    w = ParticipationWriter(db, batch_size=100, max_delay=0.01)
    w.start()
    yield w
    await w.stop()


def count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ParticipationEvent)).scalar_one())


def stored_ids(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(e.event_id for e in s.scalars(select(ParticipationEvent)))


async def test_duplicate_event_is_stored_once_and_counted(writer: ParticipationWriter, db: Database) -> None:
    await writer.submit(event(1))
    await writer.flush()
    await writer.submit(event(1))  # Slack's retry of the same event, in a later batch
    await writer.flush()
    assert count(db) == 1
    assert (writer.stored, writer.duplicates) == (1, 1)


async def test_same_event_id_on_another_platform_is_a_different_event(
    writer: ParticipationWriter, db: Database
) -> None:
    await writer.submit(event(1, platform="slack"))
    await writer.submit(event(1, platform="discord"))
    await writer.flush()
    assert count(db) == 2
    assert writer.duplicates == 0


async def test_duplicates_inside_one_batch(db: Database) -> None:
    w = ParticipationWriter(db, batch_size=50, max_delay=10.0)  # one batch, only written on flush
    w.start()
    for i in [1, 2, 1, 3, 2, 1]:
        w.submit_nowait(event(i))
    await w.flush()
    assert w.batches == 1
    assert (w.stored, w.duplicates) == (3, 3)
    assert stored_ids(db) == ["Ev1", "Ev2", "Ev3"]
    await w.stop()


async def test_flush_makes_rows_visible_to_other_connections(db: Database) -> None:
    w = ParticipationWriter(db, batch_size=1000, max_delay=60.0)  # would otherwise wait a minute
    w.start()
    for i in range(10):
        await w.submit(event(i))
    assert count(db) == 0  # nothing written yet: proves the flush below is what wrote them
    await w.flush()
    assert count(db) == 10
    await w.stop()


async def test_partial_batch_is_written_after_max_delay_without_flush(db: Database) -> None:
    w = ParticipationWriter(db, batch_size=1000, max_delay=0.01)
    w.start()
    await w.submit(event(1))
    for _ in range(500):  # bounded wait, not a timing threshold: fails only if it is never written
        if count(db) == 1:
            break
        await asyncio.sleep(0.01)
    assert count(db) == 1
    await w.stop()


async def test_ten_thousand_events_yield_exactly_the_unique_count(db: Database) -> None:
    w = ParticipationWriter(db, batch_size=500)
    w.start()
    ids = [i % 8000 for i in range(10_000)]  # 2,000 resends, spread over many batches
    for n, i in enumerate(ids):
        await w.submit(event(i))
        if n % 250 == 0:
            await asyncio.sleep(0)
    await w.stop()
    assert count(db) == 8000
    assert (w.stored, w.duplicates, w.failed) == (8000, 2000, 0)
    assert w.batches >= 20


async def test_bad_row_is_logged_and_dropped_good_rows_kept(
    writer: ParticipationWriter, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Policy: a batch that fails is retried row by row; bad rows are logged and dropped, the rest stored."""
    caplog.set_level(logging.WARNING, logger="storage.ingest")
    writer.submit_nowait(event(1))
    writer.submit_nowait(event(2, member=None))  # NOT NULL violation
    writer.submit_nowait(event(3))
    writer.submit_nowait({"platform": "slack", "event_id": "EvNoKeys"})  # missing columns
    writer.submit_nowait(event(4, at="yesterday"))  # not a datetime
    writer.submit_nowait(event(1))  # and a duplicate in the same failing batch
    await writer.flush()
    assert stored_ids(db) == ["Ev1", "Ev3"]
    assert (writer.stored, writer.duplicates, writer.failed) == (2, 1, 3)
    dropped = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(dropped) == 3
    assert any("slack/Ev2" in m and "member" in m for m in dropped)
    # ...and the writer keeps going afterwards
    await writer.submit(event(5))
    await writer.flush()
    assert stored_ids(db) == ["Ev1", "Ev3", "Ev5"]


async def test_stop_flushes_and_refuses_more(db: Database) -> None:
    w = ParticipationWriter(db, batch_size=1000, max_delay=60.0)
    w.start()
    for i in range(5):
        w.submit_nowait(event(i))
    await w.stop()
    assert count(db) == 5
    with pytest.raises(RuntimeError):
        w.submit_nowait(event(99))


async def test_submit_waits_when_the_buffer_is_full(db: Database) -> None:
    w = ParticipationWriter(db, batch_size=10, max_delay=0.001, max_pending=20)
    w.start()
    for i in range(200):
        await w.submit(event(i))
        assert w.pending <= 20 + 10  # at most the buffer plus the batch being written
    await w.stop()
    assert count(db) == 200


async def test_flush_before_start_is_refused(db: Database) -> None:
    w = ParticipationWriter(db)
    w.submit_nowait(event(1))
    with pytest.raises(RuntimeError):
        await w.flush()


def test_store_events_sync(db: Database) -> None:
    assert store_events(db, [event(1), event(2), event(1)]) == (2, 1)
    assert store_events(db, [event(2), event(3)]) == (1, 1)
    assert count(db) == 3


def test_times_are_stored_as_utc_and_read_back_like_the_orm_writes_them(db: Database) -> None:
    paris = timezone(timedelta(hours=1))
    store_events(db, [event(1, at=T0.astimezone(paris)), event(2, at=T0.replace(tzinfo=None))])
    with db.session() as s:
        ats = [e.at for e in s.scalars(select(ParticipationEvent))]
        assert [a.replace(tzinfo=UTC) if a.tzinfo is None else a for a in ats] == [T0, T0]
        # the text matches SQLAlchemy's own DateTime format, so range queries compare correctly
        hits = s.scalars(select(ParticipationEvent).where(ParticipationEvent.at >= T0)).all()  # type: ignore[arg-type]
        assert len(hits) == 2
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL keeps timestamptz natively; the text format below is SQLite's
    raw = DateTime().dialect_impl(sqlite.dialect()).bind_processor(sqlite.dialect())
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT DISTINCT at FROM participation_events").scalars().all() == [
            raw(T0.replace(tzinfo=None))  # type: ignore[misc]
        ]


# --- SQLite: the driver's own executemany (storage/ingest.py bypasses SQLAlchemy's per-row work) -------


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'copbot.db'}")
    yield database
    database.dispose()


def stored_text(db: Database) -> dict[str, str]:
    """event_id -> the ``at`` column exactly as SQLite holds it."""
    with db.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT event_id, at FROM participation_events").all())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "at",
    [
        T0,  # aware UTC, with microseconds
        T0.replace(microsecond=0),  # SQLAlchemy still writes ".000000"
        T0.replace(tzinfo=None),  # naive: taken to be UTC
        T0.astimezone(timezone(timedelta(hours=-7, minutes=-30))),  # converted to UTC first
        datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=UTC),  # the year is zero-padded to four digits
        datetime(9999, 12, 31, 23, 59, 59, 999999),
    ],
    ids=["utc", "whole-second", "naive", "offset", "year-1", "year-9999"],
)
def test_time_text_is_byte_for_byte_what_the_orm_writes(sqlite_db: Database, at: datetime) -> None:
    """Range queries compare SQLite's text, so the writer must store the very text the ORM does."""
    store_events(sqlite_db, [event(1, at=at)])
    as_utc = at.astimezone(UTC) if at.tzinfo is not None else at
    with sqlite_db.session() as s:
        s.add(ParticipationEvent(**event("orm", at=as_utc)))
        s.commit()
    text = stored_text(sqlite_db)
    assert text["Ev1"] == text["Evorm"]
    assert len(text["Ev1"]) == 26
    with sqlite_db.session() as s:
        read = {e.event_id: e.at for e in s.scalars(select(ParticipationEvent))}
    assert read["Ev1"] == read["Evorm"]


def test_a_date_or_a_datetime_subclass_is_formatted_by_sqlalchemys_own_type(sqlite_db: Database) -> None:
    """Only a plain datetime takes the fast path; anything else goes through SQLAlchemy's processor, as before."""

    class Stamp(datetime):
        def isoformat(self, *args: Any, **kwargs: Any) -> str:
            return "not what SQLAlchemy writes"

    store_events(sqlite_db, [event(1, at=T0.date()), event(2, at=Stamp(2026, 3, 2, 9, 30, 15, 123456))])
    assert stored_text(sqlite_db) == {"Ev1": "2026-03-02 00:00:00.000000", "Ev2": "2026-03-02 09:30:15.123456"}


def test_rows_missing_or_with_extra_keys_or_not_dicts(sqlite_db: Database) -> None:
    """The fast path takes a plain dict with every column; others are read key by key, as before."""
    from types import MappingProxyType

    no_subject = event(1)
    del no_subject["subject"]  # defaults to ""
    extra = event(2, thread="T9")  # an unknown key is ignored
    proxy = MappingProxyType(event(3))
    assert store_events(sqlite_db, [no_subject, extra, proxy]) == (3, 0)
    with sqlite_db.session() as s:
        subjects = {e.event_id: e.subject for e in s.scalars(select(ParticipationEvent))}
    assert subjects == {"Ev1": "", "Ev2": "prompt:1", "Ev3": "prompt:1"}


def test_a_row_changed_after_submit_is_stored_as_submitted(sqlite_db: Database) -> None:
    """On SQLite the row is copied into a tuple on submit."""

    async def run() -> None:
        w = ParticipationWriter(sqlite_db, batch_size=10, max_delay=60.0)
        w.start()
        row = event(1)
        w.submit_nowait(row)
        row["member"] = "U-changed"
        await w.stop()

    asyncio.run(run())
    with sqlite_db.session() as s:
        assert [e.member for e in s.scalars(select(ParticipationEvent))] == ["U1"]


def test_a_batch_is_one_executemany_of_plain_sql(sqlite_db: Database) -> None:
    """The batch goes to sqlite3 as one executemany of the ON CONFLICT insert, not through Core's per-row path."""
    from sqlalchemy import event as sa_event

    calls: list[tuple[str, int, bool]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool) -> None:
        if statement.startswith("INSERT INTO participation_events"):
            calls.append((statement, len(parameters) if executemany else 1, executemany))

    sa_event.listen(sqlite_db.engine, "before_cursor_execute", seen)
    rows = [event(i % 700) for i in range(1000)]  # 300 resends inside the batch
    assert store_events(sqlite_db, rows) == (700, 300)
    assert len(calls) == 1
    statement, rows_sent, executemany = calls[0]
    assert executemany and rows_sent == 1000
    assert "ON CONFLICT (platform, event_id) DO NOTHING" in statement
    assert count(sqlite_db) == 700


def test_a_bad_row_in_a_big_batch_costs_only_itself(sqlite_db: Database, caplog: pytest.LogCaptureFixture) -> None:
    """The batch fails on one row; retried row by row, the other 499 (and the duplicate count) survive."""
    caplog.set_level(logging.WARNING, logger="storage.ingest")
    rows = [event(i) for i in range(450)] + [event(999, member=None)] + [event(i) for i in range(400, 449)]
    stored, duplicates = store_events(sqlite_db, rows)
    assert (stored, duplicates) == (450, 49)
    assert count(sqlite_db) == 450
    dropped = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(dropped) == 1 and "slack/Ev999" in dropped[0] and "member" in dropped[0]


def test_not_a_time_is_refused_logged_and_dropped(sqlite_db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="storage.ingest")
    assert store_events(sqlite_db, [event(1), event(2, at="2026-03-02 09:30:15"), event(3, at=None)]) == (1, 0)
    dropped = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(dropped) == 2 and all("participation_events.at" in m for m in dropped)
    assert stored_ids(sqlite_db) == ["Ev1"]


def test_a_locked_database_is_retried_not_dropped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """sqlite3's own errors still arrive as SQLAlchemy's OperationalError, so a busy database is retried."""
    import sqlite3
    import threading

    from sqlalchemy import event as sa_event

    url = f"sqlite:///{tmp_path / 'copbot.db'}"
    db = Database(url)
    # No waiting inside SQLite: a lock must surface as "database is locked" for the writer's retry to handle.
    sa_event.listen(db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA busy_timeout=0"))
    db.migrate()
    holder = sqlite3.connect(tmp_path / "copbot.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    released = threading.Timer(0.3, holder.execute, ["COMMIT"])
    released.start()
    caplog.set_level(logging.WARNING, logger="storage.ingest")
    try:
        assert store_events(db, [event(1), event(2), event(1)]) == (2, 1)
    finally:
        released.join()
        holder.close()
    assert stored_ids(db) == ["Ev1", "Ev2"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # retried as a batch, nothing dropped
    db.dispose()
