"""PostgreSQL restarts under a running bot (an upgrade, a failover): the bot reconnects and loses nothing.

Every pooled connection dies with the server. ``pool_pre_ping`` (storage/db.py) swaps a dead one for a
fresh one before use; the participation writer retries a batch while the server is away, instead of
dropping it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import MemberJoined, ReactionAdded
from bot.runtime import Runtime
from config.models import CommunityConfig
from copbot.registry import RITUALS
from storage import queries
from storage.db import Database, open_database
from storage.ingest import ParticipationWriter
from tests.conftest import START, posts
from tests.postgres_server import PostgresServer


@pytest.fixture
async def pg_runtime(pg_url: str, config: CommunityConfig, clock: ManualClock) -> AsyncIterator[Runtime]:
    db = open_database(pg_url)
    runtime = Runtime(config, db, ConsoleAdapter(), clock, RITUALS)
    await runtime.start(background=False)
    yield runtime
    await runtime.stop()
    db.dispose()


async def _week(runtime: Runtime, clock: ManualClock, week: int, members: list[str]) -> str:
    """Monday's prompt goes out; every member reacts to it. Returns the prompt's message reference."""
    clock.set(START + timedelta(weeks=week, hours=2, minutes=1))  # Monday 10:01 in Berlin
    runtime.tick()
    await runtime.settle()
    adapter = runtime.adapter
    assert isinstance(adapter, ConsoleAdapter)
    ref = adapter.transcript[-1].ref
    for member in members:
        await runtime.handle_event(ReactionAdded(platform="console", event_id=f"w{week}-{member}",
                                                 member=f"console:{member}", at=clock.now(), message_ref=ref,
                                                 emoji="+1"))  # fmt: skip
    await runtime.settle()
    return ref


async def test_the_bot_carries_on_after_postgres_restarts(pg_runtime: Runtime, clock: ManualClock,
                                                          postgres_server: PostgresServer) -> None:
    runtime = pg_runtime
    for name in ("ana", "ben"):
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"join-{name}",
                                                member=f"console:{name}", at=clock.now(), name=name.title()))
    await _week(runtime, clock, 0, ["ana", "ben"])

    postgres_server.restart()  # every connection in the pool is now dead

    await _week(runtime, clock, 1, ["ana"])
    await runtime.handle_event(MemberJoined(platform="console", event_id="join-cyd", member="console:cyd",
                                            at=clock.now(), name="Cyd"))  # fmt: skip
    await _week(runtime, clock, 2, ["ana", "ben", "cyd"])

    adapter = runtime.adapter
    assert isinstance(adapter, ConsoleAdapter)
    assert len(posts(adapter, "guild-weekly")) == 3  # one prompt a week, none lost, none twice
    with runtime.db.session() as tx:
        reactions = [e for e in queries.participation(tx, runtime.community) if e.kind == "reaction"]
        unsent = queries.unsent_deliveries(tx, runtime.community)
        members = queries.members(tx, runtime.community)
    assert len(reactions) == 6
    assert unsent == []
    assert {m.key for m in members} >= {"console:ana", "console:ben", "console:cyd"}


async def test_participation_submitted_while_postgres_is_down_is_written_when_it_is_back(
    pg_url: str, postgres_server: PostgresServer
) -> None:
    db: Database = open_database(pg_url)
    writer = ParticipationWriter(db, max_delay=0.01)
    writer.start()
    try:
        postgres_server.stop("fast")
        back = threading.Timer(1.0, postgres_server.start)  # down for a second or two, then back
        back.start()
        for n in range(40):
            writer.submit_nowait({"community": "c", "platform": "console", "event_id": f"down-{n}",
                                  "member": "console:ana", "kind": "reaction", "ritual": "prompts",
                                  "subject": "", "at": START + timedelta(minutes=n)})  # fmt: skip
        await asyncio.wait_for(writer.flush(), 60)
        back.join()
        assert (writer.stored, writer.failed) == (40, 0)
        with db.session() as tx:
            assert len(queries.participation(tx, "c")) == 40
    finally:
        await writer.stop()
        db.dispose()
