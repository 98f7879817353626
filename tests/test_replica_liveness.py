"""Which ``sending`` deliveries a replica may touch: never one in flight in a live replica; yes once it died.

Deterministic (a manual clock, no processes): replica A's claim and heartbeat are written directly, as
if A were in the middle of sending; replica B is a real outbox on the same database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.outbox import Outbox
from bot.runtime import Runtime
from config.models import CommunityConfig
from copbot.registry import RITUALS
from storage import queries, replicas
from storage.db import Database, open_database
from tests.test_outbox import PlatformRecord, _plan

TTL = timedelta(seconds=60)


@pytest.fixture
def pg(pg_url: str) -> Iterator[Database]:
    db = open_database(pg_url)
    yield db
    db.dispose()


def _a_is_sending(db: Database, clock: ManualClock) -> list[str]:
    """Replica A claimed every planned row and is alive: its heartbeat is now."""
    ids = _plan(db, clock, 3)
    with db.session() as tx:
        rows = list(queries.deliveries(tx, "test-guild"))
        assert len(queries.claim_deliveries(tx, rows, "replica-a")) == 3
        replicas.beat(tx, "replica-a", "test-guild", clock.now())
        tx.commit()
    return ids


def _outbox_b(db: Database, platform: PlatformRecord, clock: ManualClock) -> Outbox:
    return Outbox(db, "test-guild", platform, clock, lambda tx, row, ref: None, sender_ttl=TTL)


async def test_rows_in_flight_in_a_live_replica_are_left_alone_until_it_goes_silent(pg: Database,
                                                                                     clock: ManualClock) -> None:
    ids = _a_is_sending(pg, clock)
    platform = PlatformRecord()
    b = _outbox_b(pg, platform, clock)
    assert await b.drain() == 0
    assert platform.received == []  # not looked up and resent while A may be sending them
    clock.advance(TTL / 2)
    assert await b.drain() == 0  # A is quiet, but not for long enough
    clock.advance(TTL)  # A has not beaten for 1.5 TTL: it died
    assert await b.drain() == 3
    assert [d for d, _ in platform.received] == ids
    with pg.session() as tx:
        assert {d.sender for d in queries.deliveries(tx, "test-guild")} == {b.sender_id}
        assert replicas.live_replicas(tx, "test-guild", clock.now(), TTL) == [b.sender_id]


async def test_a_replica_that_stopped_cleanly_hands_over_at_once(pg: Database, clock: ManualClock) -> None:
    _a_is_sending(pg, clock)
    with pg.session() as tx:
        replicas.forget(tx, "replica-a")
        tx.commit()
    platform = PlatformRecord()
    assert await _outbox_b(pg, platform, clock).drain() == 3


async def test_on_sqlite_a_restarted_bot_takes_over_at_once(tmp_path: Path, clock: ManualClock) -> None:
    """One bot per SQLite file (storage/bot_lock.py): any other sender is a process that has died."""
    db = open_database(f"sqlite:///{tmp_path}/copbot.db")
    try:
        _a_is_sending(db, clock)
        platform = PlatformRecord()
        assert await _outbox_b(db, platform, clock).drain() == 3
    finally:
        db.dispose()


async def test_a_stopped_runtime_leaves_no_heartbeat(config: CommunityConfig, db: Database, clock: ManualClock) -> None:
    bot = Runtime(config, db, ConsoleAdapter(), clock, RITUALS)
    await bot.start(background=False)
    with db.session() as tx:
        assert replicas.live_replicas(tx, bot.community, clock.now()) == [bot.outbox.sender_id]
    await bot.stop()
    with db.session() as tx:
        assert replicas.live_replicas(tx, bot.community, clock.now()) == []
