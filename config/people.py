"""People named in community.yaml: the references admins write, where each is, and the config with them resolved.

Why references: an admin knows "@ana", "ana@example.org" or the Facilitators role, not ``U0456EFGH``. The file
therefore names people portably, and the same file runs on the console, Slack and Discord:

- ``"@ana"`` (or ``ana``): a person by handle (Slack display name, Discord username, console name), or on Slack
  a user group by its handle (``"@platform-team"``);
- ``email:ana@example.org``: a person by email address (Slack);
- ``role:Facilitators``: everyone with a Discord role;
- a member key as stored (``slack:T0123:U0456``, ``discord:<server>:<user>``, ``console:ana``).

Config knows only the words. The running adapter resolves them (bot/people.py) and :func:`resolve_config` puts the
member keys in their places; a reference that finds nobody is left out, with a warning at its line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.models import CommunityConfig

Loc = tuple[str | int, ...]

HANDLE = "handle"
EMAIL = "email"
ROLE = "role"
KEY = "key"
PLATFORM_KEYS = ("slack", "discord", "console")
"""The prefixes of member keys (what the adapters store); any other ``word:`` is not a key."""


@dataclass(frozen=True)
class PersonRef:
    """One reference as written, and what kind it is: ``value`` is the handle, address, role name or key."""

    text: str
    kind: str
    value: str

    @property
    def platform(self) -> str | None:
        """For a member key, the platform it belongs to."""
        return self.value.split(":", 1)[0] if self.kind == KEY else None


def parse_ref(text: str) -> PersonRef:
    """Classify a reference; anything without a known prefix is a handle (``ana`` and ``@ana`` alike)."""
    written = text.strip()
    prefix, sep, rest = written.partition(":")
    lowered = prefix.lower()
    if sep and lowered == EMAIL:
        return PersonRef(text, EMAIL, rest.strip())
    if sep and lowered == ROLE:
        return PersonRef(text, ROLE, rest.strip())
    if sep and lowered in PLATFORM_KEYS:
        return PersonRef(text, KEY, written)
    return PersonRef(text, HANDLE, written.lstrip("@"))


@dataclass(frozen=True)
class Origin:
    """Where the config came from: the file, and the line and column of each people reference in it."""

    path: str
    positions: Mapping[Loc, tuple[int, int]]

    def at(self, loc: Loc) -> tuple[int, int]:
        return self.positions.get(loc, (1, 1))


@dataclass(frozen=True)
class Placed:
    """A reference and where it is written (``roles.facilitators[1]``)."""

    loc: Loc
    ref: PersonRef


def where(loc: Loc) -> str:
    """``rituals.pairing.mentors[0].member``: the dotted path an admin can search for."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def people_refs(config: CommunityConfig) -> Iterator[Placed]:
    """Every people reference in the config, in file order of the sections."""
    def each(loc: Loc, values: Sequence[str]) -> Iterator[Placed]:
        for index, value in enumerate(values):
            yield Placed((*loc, index), parse_ref(value))

    yield from each(("roles", "admins"), config.roles.admins)
    yield from each(("roles", "facilitators"), config.roles.facilitators)
    rituals = config.rituals
    if rituals.onboarding is not None:
        if rituals.onboarding.facilitator:
            yield Placed(("rituals", "onboarding", "facilitator"), parse_ref(rituals.onboarding.facilitator))
        yield from each(("rituals", "onboarding", "buddies", "volunteers"), rituals.onboarding.buddies.volunteers)
    if rituals.pairing is not None:
        for index, group in enumerate(rituals.pairing.never_pair):
            yield from each(("rituals", "pairing", "never_pair", index), group)
        for index, mentor in enumerate(rituals.pairing.mentors):
            yield Placed(("rituals", "pairing", "mentors", index, "member"), parse_ref(mentor.member))
        for index, mentee in enumerate(rituals.pairing.mentees):
            yield Placed(("rituals", "pairing", "mentees", index, "member"), parse_ref(mentee.member))
    if rituals.facilitator is not None:
        yield from each(("rituals", "facilitator", "pool"), rituals.facilitator.pool)
    if rituals.mentorship is not None:
        for index, mentor in enumerate(rituals.mentorship.mentors):
            yield Placed(("rituals", "mentorship", "mentors", index, "member"), parse_ref(mentor.member))
    for team, members in config.teams.members.items():
        yield from each(("teams", "members", team), members)


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in the file, located 1-based, phrased for the person who has to fix it."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        if self.line < 1:  # about the file as a whole (not a regular file, too big): no position to give
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


PeopleProblem = ConfigProblem
"""A reference that found nobody (or too many): a warning, ``PATH:LINE:COL: warning: ...``; the bot runs on."""


def locate(config: CommunityConfig, placed: Placed, message: str) -> PeopleProblem:
    """A problem with one reference, at its line in the file the config was read from."""
    origin = config.origin
    line, col = origin.at(placed.loc) if origin else (1, 1)
    path = origin.path if origin else "community.yaml"
    return PeopleProblem(path, line, col, f"warning: {placed.ref.text!r} ({where(placed.loc)}) {message}")


def resolve_config(config: CommunityConfig, keys: Mapping[str, Sequence[str]]) -> CommunityConfig:
    """The config with each reference replaced by the member keys it stands for (``keys``, by reference text).

    A group stands for several members: a list gets each of them (once), a mentor entry is repeated for each,
    and the single ``onboarding.facilitator`` takes the first. A reference missing from ``keys`` (or resolved to
    nobody) is left out, so the bot runs on without it rather than addressing someone who does not exist.
    """

    def many(values: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(key for value in values for key in keys.get(value, ())))

    update: dict[str, object] = {"roles": config.roles.model_copy(update={
        "admins": many(config.roles.admins), "facilitators": many(config.roles.facilitators)})}
    rituals = config.rituals
    ritual_updates: dict[str, object] = {}
    if rituals.onboarding is not None:
        onboarding = rituals.onboarding
        chosen = many([onboarding.facilitator]) if onboarding.facilitator else []
        ritual_updates["onboarding"] = onboarding.model_copy(update={
            "facilitator": chosen[0] if chosen else None,
            "buddies": onboarding.buddies.model_copy(update={"volunteers": many(onboarding.buddies.volunteers)}),
        })
    if rituals.pairing is not None:
        pairing = rituals.pairing
        never = [group for group in (many(g) for g in pairing.never_pair) if len(group) >= 2]
        mentors = [m.model_copy(update={"member": key}) for m in pairing.mentors for key in many([m.member])]
        mentees = [m.model_copy(update={"member": key}) for m in pairing.mentees for key in many([m.member])]
        ritual_updates["pairing"] = pairing.model_copy(update={"never_pair": never, "mentors": mentors,
                                                               "mentees": mentees})
    if rituals.facilitator is not None:
        ritual_updates["facilitator"] = rituals.facilitator.model_copy(update={
            "pool": many(rituals.facilitator.pool)})
    if rituals.mentorship is not None:
        lasting = rituals.mentorship
        ritual_updates["mentorship"] = lasting.model_copy(update={
            "mentors": [m.model_copy(update={"member": key}) for m in lasting.mentors for key in many([m.member])]})
    if config.teams.members:
        update["teams"] = config.teams.model_copy(update={
            "members": {team: many(members) for team, members in config.teams.members.items()}})
    if ritual_updates:
        update["rituals"] = rituals.model_copy(update=ritual_updates)
    return config.model_copy(update=update)
