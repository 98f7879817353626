"""The rituals this build of copbot offers, in the order they handle events."""

from __future__ import annotations

from bot.runtime import RitualFactory
from rituals.facilitator import FacilitatorRitual
from rituals.health import HealthRitual
from rituals.kudos import KudosRitual
from rituals.ladder import LadderRitual
from rituals.onboarding import OnboardingRitual
from rituals.pairing import PairingRitual
from rituals.polls import PollsRitual
from rituals.prompts import PromptsRitual
from rituals.resources import ResourcesRitual

RITUALS: list[RitualFactory] = [PromptsRitual, OnboardingRitual, PairingRitual, FacilitatorRitual, HealthRitual,
                              PollsRitual, KudosRitual, ResourcesRitual, LadderRitual]
