"""The `rituals.nudges` section of community.yaml: one friendly DM to members who went quiet."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from config.base import Schedule, Strict


class NudgesConfig(Strict):
    """Quiet members get one personal DM pointing at something current; facilitators see who came back."""

    enabled: bool = Field(default=True, description="false stops the nudges")
    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 10 * * wed", grace=timedelta(days=2)),
        description="when the bot looks for quiet members (default Wednesdays 10:00, after the week's prompt)",
    )
    quiet_weeks: int = Field(
        default=4, ge=1, le=52,
        description="a member is quiet after this many weeks without taking part (a reaction, reply, post, "
        "meeting, ...)",
    )
    every_weeks: int = Field(
        default=8, ge=1, le=104, description="at most one nudge per member in this many weeks"
    )
    came_back_within_weeks: int = Field(
        default=4, ge=1, le=26, description="a nudged member who takes part within this many weeks came back"
    )
    max_per_run: int = Field(default=200, ge=1, le=10000, description="at most this many nudges at one time")
