"""The discord.py client copbot runs: minimal intents, no mentions by default, paced REST calls.

It only forwards gateway events to the adapter (:mod:`adapters.discord.adapter`), which translates
them into neutral events; no ritual logic lives here.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import discord
from discord import app_commands

from adapters.discord.buttons import CopButton
from adapters.discord.pacing import rate_limit_trace
from adapters.discord.settings import DiscordSettings
from bot.pacing import Pacer

BUCKET_SWEEP_EVERY = 256


def build_intents(message_content: bool) -> discord.Intents:
    """Only what copbot uses: guilds (channels, threads), members (privileged: joins and leaves),
    guild reactions (participation), guild messages (thread replies); message content only on request."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.members = True
    intents.guild_reactions = True
    intents.guild_messages = True
    intents.message_content = message_content
    return intents


class GatewayListener(Protocol):
    """What the client hands gateway events to: the adapter (:mod:`adapters.discord.adapter`)."""

    ready: asyncio.Event
    resumed: int

    async def on_member_join(self, member: discord.Member) -> None: ...

    async def on_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None: ...

    async def on_reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None: ...

    async def on_message(self, message: discord.Message) -> None: ...

    def on_people_event(self) -> None: ...


class CopClient(discord.Client):
    """A ``discord.Client`` that hands every gateway event it listens for to one :class:`GatewayListener`."""

    def __init__(self, adapter: GatewayListener, settings: DiscordSettings) -> None:
        super().__init__(
            intents=build_intents(settings.message_content),
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=settings.max_ratelimit_timeout,
            chunk_guilds_at_startup=False,  # we never need the whole member list in memory
            guild_ready_timeout=settings.guild_ready_timeout,
            http_trace=rate_limit_trace(),  # counts 429s for /metrics
        )
        self.copbot = adapter
        self.tree: app_commands.CommandTree[CopClient] = app_commands.CommandTree(self)
        self.pacer = Pacer(settings.requests_per_second, window=settings.pacing_window)
        self._pace_rest()
        self._sweep_buckets_less_often()

    def _pace_rest(self) -> None:
        """Every REST call waits for a permit first: discord.py has per-route buckets but only learns of
        the global limit from a 429, and each global 429 costs the whole bot a pause."""
        original = self.http.request
        pacer = self.pacer

        async def paced(route: discord.http.Route, **kwargs: Any) -> Any:
            await pacer.wait()
            return await original(route, **kwargs)

        self.http.request = paced  # type: ignore[method-assign]

    def _sweep_buckets_less_often(self) -> None:
        """Run discord.py's sweep of idle rate-limit buckets once per ``BUCKET_SWEEP_EVERY`` new buckets.

        discord.py keeps one bucket per route and channel, and once it holds 256 it checks *every* bucket
        for idleness each time it creates another. Each DM channel is a new bucket, so a 1,000-DM fan-out
        made about half a million checks (over a third of the bot's CPU while sending), none of which could
        free anything: a bucket only counts as idle after 300 s. Sweeping every 256th new bucket keeps the
        dictionary bounded the same way at a constant cost per request. The method is private; a test
        asserts it still exists.
        """
        sweep = self.http._try_clear_expired_ratelimits
        new_buckets = 0

        def sweep_now_and_then() -> None:
            nonlocal new_buckets
            new_buckets += 1
            if new_buckets >= BUCKET_SWEEP_EVERY:
                new_buckets = 0
                sweep()

        self.http._try_clear_expired_ratelimits = sweep_now_and_then  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        self.add_dynamic_items(CopButton)

    async def on_ready(self) -> None:
        self.copbot.ready.set()

    async def on_member_join(self, member: discord.Member) -> None:
        await self.copbot.on_member_join(member)

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        await self.copbot.on_member_remove(payload)

    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if before.roles != after.roles or before.nick != after.nick or before.name != after.name:
            self.copbot.on_people_event()

    async def on_guild_role_create(self, role: discord.Role) -> None:
        self.copbot.on_people_event()

    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        self.copbot.on_people_event()

    async def on_guild_role_delete(self, role: discord.Role) -> None:
        self.copbot.on_people_event()

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.copbot.on_reaction(payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self.copbot.on_reaction(payload, added=False)

    async def on_message(self, message: discord.Message) -> None:
        await self.copbot.on_message(message)

    async def on_resumed(self) -> None:
        self.copbot.resumed += 1
