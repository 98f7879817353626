"""Discord settings from the environment, and pointing discord.py at another Discord (a local fake in tests).

Tokens come only from the environment and are never logged. The endpoint overrides write two private
discord.py class attributes (``Route.BASE``, ``DiscordWebSocket.DEFAULT_GATEWAY``); a test asserts they
still exist, so a discord.py upgrade that renames them fails loudly instead of silently calling discord.com.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.pacing import WINDOW_SECONDS

PORTAL = "https://discord.com/developers/applications"


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    return float(raw) if raw else default


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    return default if not raw else raw in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class DiscordSettings:
    """Everything the adapter needs besides community.yaml.

    ``requests_per_second`` paces every REST call below Discord's global limit (50/s): discord.py only
    *reacts* to a global 429, so without pacing a fan-out of 1,000 DMs would hit it again and again.
    How fast the bot may DM members, and whether it may at all, is the community's choice: it lives in
    community.yaml (``delivery.direct_messages``), not here.
    """

    token: str = ""
    api_url: str | None = None
    gateway_url: str | None = None
    guild_id: int | None = None
    message_content: bool = False
    max_ratelimit_timeout: float = 60.0
    requests_per_second: float = 45.0
    pacing_window: float = WINDOW_SECONDS
    """Seconds' worth of requests the REST pacer lets out per wake-up (bot/pacing.py); a
    benchmark on a sped-up fake clock divides it by the speed so a burst stays the same share of a second."""
    defer_after: float = 2.0
    guild_ready_timeout: float = 2.0
    connect_timeout: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DiscordSettings:
        env = os.environ if env is None else env
        guild = env.get("DISCORD_GUILD_ID", "").strip()
        return cls(
            token=env.get("DISCORD_TOKEN", "").strip(),
            api_url=env.get("DISCORD_API_URL") or None,
            gateway_url=env.get("DISCORD_GATEWAY_URL") or None,
            guild_id=int(guild) if guild else None,
            message_content=_flag(env, "DISCORD_MESSAGE_CONTENT", False),
            max_ratelimit_timeout=_float(env, "DISCORD_MAX_RATELIMIT_TIMEOUT", 60.0),
            requests_per_second=_float(env, "DISCORD_REQUESTS_PER_SECOND", 45.0),
        )


def configure_endpoints(api_url: str | None, gateway_url: str | None) -> None:
    """Point discord.py's REST base and gateway address elsewhere (process-wide, as discord.py reads them)."""
    if api_url:
        Route.BASE = api_url.rstrip("/")
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
