"""The `rituals.kudos` section of community.yaml: public thank-yous between members, a digest and milestones."""

from __future__ import annotations

from pydantic import Field, field_validator

from config.base import Schedule, Strict


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
