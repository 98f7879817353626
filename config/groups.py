"""The `rituals.groups` section of community.yaml: interest groups, each with its channel, prompt and pairing."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from config.base import Schedule, Strict
from config.texts import text_with

GROUP_NAME = r"^[a-z0-9][a-z0-9-]{0,30}$"


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("this question is empty; write the question or remove the line")
    return value


Question = Annotated[str, AfterValidator(_not_blank)]


class GroupPromptSettings(Strict):
    """A group's own weekly question, posted in its channel (the prompts ritual's rotation, its own bank)."""

    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 10 * * wed"), description="when (default Wednesdays 10:00)"
    )
    questions: list[Question] = Field(min_length=1, description="the group's question bank, asked in turn")


class GroupPairingSettings(Strict):
    """Coffee pairs among the group's own members (the pairing ritual's matching, its own history)."""

    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 9 * * mon", grace=timedelta(days=2)),
        description="when a cycle starts (default Mondays 09:00)",
    )
    group_size: int = Field(default=2, ge=2, le=6, description="members per pair or small group")
    avoid_repeat_cycles: int = Field(default=4, ge=0, le=52, description="no repeat pairs within this many cycles")


class GroupSettings(Strict):
    """One interest group declared by the admins (facilitators can add more with `/cop group create`)."""

    name: str = Field(
        pattern=GROUP_NAME,
        json_schema_extra={"patternErrorMessage": "write a short name of lowercase letters, digits and dashes that "
                           "starts with a letter or digit, at most 31 characters, e.g. kubernetes"},
        description="short lowercase name members type, e.g. kubernetes",
    )
    description: str = Field(default="", description="one line shown in /cop groups")
    channel: str | None = Field(
        default=None,
        description="the group's channel: an existing channel's name or id; default channel_prefix + name, "
        "created by the bot",
    )
    prompt: GroupPromptSettings | None = Field(default=None, description="the group's own weekly question")
    pairing: GroupPairingSettings | None = Field(default=None, description="pairing cycles among its members")


class GroupTexts(Strict):
    """What the bot says about groups; placeholders in braces are filled in."""

    joined: text_with("group", "channel") = Field(  # type: ignore[valid-type]
        default="You joined *{group}*. Say hello in {channel}!", description="answer to /cop group join"
    )
    left: text_with("group") = Field(  # type: ignore[valid-type]
        default="You left *{group}*. Come back any time with `/cop group join {group}`.",
        description="answer to /cop group leave",
    )
    prompt_intro: text_with("group") = Field(  # type: ignore[valid-type]
        default="This week in {group}", description="the heading above a group's question"
    )
    pair_intro: text_with("group", "names") = Field(  # type: ignore[valid-type]
        default="Hello {names}! You are paired in *{group}* this cycle: find half an hour to talk shop.",
        description="a group pairing's introduction",
    )
    quiet: text_with("group", "weeks", "members") = Field(  # type: ignore[valid-type]
        default="The *{group}* group ({members} members) has been quiet for {weeks} weeks. A question, a session "
        "or a nudge to its members might wake it up.",
        description="the facilitators' note about a quiet group",
    )


class GroupsConfig(Strict):
    """Interest groups: smaller circles inside the community, each with a channel, members, and its own rituals."""

    enabled: bool = Field(default=True, description="false pauses the groups' prompts, pairing and checks")
    channel_prefix: str = Field(default="grp-", description="the channel made for a group is this + its name")
    quiet_after_weeks: int = Field(default=3, ge=1, le=26, description="flag a group quiet for this many weeks")
    check: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 9 * * mon"),
        description="when quiet groups are looked for and flagged to the facilitators (default Mondays 09:00)",
    )
    texts: GroupTexts = Field(default_factory=GroupTexts, description="what the bot says")
    groups: list[GroupSettings] = Field(default_factory=list, description="the groups declared here")

    @field_validator("groups")
    @classmethod
    def _unique_names(cls, value: list[GroupSettings]) -> list[GroupSettings]:
        names = [g.name for g in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"group names must be unique; {', '.join(twice)} appears more than once")
        return value

    def declared(self, name: str) -> GroupSettings | None:
        return next((g for g in self.groups if g.name == name), None)
