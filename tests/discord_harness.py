"""Test harness for the Discord adapter: a fake Discord plus a real Runtime around the real adapter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.settings import DiscordSettings, configure_endpoints
from bot.clock import Clock
from bot.events import Event
from bot.runtime import Runtime
from config.loader import parse_config
from config.models import CommunityConfig
from copbot.platforms.discord import CommunityState
from copbot.registry import RITUALS
from storage.db import Database
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.pinned_clock import PLATFORM_CLOCK

FIXTURES = Path(__file__).parent / "fixtures" / "discord"
ANA = 100000000000000001  # facilitator
BEN = 100000000000000002  # member
GENERAL = 200000000000000001
PROMPTS = 200000000000000002


def load_config(text: str | None = None, label: str | None = None) -> CommunityConfig:
    path = FIXTURES / "community.yaml"
    return parse_config(text if text is not None else path.read_text(), label or str(path))


def key(fake: FakeDiscord, user_id: int) -> str:
    return f"discord:{fake.guild_id}:{user_id}"


def settings_for(fake: FakeDiscord, **overrides: object) -> DiscordSettings:
    values: dict[str, object] = {
        "token": "fake-token",
        "api_url": fake.api_url,
        "gateway_url": fake.gateway_url,
        "guild_ready_timeout": 0.05,
        "requests_per_second": 0,
        "connect_timeout": 10.0,
    }
    values.update(overrides)
    return DiscordSettings(**values)  # type: ignore[arg-type]


@dataclass
class Bot:
    runtime: Runtime
    adapter: DiscordAdapter
    events: list[Event] = field(default_factory=list)
    seen: asyncio.Condition = field(default_factory=asyncio.Condition)

    def record_events(self) -> None:
        """Wrap the adapter's sink so tests can wait for what reached the runtime."""
        inner = self.adapter.sink
        assert inner is not None

        async def sink(event: Event) -> str | None:
            try:
                return await inner(event)
            finally:
                self.events.append(event)
                async with self.seen:
                    self.seen.notify_all()

        self.adapter.sink = sink

    async def wait_event(self, predicate: Callable[[Event], bool], count: int = 1, wait_s: float = 10.0) -> list[Event]:
        async def check() -> list[Event]:
            async with self.seen:
                while len(found := [e for e in self.events if predicate(e)]) < count:
                    await self.seen.wait()
                return found

        return await asyncio.wait_for(check(), wait_s)


@asynccontextmanager
async def running_bot(
    fake: FakeDiscord, db: Database, config_text: str | None = None, *, clock: Clock | None = None,
    config_path: str | None = None, **overrides: object
) -> AsyncIterator[Bot]:
    """A real Runtime with the real adapter connected to ``fake``; stopped on exit.

    ``clock``: the runtime's clock (a ManualClock to move days ahead; the adapter keeps the fake's clock).
    """
    settings = settings_for(fake, **overrides)
    configure_endpoints(settings.api_url, settings.gateway_url)
    config = load_config(config_text, config_path)
    adapter = DiscordAdapter(
        settings, state=CommunityState(db, config.community.id),
        clock=PLATFORM_CLOCK,  # the fake Discord's clock: real seconds, a pinned date
    )
    runtime = Runtime(config, db, adapter, clock or PLATFORM_CLOCK, RITUALS)
    adapter.commands = lambda: runtime.router.specs
    runtime.config_listeners.append(adapter.apply_config)  # as copbot/platforms/discord.py wires it
    await runtime.start(background=True)
    bot = Bot(runtime, adapter)
    bot.record_events()
    try:
        yield bot
    finally:
        await runtime.stop()
