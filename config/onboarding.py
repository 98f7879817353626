"""The `rituals.onboarding` section of community.yaml."""

from __future__ import annotations

from config.base import Strict


class OnboardingConfig(Strict):
    """Settings of the onboarding ritual."""

    enabled: bool = True
