"""The health report, run by the real runtime on the console adapter.

Dana is the admin and Fay a facilitator. Quinn replied to prompts every week in December and then went
silent in January: the facilitators' channel must learn only that one member went quiet; Dana alone
learns it was Quinn.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import CommandInvoked, MessagePosted
from bot.runtime import Runtime
from config.models import CommunityConfig
from rituals.health.ritual import health_snapshot
from storage import queries
from storage.db import Database
from storage.models import ParticipationEvent
from tests.conftest import make_config, posts

YAML = """\
community:
  id: test-guild
  name: Test Guild
  timezone: UTC
  channels:
    general: guild
    facilitators: guild-facilitators
roles:
  admins: [console:dana]
  facilitators: [console:fay]
rituals:
  health:
    schedule:
      cron: "0 9 1 * *"
"""

JAN_1 = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def config() -> CommunityConfig:
    return make_config(YAML)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(JAN_1 + timedelta(days=20))


def seed(db: Database) -> None:
    """Ana, Dana, Fay and Quinn since October; Quinn replies weekly from 1 Nov to 20 Dec, then stops."""
    with db.session() as tx:
        for name in ("ana", "dana", "fay", "quinn"):
            queries.upsert_member(tx, community="test-guild", key=f"console:{name}", platform="console",
                                  name=name.title(), tz=None, joined_at=datetime(2026, 10, 1, tzinfo=UTC))
        for week in range(8):
            tx.add(ParticipationEvent(community="test-guild", platform="console", event_id=f"q{week}",
                                      member="console:quinn", kind="reply", ritual="prompts",
                                      at=datetime(2026, 11, 1, 12, tzinfo=UTC) + timedelta(weeks=week)))
        for day in (3, 10):
            tx.add(ParticipationEvent(community="test-guild", platform="console", event_id=f"a{day}",
                                      member="console:ana", kind="reaction", ritual="prompts",
                                      at=JAN_1 + timedelta(days=day)))
        tx.commit()


def is_png(path: str) -> bool:
    return Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def cop(runtime: Runtime, who: str, text: str, n: int) -> str:
    answer = await runtime.handle_event(CommandInvoked(platform="console", event_id=f"cmd{n}",
                                                       member=f"console:{who}", at=runtime.clock.now(), text=text))
    await runtime.settle()
    assert answer is not None
    return answer


async def test_quiet_members_are_a_count_in_the_channel_and_names_only_to_admins(
    runtime: Runtime, adapter: ConsoleAdapter, db: Database
) -> None:
    seed(db)
    assert "Only facilitators" in await cop(runtime, "ana", "health", 1)
    assert posts(adapter) == []
    answer = await cop(runtime, "fay", "health", 2)
    assert "#guild-facilitators" in answer
    channel = posts(adapter, "guild-facilitators")
    assert len(channel) == 1
    report = channel[0]
    assert "Went quiet:* 1 member who was active before" in report
    public_text = "\n".join(m.text for m in adapter.transcript if not m.where.startswith("DM @dana"))
    assert "Quinn" not in public_text
    to_dana = [m.text for m in adapter.transcript if m.where == "DM @dana"]
    assert len(to_dana) == 1 and "Quinn" in to_dana[0] and "admins only" in to_dana[0]
    assert [m for m in adapter.transcript if m.where == "DM @fay"] == []
    # the chart went along as an attachment, and the file is a PNG
    message = next(m for m in adapter.transcript if m.where == "#guild-facilitators")
    assert is_png(message.attachments[0].rsplit(": ", 1)[1])


async def test_without_a_facilitators_channel_the_admins_get_everything_by_dm(
    db: Database, adapter: ConsoleAdapter, clock: ManualClock
) -> None:
    from copbot.registry import RITUALS

    config = make_config(YAML.replace("    facilitators: guild-facilitators\n", ""))
    bot = Runtime(config, db, adapter, clock, RITUALS)
    await bot.start(background=False)
    try:
        seed(db)
        answer = await cop(bot, "fay", "health", 1)
        assert "admins by direct message" in answer
        assert posts(adapter) == []
        to_dana = [m.text for m in adapter.transcript if m.where == "DM @dana"]
        assert len(to_dana) == 1 and "community health" in to_dana[0] and "Quinn" in to_dana[0]
    finally:
        await bot.stop()


async def test_the_monthly_report_goes_out_once_on_the_first(
    db: Database, adapter: ConsoleAdapter, config: CommunityConfig
) -> None:
    from copbot.registry import RITUALS

    clock = ManualClock(datetime(2027, 1, 30, 12, 0, tzinfo=UTC))
    bot = Runtime(config, db, adapter, clock, RITUALS)
    await bot.start(background=False)
    try:
        seed(db)
        for hours in range(0, 72, 6):
            clock.set(datetime(2027, 1, 30, 12, 0, tzinfo=UTC) + timedelta(hours=hours))
            bot.tick()
            await bot.settle()
        channel = posts(adapter, "guild-facilitators")
        assert len(channel) == 1
        assert "02 Jan – 01 Feb 2027" in channel[0]  # the 30 days up to 1 Feb 09:00
    finally:
        await bot.stop()


async def test_plain_posts_count_as_posted_in_the_snapshot(
    runtime: Runtime, db: Database, config: CommunityConfig, clock: ManualClock
) -> None:
    seed(db)
    for i, who in enumerate(("ana", "fay", "ana")):
        await runtime.handle_event(MessagePosted(platform="console", event_id=f"p{i}", member=f"console:{who}",
                                                 at=clock.now() - timedelta(hours=1), channel="guild",
                                                 message_ref=f"m{i}", text="hi"))
    await runtime.settle()
    snapshot = health_snapshot(db, config, clock.now())
    assert snapshot.active_this.posted == 2
    assert snapshot.active_this.reacted == 1
    assert snapshot.active_this.total == 2  # Ana (posted, reacted) and Fay (posted)
    assert [q.name for q in snapshot.quiet_members] == ["Quinn"]
