"""The `rituals.digest` section of community.yaml: a short weekly or monthly digest of what happened."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from config.base import Schedule, Strict
from config.durations import Duration


class DigestConfig(Strict):
    """The prompts and their best threads, newcomers, kudos, new resources and upcoming sessions, in a few lines."""

    enabled: bool = Field(default=True, description="false stops the digest")
    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 9 * * mon", grace=timedelta(days=1)),
        description='when the digest goes out: weekly "0 9 * * mon" (default), monthly "0 9 1 * *"',
    )
    channel: str | None = Field(default=None, description="logical channel for the digest; default general")
    post_in_channel: bool = Field(
        default=True, description="false: no channel post, only DMs to members who asked (/cop dm digest on)"
    )
    first_look_back: Duration = Field(
        default=timedelta(days=7), description="what the very first digest covers (later ones: since the last)"
    )
    items: int = Field(default=3, ge=1, le=10, description="at most this many lines per section")
