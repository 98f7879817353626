"""The `rituals.anniversaries` section of community.yaml: a cheer in the channel on each member's join day."""

from __future__ import annotations

from pydantic import Field

from config.base import Schedule, Strict


class AnniversariesConfig(Strict):
    """Celebrates, once a year, the day each member joined the community."""

    enabled: bool = Field(default=True, description="false stops the celebrations")
    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 9 * * *"),
        description="when the day's anniversaries are announced (default every day at 09:00)",
    )
    channel: str | None = Field(default=None, description="logical channel for the cheer; default general")
