"""Which platform to run on, and how to start each one. The only place that lists the platforms."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.people import Resolution
    from config.models import CommunityConfig
    from storage.db import Database

PLATFORMS = ("console", "slack", "discord")


def choose_platform(requested: str | None) -> str:
    """An explicit ``--platform`` wins; otherwise tokens in the environment pick it; otherwise the console."""
    if requested:
        return requested
    if os.environ.get("SLACK_BOT_TOKEN"):
        return "slack"
    if os.environ.get("DISCORD_TOKEN"):
        return "discord"
    return "console"


def run_platform(platform: str, config_path: Path, config: CommunityConfig, db: Database) -> int:
    """Start a live platform adapter and serve until stopped; returns the process exit code."""
    if platform == "slack":
        from copbot.platforms.slack import run_slack

        return run_slack(config_path, config, db)
    if platform == "discord":
        from copbot.platforms.discord import run_discord

        return run_discord(config_path, config, db)
    raise ValueError(f"unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}")


PEOPLE_FORMS = {"console": (False, False), "slack": (True, False), "discord": (False, True)}
"""Per platform, what community.yaml may name people by besides handles and keys: (email addresses, roles)."""


def live_credentials(platform: str) -> bool:
    """Are the platform's credentials in the environment (so ``copbot check`` can look people up there)?"""
    variable = {"slack": "SLACK_BOT_TOKEN", "discord": "DISCORD_TOKEN"}.get(platform)
    return bool(variable and os.environ.get(variable, "").strip())


async def resolve_live(platform: str, refs: Sequence[str]) -> Resolution:
    """Look people up in the live workspace or server with the environment's credentials (``copbot check``)."""
    if platform == "slack":
        from copbot.platforms.slack import resolve_people_live

        return await resolve_people_live(refs)
    if platform == "discord":
        from copbot.platforms.discord import resolve_people_live as resolve_discord

        return await resolve_discord(refs)
    raise ValueError(f"{platform} has no live workspace to look people up in")
