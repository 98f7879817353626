"""The `rituals.polls` section of community.yaml: facilitator polls and the scheduled pulse survey."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from config.base import Schedule, Strict
from config.durations import Duration

MAX_OPTIONS = 10
"""Buttons per poll: both platforms allow more, but a longer list is hard to read on a phone."""


class PulseSurvey(Strict):
    """A recurring short survey: one question answered on a scale by buttons, plus one open question."""

    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 10 1 1,4,7,10 *"),
        description="when the survey opens (default quarterly: 1 Jan, Apr, Jul, Oct at 10:00)",
    )
    question: str = Field(
        default="How valuable was this community to you this quarter?",
        min_length=1,
        description="the scale question, answered with one button per option",
    )
    options: list[str] = Field(
        default_factory=lambda: ["1", "2", "3", "4", "5"],
        min_length=2,
        max_length=MAX_OPTIONS,
        description="the buttons, lowest first; numbers give the report an average",
    )
    open_question: str = Field(
        default="What one change would make it more valuable?",
        description='asked beside the buttons, answered in the thread or with /cop poll answer; "" for none',
    )
    open_for: Duration = Field(default=timedelta(days=7), description="how long the survey takes answers, e.g. 7d")
    channel: str | None = Field(default=None, description="logical channel; default rituals.polls.channel")

    @field_validator("options")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len({v.strip().lower() for v in value}) != len(value) or any(not v.strip() for v in value):
            raise ValueError("options must be distinct and not empty, e.g. [\"1\", \"2\", \"3\", \"4\", \"5\"]")
        return value


class PollsConfig(Strict):
    """Facilitator polls (/cop poll) and scheduled pulse surveys."""

    enabled: bool = Field(default=True, description="false turns /cop poll and the pulse surveys off")
    channel: str | None = Field(default=None, description="logical channel polls are posted in; default general")
    open_for: Duration = Field(
        default=timedelta(days=3),
        description="how long a /cop poll takes votes unless the facilitator writes --for, e.g. 3d",
    )
    anonymous: bool = Field(
        default=True,
        description="true: results show counts only; false: results also say who chose what "
        "(a facilitator can still ask for --anonymous on one poll)",
    )
    pulse: PulseSurvey | None = Field(default=None, description="the recurring pulse survey; leave out for none")
