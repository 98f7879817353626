"""The `rituals.resources` section of community.yaml: the resource library of the community's valuable threads."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from config.base import Schedule, Strict
from config.durations import Duration


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
        json_schema_extra={"patternErrorMessage": "write member (anyone may harvest) or facilitator"},
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
