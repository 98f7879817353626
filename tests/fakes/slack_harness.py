"""A whole community on Slack for tests: the fake Slack API, the real adapter and a real Runtime around it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from adapters.slack.adapter import SlackAdapter
from adapters.slack.pacing import Pacing
from bot.clock import ManualClock
from bot.runtime import RitualFactory, Runtime
from config.loader import parse_config
from copbot.registry import RITUALS
from copbot.web import build_web_app
from storage import queries
from storage.db import Database, open_database
from tests.fakes.pinned_clock import PLATFORM_CLOCK, PLATFORM_START
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import SlackSender

SIGNING_SECRET = "8f742231b10e8888abcd99aabb85a5c0"
BOT_TOKEN = "xoxb-0001-test-token"
TEAM = "T0001"
FACILITATOR = "UFAC"
MEMBER = "UANA"
COMMUNITY_CHANNEL = "C0COMMUNITY"
PROMPTS_CHANNEL = "C0PROMPTS"

CONFIG = f"""
community:
  id: slack-guild
  name: Slack Guild
  timezone: Europe/Berlin
  channels:
    general: community
    prompts: "#prompts"
roles:
  facilitators: ["slack:{TEAM}:{FACILITATOR}"]
delivery:
  direct_messages:
    per_second: 0  # the fake Slack is not a spam filter: tests send DMs at once (the pace has its own tests)
rituals:
  prompts:
    schedule:
      cron: "0 10 * * mon"
    questions:
      - "What did you automate this week?"
      - "Which tool surprised you lately?"
"""

FAST = Pacing(per_channel_seconds=0.01, method_rates={})


@dataclass
class SlackWorld:
    """Everything a Slack test touches."""

    fake: FakeSlack
    adapter: SlackAdapter
    runtime: Runtime
    sender: SlackSender
    db: Database

    @property
    def community(self) -> str:
        return self.runtime.community

    def deliveries(self, status: str | None = None) -> list[str]:
        with self.db.session() as tx:
            return [d.id for d in queries.deliveries(tx, self.community, status)]

    async def participation_count(self) -> int:
        await self.runtime.writer.flush()
        with self.db.session() as tx:
            return queries.participation_count(tx, self.community)

    async def all_sent(self) -> None:
        """Wait until the outbox has nothing pending (bound it with asyncio.timeout)."""
        await eventually(lambda: not self.deliveries("pending") and not self.deliveries("sending"))


async def eventually(predicate: Callable[[], bool], interval: float = 0.01) -> None:
    """Poll until ``predicate()`` holds; callers bound it with ``asyncio.timeout``."""
    # The database has no change notification, so polling is the honest wait here.
    while True:
        if predicate():
            return
        await asyncio.sleep(interval)


@asynccontextmanager
async def slack_world(
    tmp_path: Path,
    *,
    pacing: Pacing = FAST,
    rituals: Sequence[RitualFactory] = RITUALS,
    config: str = CONFIG,
    app_token: str | None = None,
    web: bool = False,
    start: datetime = PLATFORM_START,
    workspace: Callable[[FakeSlack], object] | None = None,
) -> AsyncIterator[SlackWorld]:
    """A started Slack community; ``web``: the bot's own routes (/healthz, /metrics) share the adapter's port;
    ``workspace`` adds people and user groups to the fake Slack before the bot starts."""
    fake = FakeSlack(team_id=TEAM)
    fake.add_channel(COMMUNITY_CHANNEL, "community")
    fake.add_channel(PROMPTS_CHANNEL, "prompts")
    fake.add_user(FACILITATOR, "Dana", "Europe/Berlin")
    fake.add_user(MEMBER, "Ana", "America/Sao_Paulo")
    if workspace is not None:
        workspace(fake)  # more people, groups, emails, before the bot first looks
    await fake.start()
    parsed = parse_config(config, "community.yaml")
    adapter = SlackAdapter(
        token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        base_url=fake.api_url,
        app_token=app_token,
        host="127.0.0.1",
        port=0,
        pacing=pacing,
        community_channel=parsed.community.channels.general,
        clock=ManualClock(start),  # pinned: the suite runs the same on any day
    )
    db = open_database(f"sqlite:///{tmp_path / 'copbot.db'}")
    runtime = Runtime(parsed, db, adapter, adapter.clock, list(rituals))
    if web:
        adapter.shared_routes = lambda application: build_web_app(runtime, application)
    await runtime.start(background=True)
    sender = SlackSender(adapter.url, SIGNING_SECRET)
    try:
        yield SlackWorld(fake, adapter, runtime, sender, db)
    finally:
        await sender.close()
        await runtime.stop()
        await fake.stop()
        db.dispose()


def now_ts() -> str:
    return f"{PLATFORM_CLOCK.timestamp():.6f}"
