"""The `rituals.pairing` section of community.yaml."""

from __future__ import annotations

from config.base import Strict


class PairingConfig(Strict):
    """Settings of the pairing ritual."""

    enabled: bool = True
