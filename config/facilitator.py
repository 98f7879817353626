"""The `rituals.facilitator` section of community.yaml."""

from __future__ import annotations

from config.base import Strict


class FacilitatorConfig(Strict):
    """Settings of the facilitator ritual."""

    enabled: bool = True
