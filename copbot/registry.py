"""The rituals this build of copbot offers, in the order they handle events. One line turns a ritual on."""

from __future__ import annotations

from bot.runtime import RitualFactory
from rituals.anniversaries.ritual import AnniversariesRitual
from rituals.digest.ritual import DigestRitual
from rituals.expertise.ritual import ExpertiseRitual
from rituals.facilitator.ritual import FacilitatorRitual
from rituals.health.ritual import HealthRitual
from rituals.kudos.ritual import KudosRitual
from rituals.ladder.ritual import LadderRitual
from rituals.mentorship.ritual import MentorshipRitual
from rituals.nudges.ritual import NudgesRitual
from rituals.onboarding.ritual import OnboardingRitual
from rituals.pairing.ritual import PairingRitual
from rituals.polls.ritual import PollsRitual
from rituals.prompts.ritual import PromptsRitual
from rituals.resources.ritual import ResourcesRitual

RITUALS: list[RitualFactory] = [
    PromptsRitual,
    OnboardingRitual,
    PairingRitual,
    FacilitatorRitual,
    HealthRitual,
    PollsRitual,
    KudosRitual,
    ResourcesRitual,
    LadderRitual,
    AnniversariesRitual,
    NudgesRitual,
    MentorshipRitual,
    ExpertiseRitual,
    DigestRitual,
]
