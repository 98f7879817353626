"""The `rituals.kudos`, `rituals.resources` and `rituals.ladder` sections of community.yaml: recognition.

Kudos are thank-yous between members; the resource library keeps the community's valuable threads; the ladder
suggests to facilitators, privately, who may be ready for a next step. Every threshold is an admin's choice.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from config.base import Schedule, Strict
from config.durations import Duration


class KudosConfig(Strict):
    """Public thank-yous between members, with a digest and optional milestones."""

    enabled: bool = Field(default=True, description="false turns /cop kudos off")
    channel: str | None = Field(default=None, description="logical channel for public kudos; default general")
    max_per_day: int = Field(
        default=5, ge=1, description="how many kudos one member may give per day (in the community's time zone)"
    )
    max_reason_length: int = Field(default=300, ge=20, le=2000, description="longest 'for ...' reason, in characters")
    allow_private: bool = Field(
        default=True, description="false refuses `/cop kudos private @member ...` (every kudos is public)"
    )
    digest: Schedule | None = Field(
        default_factory=lambda: Schedule(cron="0 16 * * fri"),
        description="when the digest of the kudos given since the last one is posted; null for no digest",
    )
    milestones: list[int] = Field(
        default_factory=list,
        description="announce in the channel when a member has received this many kudos, e.g. [10, 25, 50]; "
        "empty for none",
    )

    @field_validator("milestones")
    @classmethod
    def _positive_sorted(cls, value: list[int]) -> list[int]:
        if any(n < 1 for n in value):
            raise ValueError("milestones are numbers of kudos received, each at least 1, e.g. [10, 25, 50]")
        return sorted(set(value))


class ResourcesConfig(Strict):
    """The shared repertoire: valuable threads harvested into a searchable resource library."""

    enabled: bool = Field(default=True, description="false turns /cop harvest and /cop resources off")
    harvest_reactions: list[str] = Field(
        default_factory=lambda: ["pushpin", "📌"],
        description="reactions that save the thread of the message they are on (emoji names or characters)",
    )
    harvest_role: str = Field(
        default="member",
        pattern="^(member|facilitator)$",
        description="who may harvest a thread: member (anyone) or facilitator",
    )
    keep_thread_text: Duration = Field(
        default=timedelta(days=60),
        description="how long the text of unharvested threads is kept so they can still be harvested, e.g. 60d",
    )
    summary_lines: int = Field(default=3, ge=1, le=20, description="how many first lines of a thread the summary keeps")
    results: int = Field(default=5, ge=1, le=20, description="how many matches /cop resources shows")
    nudge: Schedule | None = Field(
        default_factory=lambda: Schedule(cron="0 15 * * fri"),
        description="when facilitators are asked whether this week's prompt thread belongs in the library; "
        "null for no nudge",
    )

    def harvest_emoji(self, emoji: str) -> bool:
        """Whether a reaction (as an adapter names it, with or without colons) is a harvest request."""
        wanted = {e.strip(":").lower() for e in self.harvest_reactions}
        return emoji.strip(":").lower() in wanted


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
