"""The `rituals.kudos`, `rituals.resources` and `rituals.ladder` sections of community.yaml (filled in by the
recognition work)."""

from __future__ import annotations

from pydantic import Field

from config.base import Strict


class KudosConfig(Strict):
    """Public thank-yous between members, with a digest and optional milestones."""

    enabled: bool = Field(default=True, description="false turns /cop kudos off")


class ResourcesConfig(Strict):
    """The shared repertoire: valuable threads harvested into a searchable resource library."""

    enabled: bool = Field(default=True, description="false turns /cop harvest and /cop resources off")


class LadderConfig(Strict):
    """Private suggestions to facilitators of who may be ready for the next step, with the figures behind them."""

    enabled: bool = Field(default=True, description="false stops the ladder suggestions")
