"""Shared fixtures: a small community, a fresh database, a manual clock and a console-backed runtime.

The runtime here is the real one with the real console adapter: tests drive it like a community's
week ("Ana joins on Monday; the prompt goes out; she reacts; the report counts it").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.registry import RITUALS
from bot.runtime import Runtime
from config.loader import parse_config
from config.models import CommunityConfig
from storage.db import Database, open_database
from tests.fakes.discord_fake import FakeDiscord
from tests.postgres_server import pg_url, postgres_server  # noqa: F401  (PostgreSQL fixtures for the pg suites)

COMMUNITY_YAML = """\
community:
  id: test-guild
  name: Test Guild
  timezone: Europe/Berlin
  channels:
    general: guild
    prompts: guild-weekly
roles:
  admins: [console:dana]
  facilitators: [console:fay]
rituals:
  prompts:
    schedule:
      cron: "0 10 * * mon"
      grace: 21d
    questions:
      - What did you automate this week?
      - Which alert woke you up for nothing?
      - What would you delete from our platform?
"""

# Monday 2027-01-04 08:00 Berlin = 07:00 UTC: two hours before the first weekly prompt.
START = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)


def make_config(text: str = COMMUNITY_YAML) -> CommunityConfig:
    return parse_config(text, "community.yaml")


@pytest.fixture
def config() -> CommunityConfig:
    return make_config()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'copbot.db'}"


@pytest.fixture
def db(db_url: str) -> Database:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord (REST and gateway) on 127.0.0.1 for the Discord suites; a suite with another fake
    of the same name (Slack's, say) defines its own fixture, which takes precedence in that module."""
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def adapter() -> ConsoleAdapter:
    return ConsoleAdapter()


@pytest.fixture
async def runtime(config: CommunityConfig, db: Database, adapter: ConsoleAdapter, clock: ManualClock
                  ) -> AsyncIterator[Runtime]:
    bot = Runtime(config, db, adapter, clock, RITUALS)
    await bot.start(background=False)
    yield bot
    await bot.stop()


def posts(adapter: ConsoleAdapter, channel: str | None = None) -> list[str]:
    """The bot's top-level channel posts, as text."""
    return [m.text for m in adapter.transcript
            if m.author == "copbot" and m.where.startswith("#") and (channel is None or m.where == f"#{channel}")]
