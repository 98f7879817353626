"""A full disk under a running bot: nothing is dropped, /healthz says so, and the bot catches up by itself.

The disk fills for real as far as the driver can tell (tests/fakes/full_disk.py: SQLite's own "database or
disk is full"), under the real participation writer and the real runtime; nothing of ours is mocked.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.console.adapter import ConsoleAdapter
from bot import metrics
from bot.clock import ManualClock
from bot.events import CommandInvoked, MemberJoined, MessagePosted
from bot.runtime import DATABASE_UNAVAILABLE, Runtime
from config.models import CommunityConfig
from copbot import healthz
from copbot.registry import RITUALS
from storage.db import Database, open_database
from storage.ingest import ParticipationWriter, StorageUnavailable, store_events
from storage.models import ParticipationEvent
from tests.fakes.full_disk import FullDisk
from tests.fakes.slack_harness import eventually as until

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def event(i: int) -> dict[str, Any]:
    return {"community": "cop", "platform": "slack", "event_id": f"Ev{i}", "member": f"U{i % 7}",
            "kind": "reaction", "ritual": "prompts", "subject": f"prompt:{i}:" + "x" * 300,
            "at": T0 + timedelta(seconds=i)}  # fmt: skip


def count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ParticipationEvent)).scalar_one())


async def fill_while_writing(disk: FullDisk, writer: ParticipationWriter, events: range) -> None:
    """The disk fills; ``events`` arrive; return once the writer has met the full disk."""
    disk.fill()
    for i in events:
        writer.submit_nowait(event(i))
    async with asyncio.timeout(30):
        await until(lambda: writer.problem is not None)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    db = open_database(f"sqlite:///{tmp_path / 'copbot.db'}")
    yield db  # type: ignore[misc]
    db.dispose()


async def test_the_writer_keeps_every_event_while_the_disk_is_full_and_catches_up(sqlite_db: Database) -> None:
    disk = FullDisk(sqlite_db)
    writer = ParticipationWriter(sqlite_db, batch_size=50, max_delay=0.01, retry_max=0.05,
                                 on_written=metrics.participation_written)  # fmt: skip
    writer.start()
    try:
        await fill_while_writing(disk, writer, range(600))
        assert writer.alive
        assert writer.problem is not None and "database or disk is full" in writer.problem
        assert writer.failed == 0  # a full disk is not the rows' fault: none is dropped
        assert writer.pending == 600 - writer.stored > 0
        assert count(sqlite_db) == writer.stored

        disk.free()
        async with asyncio.timeout(30):
            await writer.flush()
        assert count(sqlite_db) == 600
        assert (writer.stored, writer.failed, writer.overflowed) == (600, 0, 0)
        assert writer.problem is None and writer.failing_for == 0.0
    finally:
        await writer.stop()


async def test_a_commit_that_fails_on_a_full_disk_counts_nothing_as_stored(sqlite_db: Database) -> None:
    """The row-by-row path after a refused batch: a commit that fails stored nothing (no negative counts,
    which once made the metrics counter raise and killed the writer for good)."""
    disk = FullDisk(sqlite_db)
    writer = ParticipationWriter(sqlite_db, batch_size=10, max_delay=0.01, retry_max=0.05,
                                 on_written=metrics.participation_written)  # fmt: skip
    writer.start()
    try:
        writer.submit_nowait({**event(0), "member": None})  # a bad row sends the batch row by row
        for i in range(1, 10):
            writer.submit_nowait(event(i))
        disk.fail_commits()
        async with asyncio.timeout(30):
            await until(lambda: writer.problem is not None)
        assert writer.alive and writer.stored == 0
        disk.free()
        async with asyncio.timeout(30):
            await writer.flush()
        assert (writer.stored, writer.duplicates, writer.failed) == (9, 0, 1)
        assert count(sqlite_db) == 9
    finally:
        await writer.stop()


async def test_the_backlog_is_bounded_and_what_overflows_is_counted(sqlite_db: Database) -> None:
    disk = FullDisk(sqlite_db)
    before = metrics.value("copbot_participation_events_overflowed_total")
    writer = ParticipationWriter(sqlite_db, batch_size=10, max_delay=0.01, max_backlog=100, retry_max=0.05,
                                 on_overflow=metrics.participation_overflowed)  # fmt: skip
    writer.start()
    try:
        await fill_while_writing(disk, writer, range(20))
        for i in range(20, 300):
            await writer.submit(event(i))  # never waits while the database cannot be written
        kept = writer.pending
        assert kept <= 100
        assert writer.overflowed == 300 - kept - writer.stored
        assert metrics.value("copbot_participation_events_overflowed_total") - before == writer.overflowed
        disk.free()
        async with asyncio.timeout(30):
            await writer.flush()
        assert count(sqlite_db) == writer.stored == 300 - writer.overflowed
    finally:
        await writer.stop()


def test_store_events_raises_instead_of_dropping_on_a_full_disk(sqlite_db: Database, monkeypatch: Any) -> None:
    import storage.ingest

    monkeypatch.setattr(storage.ingest, "_TRANSIENT_PATIENCE", 0.1)  # how long it insists, not what it does
    disk = FullDisk(sqlite_db)
    disk.fill()
    with pytest.raises(StorageUnavailable, match="database or disk is full"):
        store_events(sqlite_db, [event(i) for i in range(300)])
    disk.free()
    assert store_events(sqlite_db, [event(i) for i in range(300)]) == (300, 0)


async def test_a_running_bot_on_a_full_disk_says_so_keeps_answering_and_recovers(
    sqlite_db: Database, config: CommunityConfig, clock: ManualClock
) -> None:
    disk = FullDisk(sqlite_db)
    runtime = Runtime(config, sqlite_db, ConsoleAdapter(), clock, RITUALS,
                      writer=ParticipationWriter(sqlite_db, max_delay=0.01, retry_max=0.05))  # fmt: skip
    await runtime.start(background=True)
    try:
        await runtime.handle_event(MemberJoined(platform="console", event_id="join-ana", member="console:ana",
                                                at=clock.now(), name="ana"))  # fmt: skip
        await runtime.settle()
        disk.fill()
        for n in range(200):
            await runtime.handle_event(MessagePosted(platform="console", event_id=f"p{n}", member="console:ana",
                                                     at=clock.now(), channel="general", message_ref=f"m{n}",
                                                     text="we cut CI time in half"))  # fmt: skip
        async with asyncio.timeout(30):
            await until(lambda: runtime.writer.problem is not None)
        verdict = await healthz.check(runtime)
        assert verdict.http_status == 503
        assert verdict.as_json()["writer"] is False
        assert any("database or disk is full" in p for p in verdict.problems)
        disk.fail_commits()  # not even the command's one small row fits now
        answer = await runtime.handle_event(CommandInvoked(platform="console", event_id="c1", member="console:ana",
                                                           at=clock.now(), text="help"))  # fmt: skip
        assert answer == DATABASE_UNAVAILABLE

        disk.free()
        async with asyncio.timeout(30):
            await runtime.writer.flush()
        assert runtime.writer.stored == 200 and runtime.writer.failed == 0
        assert (await healthz.check(runtime)).http_status == 200
        answer = await runtime.handle_event(CommandInvoked(platform="console", event_id="c2", member="console:ana",
                                                           at=clock.now(), text="help"))  # fmt: skip
        assert answer is not None and "/cop" in answer
    finally:
        disk.free()
        await runtime.stop()
