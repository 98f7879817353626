"""The `rituals.onboarding` section of community.yaml: welcome steps, ground rules and buddies.

Step texts are templates checked when the file is loaded, so a typo such as ``{nmae}`` is refused with its
line and column rather than discovered when a newcomer's welcome is due.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator, model_validator

from config.base import Schedule, Strict, error_at
from config.templates import TemplateError, template_placeholders

DEFAULT_GROUND_RULES = (
    "1. Be kind and assume good intent.\n"
    "2. Ask for help early; there are no silly questions here.\n"
    "3. What is shared in the community stays in the community unless the author says otherwise."
)

KNOWN_PLACEHOLDERS = frozenset({"name", "facilitator", "intros_channel", "community", "buddy", "ground_rules"})
"""Placeholders a step template may use; anything else in braces is a configuration error."""


class OnboardingStep(Strict):
    """One message of the welcome sequence, sent ``day`` days after the join day at ``time`` where the member lives."""

    key: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$",
        json_schema_extra={"patternErrorMessage": "write a short name of lowercase letters, digits, dashes and "
                           "underscores, at most 41 characters, e.g. welcome or day-3"},
        description="a short name for the step, e.g. welcome; each step is sent once per member, tracked by this key",
    )
    day: int = Field(ge=0, le=365, description="days after the member's join day (0 = the day they join)")
    time: str = Field(
        default="10:00",
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        json_schema_extra={"patternErrorMessage": 'write a time of day as HH:MM in quotes, from "00:00" to "23:59", '
                           'e.g. "09:30"'},
        description='local time of day in the member\'s own time zone, HH:MM; "00:00" on day 0 means at once',
    )
    text: str = Field(
        description="the message; may use {name}, {facilitator}, {intros_channel}, {community}, {buddy}, "
        "{ground_rules}; write {{ and }} for literal braces"
    )

    @field_validator("text")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("this step has no text; write the message or remove the step")
        try:
            template_placeholders(value, KNOWN_PLACEHOLDERS)
        except TemplateError as exc:
            raise ValueError(str(exc)) from exc
        return value


def _default_steps() -> list[OnboardingStep]:
    return [
        OnboardingStep(
            key="welcome",
            day=0,
            time="00:00",
            text="Welcome to {community}, {name}! We are glad you are here.\n\n"
            "Our ground rules:\n{ground_rules}\n\nPlease confirm you agree with the button below.",
        ),
        OnboardingStep(
            key="introduce",
            day=2,
            time="10:00",
            text="Hi {name}, would you like to say hello in {intros_channel}? "
            "A line about what you work on and what you hope to learn is plenty.",
        ),
        OnboardingStep(
            key="checkin",
            day=7,
            time="10:00",
            text="You have been with us a week, {name}. How is it going? "
            "If anything is unclear, {facilitator} is happy to help.",
        ),
    ]


class Buddies(Strict):
    """Newcomers get a buddy from a pool of volunteers: least loaded first, sharing an interest or time zone."""

    enabled: bool = Field(default=True, description="false: no buddies are assigned")
    volunteers: list[str] = Field(
        default_factory=list,
        description='the initial buddy pool: "@handle", email:, role:Name, a Slack user group\'s "@handle" or member '
        "keys (a group is followed as its members change); members join or leave with /cop buddy volunteer|retire",
    )
    max_load: int = Field(default=3, ge=1, description="newcomers one buddy looks after at the same time")


class OnboardingConfig(Strict):
    """Welcome onboarding: a sequence of messages timed from each newcomer's join, ground rules, and a buddy."""

    enabled: bool = Field(default=True, description="false pauses the ritual without deleting its settings")
    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="*/15 * * * *", grace=timedelta(days=1)),
        description="how often the bot looks for steps that have fallen due (default every 15 minutes); "
        "a missed check is harmless: the next one sends everything due",
    )
    steps: list[OnboardingStep] = Field(
        default_factory=_default_steps, description="the welcome sequence, each step sent once per newcomer"
    )
    ground_rules: str = Field(
        default=DEFAULT_GROUND_RULES, description="the ground rules / code of conduct newcomers are asked to accept"
    )
    facilitator: str | None = Field(
        default=None,
        description='who {facilitator} names ("@handle" or a member key); default the first of roles.facilitators '
        "who is not the newcomer themselves",
    )
    buddies: Buddies = Field(default_factory=Buddies)
    welcome_existing_members: bool = Field(
        default=False,
        description="true: members who were here before the bot was installed get the welcome sequence too",
    )

    @model_validator(mode="after")
    def _unique_step_keys(self) -> OnboardingConfig:
        seen: set[str] = set()
        for index, step in enumerate(self.steps):
            if step.key in seen:
                raise error_at(
                    ("rituals", "onboarding", "steps", index, "key"),
                    f"step key {step.key!r} is used twice; give each step its own key",
                )
            seen.add(step.key)
        return self


__all__ = ["KNOWN_PLACEHOLDERS", "Buddies", "OnboardingConfig", "OnboardingStep"]
