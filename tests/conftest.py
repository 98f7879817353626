"""Shared fixtures: a small community, a fresh database, a manual clock and a console-backed runtime.

The runtime here is the real one with the real console adapter: tests drive it like a community's
week ("Ana joins on Monday; the prompt goes out; she reacts; the report counts it").
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock, parse_start
from bot.runtime import Runtime
from config.loader import parse_config
from config.models import CommunityConfig
from copbot.registry import RITUALS
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

PINNED_START = "2027-01-04T08:15"
"""Where every console and ``copbot simulate`` a test starts begins (``COPBOT_START``, in the shipped community's
zone, Europe/Berlin), unless the test asks for :data:`SCENARIO_STARTS`: no test may depend on the day it runs."""

SCENARIO_STARTS = {
    "mon": "2027-01-04T08:15",
    "tue": "2027-01-05T10:30",
    "wed": "2027-01-06T12:00",
    "thu": "2027-01-07T16:45",
    "fri": "2027-01-08T19:05",
    "sat": "2027-01-09T23:40",
    "sun": "2027-01-10T06:20",
    "dst-spring": "2027-03-28T01:30",  # Europe/Berlin: 02:00 becomes 03:00 half an hour later
    "dst-autumn": "2027-10-31T02:30",  # Europe/Berlin: the first of the two 02:30s (CEST); 03:00 becomes 02:00
}
"""The weekday guard: every scenario test (a console session, a simulation: a whole community over days) runs
from each weekday, each at another hour, and from both DST change days of the shipped community's zone. A
test that passes only when it happens to start on the right day fails here on the day it would fail in CI."""


@pytest.fixture(autouse=True)
def _pinned_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every console or simulate a test starts, in or out of process, begins at :data:`PINNED_START`."""
    monkeypatch.setenv("COPBOT_START", PINNED_START)


@pytest.fixture(params=list(SCENARIO_STARTS))
def scenario_start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> datetime:
    """One of :data:`SCENARIO_STARTS` (the test runs once for each), as aware UTC; also set as ``COPBOT_START``
    so a ``copbot run`` or ``copbot simulate`` the test starts begins there too."""
    text = SCENARIO_STARTS[request.param]
    monkeypatch.setenv("COPBOT_START", text)
    return parse_start(text, SHIPPED_ZONE)


SHIPPED_ZONE = "Europe/Berlin"
"""The shipped community.yaml's time zone, in which :data:`SCENARIO_STARTS` are written."""


def console_env(tmp_path: Path, columns: int = 120) -> dict[str, str]:
    """The environment of a ``copbot`` subprocess on the console: no platform tokens, a database in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env["COPBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'console.db'}"
    env["COLUMNS"] = str(columns)
    return env


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
