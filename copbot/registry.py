"""The rituals this build of copbot offers, in the order they handle events. One line turns a ritual on."""

from __future__ import annotations

from collections.abc import Sequence

from bot.runtime import RitualFactory
from rituals.anniversaries.ritual import AnniversariesRitual
from rituals.challenges.ritual import ChallengesRitual
from rituals.digest.ritual import DigestRitual
from rituals.expertise.ritual import ExpertiseRitual
from rituals.facilitator.ritual import FacilitatorRitual
from rituals.groups.decisions import Borrowed, Peer
from rituals.groups.ritual import GroupsRitual
from rituals.health.ritual import HealthRitual
from rituals.kudos.ritual import KudosRitual
from rituals.ladder.ritual import LadderRitual
from rituals.mentorship.ritual import MentorshipRitual
from rituals.nudges.ritual import NudgesRitual
from rituals.onboarding.ritual import OnboardingRitual
from rituals.pairing.decisions import Candidate, make_peer_groups
from rituals.pairing.ritual import PairingRitual
from rituals.polls.ritual import PollsRitual
from rituals.prompts.ritual import Asked, PromptsRitual, next_question
from rituals.resources.ritual import ResourcesRitual
from rituals.sessions.ritual import SessionsRitual


def _group_question(bank: Sequence[str], asked: Sequence[str]) -> str | None:
    """The prompts ritual's rotation over a group's own bank and history."""
    choice = next_question(bank, [Asked(question, "bank") for question in asked], [])
    return choice.question if choice else None


def _group_pairs(peers: Sequence[Peer], history: Sequence[Sequence[tuple[str, ...]]], group_size: int,
                 avoid_repeat_cycles: int, seed: int) -> list[tuple[str, ...]]:
    """The pairing ritual's matching over a group's members and its own past cycles."""
    pool = [Candidate(p.key, p.tz_offset_hours, p.interests) for p in peers]
    result = make_peer_groups(pool, [list(cycle) for cycle in history], group_size=group_size,
                              avoid_repeat_cycles=avoid_repeat_cycles, seed=seed)
    return result.groups


GROUPS = GroupsRitual.using(Borrowed(pick_question=_group_question, match_peers=_group_pairs))
"""Interest groups reuse the prompts and pairing rituals' decisions: a ritual never imports another, so the
application hands them over here."""

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
    GROUPS,
    ChallengesRitual,
    SessionsRitual,
    NudgesRitual,
    MentorshipRitual,
    ExpertiseRitual,
    DigestRitual,
]
