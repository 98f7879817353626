"""The `rituals.challenges` section of community.yaml: challenges and hackathons, with submissions and a vote."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import Field, model_validator

from config.base import Strict
from config.durations import Duration
from config.texts import text_with


class ScheduledChallenge(Strict):
    """A challenge the admins plan ahead: announced at ``starts``, submissions until the end of ``until``."""

    title: str = Field(min_length=1, max_length=120, description="what the challenge is called")
    rules: str = Field(default="", description="the rules, shown in the announcement")
    starts: datetime = Field(description="when it is announced, in the community's time zone, e.g. 2027-01-18T10:00")
    until: date = Field(description="the last day to submit (submissions close at the end of that day)")
    teams: bool = Field(default=False, description="true: members enter as teams (/cop challenge join TEAM)")

    @model_validator(mode="after")
    def _ends_after_start(self) -> ScheduledChallenge:
        if self.until < self.starts.date():
            raise ValueError(f"until ({self.until}) is before starts ({self.starts.date()}); pick a later day")
        return self


class ChallengeTexts(Strict):
    """What the bot says about challenges; placeholders in braces are filled in."""

    announce: text_with("title", "rules", "deadline", "how") = Field(  # type: ignore[valid-type]
        default="🏁 *New challenge: {title}*\n{rules}\nSubmissions close {deadline}.\n{how}",
        description="the announcement",
    )
    reminder: text_with("title", "deadline") = Field(  # type: ignore[valid-type]
        default="A reminder: the *{title}* challenge closes {deadline} and your entry is not in yet. "
        "`/cop challenge submit <link or text>` sends it.",
        description="the DM to those who took part and have not submitted",
    )
    voting: text_with("title", "until") = Field(  # type: ignore[valid-type]
        default="🗳️ *Vote for your favourite entry in {title}* (until {until}; one vote each, not your own):",
        description="the voting post, above the entries",
    )
    results: text_with("title") = Field(  # type: ignore[valid-type]
        default="🏆 *Results of {title}*", description="the heading of the results post"
    )


class ChallengesConfig(Strict):
    """Challenges and hackathons: a facilitator starts one (or it is planned here); members submit; all vote."""

    enabled: bool = Field(default=True, description="false pauses challenges (nothing is announced or closed)")
    channel: str | None = Field(default=None, description="logical channel for announcements; default general")
    remind_before: Duration = Field(
        default=timedelta(days=2), description="how long before the deadline those without an entry are reminded"
    )
    voting_for: Duration = Field(default=timedelta(days=3), description="how long voting stays open after the deadline")
    winners: int = Field(default=3, ge=1, le=10, description="places that win (kudos and a mention in the results)")
    texts: ChallengeTexts = Field(default_factory=ChallengeTexts, description="what the bot says")
    scheduled: list[ScheduledChallenge] = Field(default_factory=list, description="challenges planned ahead")
