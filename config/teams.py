"""The `teams` section of community.yaml: which team each member is on, for "never pair two of the same team".

Why three sources: Slack keeps a team in a custom profile field, Discord in a role, and a small community may
simply list its teams here. A list here wins over what a platform says.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from config.base import Strict


class TeamsConfig(Strict):
    """Where a member's team comes from."""

    members: dict[str, list[str]] = Field(
        default_factory=dict, description="team name -> member keys, e.g. {sre: [slack:T0123:U0456]}"
    )
    slack_profile_field: str | None = Field(
        default=None, description="the id of a Slack custom profile field holding the team, e.g. Xf0123ABCD"
    )
    discord_role_prefix: str | None = Field(
        default="team-", description='a Discord role named "<prefix><team>" puts its members in that team'
    )

    @field_validator("members")
    @classmethod
    def _one_team_each(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        seen: dict[str, str] = {}
        for team, keys in value.items():
            for key in keys:
                if key in seen and seen[key] != team:
                    raise ValueError(f"{key} is listed in two teams ({seen[key]} and {team}); keep one")
                seen[key] = team
        return value

    def team_of(self, member: str) -> str | None:
        """The team this file gives ``member`` (None: ask the platform's)."""
        for team, keys in self.members.items():
            if member in keys:
                return team
        return None
