"""``copbot run --platform discord``: the live Discord bot, and its one-line refusals when it cannot start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from adapters.discord.adapter import DiscordAdapter, DiscordStartError
from adapters.discord.settings import PORTAL, DiscordSettings, configure_endpoints
from bot.events import Event
from bot.people import Resolution
from bot.web_server import PortError, port_from_env
from config.models import CommunityConfig
from copbot.live import build_live_runtime, serve
from storage import queries
from storage.db import Database

log = logging.getLogger("copbot.discord")


class CommunityState:
    """The adapter's small key/value state in ``community_state`` (used for the command tree's hash)."""

    def __init__(self, db: Database, community: str) -> None:
        self.db = db
        self.community = community

    def get(self, key: str) -> str | None:
        with self.db.session() as tx:
            return queries.get_state(tx, self.community, key)

    def set(self, key: str, value: str) -> None:
        with self.db.session() as tx:
            queries.set_state(tx, self.community, key, value)
            tx.commit()


def discord_unreachable(exc: BaseException, settings: DiscordSettings) -> str | None:
    """Discord could not be reached at all (DNS, refused, timeout, its 5xx), in one line; None for anything else
    (a rejected token or a missing intent is Discord answering, and stops the bot with its own message)."""
    import aiohttp
    import discord

    if isinstance(exc, discord.DiscordServerError | discord.GatewayNotFound):
        reason = str(exc)
    elif isinstance(exc, aiohttp.ClientError | OSError | TimeoutError):
        reason = str(exc) or type(exc).__name__
    else:
        return None
    return f"Discord ({settings.api_url or 'discord.com'}) is unreachable: {reason}"


async def serve_discord(
    config_path: Path | None,
    config: CommunityConfig,
    db: Database,
    settings: DiscordSettings,
    stop: asyncio.Event | None = None,
) -> int:
    """Serve until stopped; 2 with one clear line on stderr when Discord cannot be used as configured."""
    if not settings.token:
        print(
            f"DISCORD_TOKEN is not set: create a bot at {PORTAL} → your application → Bot, copy its token and "
            "export DISCORD_TOKEN=... (see docs/discord.md)",
            file=sys.stderr,
        )
        return 2
    try:
        web_port = port_from_env(os.environ)  # /healthz, /metrics, ... only when PORT is set
    except PortError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    configure_endpoints(settings.api_url, settings.gateway_url)
    stop = stop or asyncio.Event()
    adapter = DiscordAdapter(settings, state=CommunityState(db, config.community.id))
    runtime = build_live_runtime(config, db, adapter)
    adapter.commands = lambda: runtime.router.specs
    adapter.on_fatal = lambda _message: stop.set()
    try:
        await serve(runtime, config_path, stop, web_port=web_port,
                    unreachable=lambda exc: discord_unreachable(exc, settings))
    except (DiscordStartError, PortError) as exc:
        with contextlib.suppress(Exception):
            await runtime.stop()
        print(str(exc), file=sys.stderr)
        return 2
    if adapter.fatal:
        print(adapter.fatal, file=sys.stderr)
        return 2
    return 0


async def resolve_people_live(refs: Sequence[str]) -> Resolution:
    """``copbot check --platform discord`` with DISCORD_TOKEN set: the server's answer for each reference (the bot
    connects to the gateway for the member list and disconnects; it registers no commands and sends nothing)."""
    settings = DiscordSettings.from_env()
    configure_endpoints(settings.api_url, settings.gateway_url)
    adapter = DiscordAdapter(settings)

    async def ignore(_: Event) -> None:
        return None

    await adapter.start(ignore)
    try:
        return await adapter.resolve_people(refs)
    finally:
        await adapter.stop()


def run_discord(config_path: Path, config: CommunityConfig, db: Database) -> int:
    """Entry point used by :func:`copbot.platforms.registry.run_platform`."""
    return asyncio.run(serve_discord(config_path, config, db, DiscordSettings.from_env()))
