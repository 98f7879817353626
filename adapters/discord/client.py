"""The discord.py client copbot runs: minimal intents, no mentions by default, paced REST calls.

It only forwards gateway events to the adapter (:mod:`adapters.discord.adapter`), which translates
them into neutral events; no ritual logic lives here.

What of discord.py it relies on: only public API (``Client`` options, ``http_trace`` for pacing and 429
counting, events), so the pin can follow discord.py's 2.x line. One private method is thinned out when present
(``HTTPClient._try_clear_expired_ratelimits``, a CPU saving only); without it the client works the same.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import discord
from discord import app_commands

from adapters.discord.buttons import CopButton
from adapters.discord.pacing import rest_trace
from adapters.discord.settings import DiscordSettings
from bot.pacing import Pacer

log = logging.getLogger(__name__)

BUCKET_SWEEP_EVERY = 256
_SWEEP = "_try_clear_expired_ratelimits"


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
        # Every HTTP request discord.py makes waits for a permit first (the trace is awaited before the
        # request goes out, retries included): discord.py keeps per-route buckets but only learns of the
        # global limit from a 429, and each global 429 costs the whole bot a pause.
        self.pacer = Pacer(settings.requests_per_second, window=settings.pacing_window)
        super().__init__(
            intents=build_intents(settings.message_content),
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=settings.max_ratelimit_timeout,
            chunk_guilds_at_startup=False,  # we never need the whole member list in memory
            guild_ready_timeout=settings.guild_ready_timeout,
            http_trace=rest_trace(self.pacer),  # paces every request and counts 429s for /metrics
        )
        self.copbot = adapter
        self.tree: app_commands.CommandTree[CopClient] = app_commands.CommandTree(self)
        self.sweeps_thinned = self._sweep_buckets_less_often()

    def _sweep_buckets_less_often(self) -> bool:
        """Run discord.py's sweep of idle rate-limit buckets once per ``BUCKET_SWEEP_EVERY`` new buckets.

        discord.py keeps one bucket per route and channel, and once it holds 256 it checks *every* bucket
        for idleness each time it creates another. Each DM channel is a new bucket, so a 1,000-DM fan-out
        made about half a million checks (over a third of the bot's CPU while sending), none of which could
        free anything: a bucket only counts as idle after 300 s. Sweeping every 256th new bucket keeps the
        dictionary bounded the same way at a constant cost per request. The method is private: when a
        discord.py release no longer has it, this does nothing (and returns False) and the bot only spends
        more CPU on large fan-outs; a test says whether the installed discord.py still has it.
        """
        sweep = getattr(self.http, _SWEEP, None)
        if not callable(sweep):
            log.debug("discord.py has no %s: its bucket sweep runs as discord.py decides", _SWEEP)
            return False
        new_buckets = 0

        def sweep_now_and_then() -> None:
            nonlocal new_buckets
            new_buckets += 1
            if new_buckets >= BUCKET_SWEEP_EVERY:
                new_buckets = 0
                sweep()

        setattr(self.http, _SWEEP, sweep_now_and_then)
        return True

    async def setup_hook(self) -> None:
        self.add_dynamic_items(CopButton)

    async def on_ready(self) -> None:
        for guild in self.guilds:
            log.info("Discord: connected to server %s (%s) as %s, %s members", guild.name, guild.id, self.user,
                     guild.member_count)
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
