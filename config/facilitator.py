"""The `rituals.facilitator` section of community.yaml: the rotating facilitator rota."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from config.base import Schedule, Strict
from config.durations import Duration


class FacilitatorConfig(Strict):
    """Who hosts the community session: a fair rota of volunteers, announced and reminded ahead of time."""

    enabled: bool = Field(default=True, description="false pauses the rota without deleting its settings or ledger")
    sessions: Schedule = Field(
        description='when the community session takes place, e.g. cron "0 16 * * thu" (Thursdays 16:00)',
    )
    announce_before: Duration = Field(
        default=timedelta(days=2),
        description="how long before each session the host is announced in the channel, e.g. 2d",
    )
    remind_before: Duration = Field(
        default=timedelta(days=1),
        description="how long before each session the host gets a reminder by DM, e.g. 1d",
    )
    channel: str | None = Field(default=None, description="logical channel for announcements; default general")
    pool: list[str] = Field(
        default_factory=list,
        description='the founding facilitator pool: "@handle", email:, role:Name or member keys; others join with '
        "/cop facilitator volunteer",
    )
    cohost_for_newer_than_days: int | None = Field(
        default=None,
        ge=1,
        description="volunteers newer than this many days co-host beside an experienced host before hosting alone",
    )
    swap_timeout: Duration = Field(
        default=timedelta(days=2),
        description="a swap request nobody answers within this long lapses (and changes nothing)",
    )
