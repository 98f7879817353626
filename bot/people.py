"""Resolving the people community.yaml names into member keys: the neutral part every adapter shares.

An adapter knows its platform's people (Slack's users and user groups, Discord's members and roles) and puts
them into a :class:`Directory`; :func:`resolve_ref` decides, the same way on every platform, whom a reference
stands for, or why it stands for nobody: unknown, ambiguous, or a form this platform cannot look up. The
runtime asks the adapter at start, on every reload and whenever the adapter says its people changed.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from config.models import CommunityConfig
from config.people import (
    EMAIL,
    HANDLE,
    KEY,
    ROLE,
    PeopleProblem,
    PersonRef,
    locate,
    parse_ref,
    people_refs,
    resolve_config,
)


@dataclass(frozen=True)
class Resolved:
    """What one reference stands for: member keys (several for a group), or the ``problem`` why none."""

    keys: tuple[str, ...] = ()
    problem: str | None = None


Resolution = Mapping[str, Resolved]
"""Reference text → what it stands for."""


@dataclass(frozen=True)
class Person:
    """One person on the platform: their member key, the handles they go by, their email addresses if shared."""

    key: str
    name: str
    handles: tuple[str, ...]
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """A set of people named as one: a Slack user group (``"@handle"``) or a Discord role (``role:Name``)."""

    kind: str  # HANDLE (Slack user group) or ROLE (Discord role)
    name: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Directory:
    """Everyone a platform lets the bot look up, and what it can look up at all."""

    platform: str
    place: str  # "the Slack workspace", "the Discord server"
    people: Sequence[Person] = ()
    groups: Sequence[Group] = ()
    emails: bool = False  # does this platform share email addresses?
    roles: bool = False  # does it have roles?
    advice: str = field(default="")  # how to name someone instead, e.g. 'write "@username"'


def keys_only(platform: str, refs: Iterable[str]) -> dict[str, Resolved]:
    """Resolution without looking anyone up: member keys of ``platform`` stand for themselves."""
    return {ref: resolve_ref(Directory(platform, f"the {platform}"), parse_ref(ref)) for ref in refs}


def resolve_ref(directory: Directory, ref: PersonRef) -> Resolved:
    """Whom ``ref`` stands for in ``directory``; never raises, every failure is a ``problem`` sentence."""
    if ref.kind == KEY:
        if ref.platform == directory.platform:
            return Resolved((ref.value,))
        return Resolved(problem=f"is a {ref.platform} member key, but this bot runs on {directory.platform}; "
                                f"name them portably instead (\"@handle\") or with a {directory.platform} key")
    if ref.kind == EMAIL:
        if not directory.emails:
            return Resolved(problem=f"is an email address, and {directory.platform} does not look people up by email"
                                    f"{_instead(directory)}")
        wanted = ref.value.lower()
        return _one(directory, ref, [p for p in directory.people if wanted in (e.lower() for e in p.emails)], [])
    if ref.kind == ROLE:
        if not directory.roles:
            return Resolved(problem=f"names a role, and {directory.platform} has no roles{_instead(directory)}")
        wanted = ref.value.lower()
        roles = [g for g in directory.groups if g.kind == ROLE and g.name.lower() == wanted]
        if not roles:
            names = [g.name for g in directory.groups if g.kind == ROLE]
            return Resolved(problem=f"matches no role in {directory.place}{_guess(ref.value, names)}")
        return Resolved(tuple(dict.fromkeys(k for g in roles for k in g.keys)))
    assert ref.kind == HANDLE
    wanted = ref.value.lower()
    groups = [g for g in directory.groups if g.kind == HANDLE and g.name.lower() == wanted]
    # A person's first handle is the one the platform shows (Slack's display name, Discord's username); only
    # when nobody goes by it are their other handles (the username, the display name) looked at.
    people = [p for p in directory.people if p.handles and p.handles[0].lower() == wanted]
    if not people:
        people = [p for p in directory.people if wanted in (h.lower() for h in p.handles)]
    return _one(directory, ref, people, groups)


def _one(directory: Directory, ref: PersonRef, people: Sequence[Person], groups: Sequence[Group]) -> Resolved:
    if len(people) + len(groups) == 1:
        return Resolved((people[0].key,)) if people else Resolved(groups[0].keys)
    if not people and not groups:
        known = [h for p in directory.people for h in p.handles[:1]] + [g.name for g in directory.groups]
        return Resolved(problem=f"matches nobody in {directory.place}{_guess(ref.value, known)}")
    matched = [f"{p.name} ({p.key})" for p in people] + [f"the group {g.name} ({len(g.keys)} people)" for g in groups]
    return Resolved(problem=f"matches {len(matched)}: {', '.join(matched)}; write the member key of the one you mean")


def _guess(value: str, known: Sequence[str]) -> str:
    guess = difflib.get_close_matches(value, list(dict.fromkeys(known)), n=1, cutoff=0.7)
    return f"; did you mean {guess[0]!r}?" if guess else ""


def _instead(directory: Directory) -> str:
    return f"; {directory.advice}" if directory.advice else ""


class PeopleBook:
    """The people of the running config, resolved through the adapter, cached, and refreshed on demand.

    The runtime keeps the config as the admin wrote it (references) and runs on :meth:`resolved`, the same
    config with member keys in place. Resolving needs the platform (an API call, a member list), so it happens
    in :meth:`refresh`; between refreshes the cache answers, and a member key of the adapter's own platform
    stands for itself even before the first refresh.
    """

    def __init__(self, platform: str, lookup: Callable[[Sequence[str]], Awaitable[Resolution]]) -> None:
        self.platform = platform
        self.lookup = lookup
        self.cache: dict[str, Resolved] = {}
        self.problems: list[PeopleProblem] = []
        self._warned: set[str] = set()

    def resolved(self, config: CommunityConfig) -> CommunityConfig:
        """``config`` with every reference the cache (or its own form) resolves replaced by member keys."""
        keys: dict[str, tuple[str, ...]] = {}
        for placed in people_refs(config):
            known = self.cache.get(placed.ref.text)
            if known is not None:
                keys[placed.ref.text] = known.keys
            elif placed.ref.kind == KEY and placed.ref.platform == self.platform:
                keys[placed.ref.text] = (placed.ref.value,)
        return resolve_config(config, keys)

    def unresolved(self, config: CommunityConfig) -> bool:
        """Does ``config`` name anyone the cache has not looked up yet?"""
        return any(p.ref.text not in self.cache for p in people_refs(config))

    def forget_warnings(self) -> None:
        """A new file: its problems are reported again, even those the old one had."""
        self._warned.clear()

    async def refresh(self, config: CommunityConfig) -> list[PeopleProblem]:
        """Look everyone up again; returns the problems not reported before (the caller logs them)."""
        placed = list(people_refs(config))
        found = await self.lookup(sorted({p.ref.text for p in placed}))
        self.cache = dict(found)
        self.problems = [locate(config, p, found[p.ref.text].problem or "")
                         for p in placed if p.ref.text in found and found[p.ref.text].problem]
        new = [p for p in self.problems if str(p) not in self._warned]
        self._warned |= {str(p) for p in new}
        return new


def form_problems(platform: str, config: CommunityConfig, *, emails: bool, roles: bool) -> list[PeopleProblem]:
    """What ``copbot check --platform`` finds without asking the platform: member keys of another platform,
    email addresses where it has none (``emails`` False), roles where it has none (``roles`` False)."""
    directory = Directory(platform, f"the {platform}", emails=emails, roles=roles,
                          advice=f'name them with "@handle" or a {platform} member key')
    problems = []
    for placed in people_refs(config):
        ref = placed.ref
        if ref.kind == HANDLE or (ref.kind == EMAIL and emails) or (ref.kind == ROLE and roles):
            continue  # a form this platform can look up: only the live check can tell whether it finds someone
        problem = resolve_ref(directory, ref).problem
        if problem:
            problems.append(locate(config, placed, problem))
    return problems
