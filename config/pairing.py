"""The `rituals.pairing` section of community.yaml: peer "coffee" pairs and mentorship, every 1, 2 or 4 weeks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import Field, field_validator

from config.base import Schedule, Strict
from config.durations import Duration

DEFAULT_TOPICS = [
    "What is one thing you changed your mind about at work this year?",
    "Which tool or habit saves you the most time each week?",
    "What are you trying to learn right now, and how is it going?",
    "What was the last problem that kept you stuck for a whole day?",
    "If you could fix one thing about how our teams work together, what would it be?",
]


def _tags(values: list[str]) -> list[str]:
    return sorted({v.strip().lower() for v in values if v.strip()})


class MentorSettings(Strict):
    """A member who offers to mentor, how many mentees at once, and what they can help with."""

    member: str = Field(description='who: "@handle", email:, role:Name (each of them) or a member key')
    capacity: int = Field(default=1, ge=1, le=20, description="mentees at the same time")
    skills: list[str] = Field(default_factory=list, description="topics they can help with, e.g. [kubernetes]")

    @field_validator("skills")
    @classmethod
    def _normalise(cls, value: list[str]) -> list[str]:
        return _tags(value)


class MenteeSettings(Strict):
    """A member asking for a mentor (members can also ask themselves with `/cop mentee goals ...`)."""

    member: str = Field(description='who: "@handle", email:, role:Name (each of them) or a member key')
    goals: list[str] = Field(default_factory=list, description="what they want to learn, e.g. [terraform]")

    @field_validator("goals")
    @classmethod
    def _normalise(cls, value: list[str]) -> list[str]:
        return _tags(value)


class PairingConfig(Strict):
    """Settings of the pairing ritual."""

    enabled: bool = Field(default=True, description="false pauses the ritual without deleting its settings")
    mode: Literal["peer", "mentorship", "both"] = Field(
        default="peer", description="peer: coffee pairs among members; mentorship: mentors with mentees; both"
    )
    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 9 * * mon", grace=timedelta(days=2)),
        description="when a cycle may start (default Mondays 09:00); every_weeks thins it out",
    )
    every_weeks: Literal[1, 2, 4] = Field(
        default=1, description="a cycle every 1, 2 or 4 weeks; other scheduled slots do nothing"
    )
    anchor: date = Field(
        default=date(2024, 1, 1),
        description="a date in a week that has a cycle; every_weeks counts from that week (YYYY-MM-DD)",
    )
    group_size: int = Field(default=2, ge=2, le=6, description="members per group; an odd one out joins a group")
    avoid_repeat_cycles: int = Field(
        default=6, ge=0, le=52, description="two members are not grouped again within this many cycles"
    )
    never_pair: list[list[str]] = Field(
        default_factory=list,
        description='lists of people ("@handle", email:, role:, member keys) of whom no two are ever grouped together',
    )
    exclude_same_team: bool = Field(default=False, description="never group two members of the same team")
    new_members_start: Literal["in", "out"] = Field(
        default="in", description="in: members are paired until they leave; out: only after /cop pairing join"
    )
    followup_after: Duration = Field(
        default=timedelta(days=5), description='when to ask each group "did you meet?" after the cycle starts'
    )
    topics: list[str] = Field(
        default_factory=lambda: list(DEFAULT_TOPICS),
        description="suggested first topics, offered to groups in turn",
    )
    require_ground_rules_ack: bool = Field(
        default=False, description="only pair members who acknowledged the ground rules (onboarding)"
    )
    mentors: list[MentorSettings] = Field(default_factory=list, description="mentorship mode: who mentors")
    mentees: list[MenteeSettings] = Field(default_factory=list, description="mentorship mode: who asks for a mentor")

    @field_validator("never_pair")
    @classmethod
    def _groups_of_two_or_more(cls, value: list[list[str]]) -> list[list[str]]:
        for group in value:
            if len(set(group)) < 2:
                raise ValueError('each never_pair entry lists at least two different people, e.g. ["@ana", "@ben"]')
        return value

    @field_validator("topics")
    @classmethod
    def _no_blank_topics(cls, value: list[str]) -> list[str]:
        if any(not t.strip() for t in value):
            raise ValueError("a topic is empty; write the topic or remove the line")
        return value

    def never_pairs(self) -> set[frozenset[str]]:
        """Every pair forbidden by the never_pair lists."""
        pairs: set[frozenset[str]] = set()
        for group in self.never_pair:
            keys = sorted(set(group))
            for i, a in enumerate(keys):
                for b in keys[i + 1 :]:
                    pairs.add(frozenset((a, b)))
        return pairs

    def cycle_week(self, day: date) -> bool:
        """Does the week of ``day`` carry a cycle, counting every_weeks from the anchor's week?"""
        anchor_monday = self.anchor - timedelta(days=self.anchor.weekday())
        day_monday = day - timedelta(days=day.weekday())
        return ((day_monday - anchor_monday).days // 7) % self.every_weeks == 0
