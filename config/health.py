"""The `rituals.health` section of community.yaml: the health report ritual."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from config.base import Schedule, Strict
from config.durations import Duration


class StageThresholds(Strict):
    """The numbers behind the lifecycle stage rule (docs/health.md explains each)."""

    beginning_members: int = Field(
        default=15, ge=1, description="below this many members the community is still at its beginning"
    )
    expansion_growth: float = Field(
        default=0.10, gt=0, le=10, description="membership growth per period that counts as expansion (0.10 = 10%)"
    )
    change_active_drop: float = Field(
        default=0.10,
        gt=0,
        le=1,
        description="a fall of the active members' share this large (0.10 = 10 points) means a change stage",
    )
    quiet_min_contributions: int = Field(
        default=3,
        ge=1,
        description="contributions in the two periods before that make a member 'gone quiet' when silent now",
    )
    concentration_share: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="the rota counts as concentrated when the two busiest hosts led this share of sessions",
    )


class HealthConfig(Strict):
    """A regular report to the facilitators on how the community is doing, and what to do next."""

    enabled: bool = Field(default=True, description="false stops the scheduled report; /cop health still works")
    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 9 1 * *"),
        description="when the report is posted (default the 1st of each month, 09:00)",
    )
    period: Duration = Field(
        default=timedelta(days=30),
        description="the span each report covers, compared with the span before it, e.g. 30d or 4w",
    )
    channel: str | None = Field(
        default=None,
        description="logical channel for the report; default community.channels.facilitators, "
        "and with none the admins get it by direct message",
    )
    chart: bool = Field(default=True, description="attach a chart (active members, reply rate, retention) as a PNG")
    stages: StageThresholds = Field(
        default_factory=StageThresholds, description="tune the lifecycle stage rule (see docs/health.md)"
    )
