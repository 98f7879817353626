"""The `rituals.health` section of community.yaml: the health report ritual (filled in by the health work)."""

from __future__ import annotations

from pydantic import Field

from config.base import Schedule, Strict


class HealthConfig(Strict):
    """A regular report to the facilitators on how the community is doing, and what to do next."""

    enabled: bool = Field(default=True, description="false stops the scheduled report; /cop health still works")
    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 9 1 * *"),
        description="when the report is posted (default the 1st of each month, 09:00)",
    )
