"""The `rituals.polls` section of community.yaml: pulse polls (filled in by the polls work)."""

from __future__ import annotations

from pydantic import Field

from config.base import Strict


class PollsConfig(Strict):
    """Facilitator polls (/cop poll) and scheduled pulse surveys."""

    enabled: bool = Field(default=True, description="false turns /cop poll and the pulse surveys off")
