"""The `rituals.expertise` section of community.yaml: who knows what, asked privately with /cop who knows."""

from __future__ import annotations

from pydantic import Field

from config.base import Strict


class ExpertiseConfig(Strict):
    """An expertise directory from what members say and do; only those who agreed are named."""

    enabled: bool = Field(default=True, description="false turns /cop who knows and /cop skills off")
    names_shown: int = Field(default=5, ge=1, le=20, description="at most this many names in an answer")
