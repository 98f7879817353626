"""Which platform to run on, and how to start each one. The only place that lists the platforms."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
