"""The pydantic models of community.yaml. Unknown keys are errors (typos must not pass silently).

Each ritual has one section under ``rituals:``; a missing section means the ritual is off.
"""

from __future__ import annotations

from pydantic import Field, PrivateAttr, field_validator, model_validator

from config.anniversaries import AnniversariesConfig
from config.base import Strict, error_at
from config.challenges import ChallengesConfig
from config.digest import DigestConfig
from config.expertise import ExpertiseConfig
from config.facilitator import FacilitatorConfig
from config.groups import GroupsConfig
from config.health import HealthConfig
from config.kudos import KudosConfig
from config.ladder import LadderConfig
from config.local_window import LocalWindow, known_zone
from config.mentorship import MentorshipConfig
from config.nudges import NudgesConfig
from config.onboarding import OnboardingConfig
from config.pairing import PairingConfig
from config.people import Origin
from config.polls import PollsConfig
from config.prompts import PromptsConfig
from config.resources import ResourcesConfig
from config.sessions import SessionsConfig
from config.teams import TeamsConfig


class Channels(Strict):
    """Logical channel names; adapters map each to a platform channel (Slack/Discord id or name)."""

    general: str = Field(description="where announcements go")
    prompts: str | None = Field(default=None, description="where weekly prompts are posted (default: general)")
    intros: str | None = Field(default=None, description="where newcomers introduce themselves")
    facilitators: str | None = Field(default=None, description="the facilitators' private channel")


class Community(Strict):
    """Who this community is."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,62}$",
        json_schema_extra={"patternErrorMessage": "write a slug of lowercase letters, digits and dashes that starts "
                           "with a letter or digit, at most 63 characters, e.g. platform-guild"},
        description="a short slug of lowercase letters, digits and dashes, e.g. platform-guild; keys every stored row",
    )
    name: str = Field(description="the community's name as members know it, used in messages")
    timezone: str = Field(default="UTC", description="IANA name, e.g. Europe/Berlin; schedules use it")
    channels: Channels

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)


PEOPLE = ('"@handle", email:name@example.org, role:Name (a Discord role), a Slack user group\'s "@handle", '
          "or a member key (slack:T…:U…, discord:<server>:<user>, console:name)")


class Roles(Strict):
    """Who may run facilitator and admin commands (people references: @handle, email:, role:, or member keys)."""

    admins: list[str] = Field(default_factory=list, description=f"who may run admin commands: {PEOPLE}")
    facilitators: list[str] = Field(
        default_factory=list, description=f"who may run facilitator commands: {PEOPLE}"
    )


class Rituals(Strict):
    """One section per ritual; leave one out to switch it off."""

    prompts: PromptsConfig | None = None
    onboarding: OnboardingConfig | None = None
    pairing: PairingConfig | None = None
    facilitator: FacilitatorConfig | None = None
    health: HealthConfig | None = None
    polls: PollsConfig | None = None
    kudos: KudosConfig | None = None
    resources: ResourcesConfig | None = None
    ladder: LadderConfig | None = None
    anniversaries: AnniversariesConfig | None = None
    groups: GroupsConfig | None = None
    challenges: ChallengesConfig | None = None
    sessions: SessionsConfig | None = None
    nudges: NudgesConfig | None = None
    mentorship: MentorshipConfig | None = None
    expertise: ExpertiseConfig | None = None
    digest: DigestConfig | None = None


class DirectMessagesConfig(Strict):
    """How the bot sends direct messages when many go out at once (welcome DMs, pair introductions, reminders).

    Why in community.yaml and not the environment: how hard the bot may DM members is the community's
    choice, reviewed with the rest of its settings and changed by hot reload, not a deployment secret.
    """

    enabled: bool = Field(
        default=True,
        description="false turns bulk DMs off: the bot sends no direct messages (each is logged as refused); "
        "posts in channels still go out",
    )
    per_second: float = Field(
        default=2.0,
        ge=0,
        le=50,
        description="at most this many DMs a second, evenly spaced, so a fan-out is not flagged as spam; "
        "0 = only the platform's own rate limits",
    )
    local_window: LocalWindow | None = Field(
        default=None,
        description="send each DM within this daytime window in the member's own time zone (held until it "
        "opens); leave out to send DMs at once",
    )


class DeliveryConfig(Strict):
    """How the bot's messages go out (the outbox's pacing policy)."""

    direct_messages: DirectMessagesConfig = Field(default_factory=DirectMessagesConfig)


class CommunityConfig(Strict):
    """The whole of community.yaml."""

    community: Community
    roles: Roles = Field(default_factory=Roles)
    rituals: Rituals = Field(default_factory=Rituals)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    teams: TeamsConfig = Field(default_factory=TeamsConfig)
    _origin: Origin | None = PrivateAttr(default=None)

    @property
    def origin(self) -> Origin | None:
        """The file this config was read from and where its people references are (for located warnings)."""
        return self._origin

    @model_validator(mode="after")
    def _channels_exist(self) -> CommunityConfig:
        known = {k for k, v in self.community.channels.model_dump().items() if v}
        prompts = self.rituals.prompts
        if prompts and prompts.channel and prompts.channel not in known:
            raise error_at(
                ("rituals", "prompts", "channel"),
                f"channel {prompts.channel!r} is not one of community.channels; "
                f"write one of: {', '.join(sorted(known))} (or add {prompts.channel!r} under community.channels)",
            )
        health, polls = self.rituals.health, self.rituals.polls
        for loc, value in (
            (("rituals", "health", "channel"), health.channel if health else None),
            (("rituals", "polls", "channel"), polls.channel if polls else None),
            (("rituals", "polls", "pulse", "channel"), polls.pulse.channel if polls and polls.pulse else None),
        ):
            if value and value not in known:
                raise error_at(
                    loc,
                    f"channel {value!r} is not one of community.channels; write one of: "
                    f"{', '.join(sorted(known))} (or add {value!r} under community.channels)",
                )
        return self

    def team_of(self, member: str, platform_team: str | None) -> str | None:
        """A member's team: listed under ``teams`` here, else what the platform says (profile field, role)."""
        return self.teams.team_of(member) or platform_team

    def channel(self, logical: str | None, fallback: str = "general") -> str:
        """The platform-facing channel name for a logical one (falling back to ``general``)."""
        channels = self.community.channels.model_dump()
        name = logical or fallback
        return channels.get(name) or channels.get(fallback) or self.community.channels.general
