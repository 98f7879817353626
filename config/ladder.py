"""The `rituals.ladder` section of community.yaml: private suggestions of who may be ready for a next step.

Every threshold is an admin's choice; nothing moves without a facilitator's and the member's yes.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from config.base import Schedule, Strict
from config.durations import Duration


class Rung(Strict):
    """What a member must have done (within the ladder's window, except days_member) to be suggested for a rung."""

    days_member: int = Field(default=0, ge=0, description="days since they joined")
    prompt_replies: int = Field(default=0, ge=0, description="replies in weekly prompt threads")
    pairings_met: int = Field(default=0, ge=0, description="pairings they said they met")
    kudos_received: int = Field(default=0, ge=0, description="kudos received")
    newcomers_buddied: int = Field(default=0, ge=0, description="newcomers they were buddy to")
    sessions_co_hosted: int = Field(default=0, ge=0, description="community sessions co-hosted")
    sessions_hosted: int = Field(default=0, ge=0, description="community sessions hosted")


class LadderRungs(Strict):
    """The thresholds for each step up: newcomer → regular → buddy → co-host → facilitator."""

    regular: Rung = Field(default_factory=lambda: Rung(days_member=14, prompt_replies=3))
    buddy: Rung = Field(
        default_factory=lambda: Rung(days_member=45, prompt_replies=6, pairings_met=2, kudos_received=2)
    )
    co_host: Rung = Field(
        default_factory=lambda: Rung(days_member=90, prompt_replies=10, kudos_received=4, newcomers_buddied=1)
    )
    facilitator: Rung = Field(
        default_factory=lambda: Rung(days_member=120, prompt_replies=12, kudos_received=6, sessions_co_hosted=2)
    )


class LadderConfig(Strict):
    """Private suggestions to facilitators of who may be ready for the next step, with the figures behind them."""

    enabled: bool = Field(default=True, description="false stops the ladder suggestions")
    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 9 * * mon"),
        description="when facilitators get the week's suggestions (default Mondays 09:00)",
    )
    window_days: int = Field(
        default=180, ge=7, description="only activity in the last this many days counts toward a step"
    )
    rungs: LadderRungs = Field(default_factory=LadderRungs, description="the thresholds for each step")
    invitation_expires: Duration = Field(
        default=timedelta(days=14), description="an invitation the member does not answer within this long lapses"
    )
    quiet_after_no: Duration = Field(
        default=timedelta(days=90),
        description="after a facilitator says 'not now' or the member declines, no new suggestion for this long",
    )
