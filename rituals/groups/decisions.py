"""Interest groups' decisions, as pure functions: what the list says, which groups are quiet, what a name may be.

A group's weekly question and its pairing are not decided here: they are the prompts ritual's rotation and the
pairing ritual's matching, handed to this ritual by the application (:class:`Borrowed`), because a ritual never
imports another. So a group's question bank rotates, and its pairs avoid repeats, exactly as the community's do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from config.groups import GROUP_NAME
from storage.groups import GroupFigures

MAX_BUTTONS = 10  # join buttons under the list (Discord: 5 rows of 5; Slack: 25 elements a block)


@dataclass(frozen=True)
class Peer:
    """A group member in this cycle's pool: what the matching takes into account."""

    key: str
    tz_offset_hours: float | None
    interests: frozenset[str]


PickQuestion = Callable[[Sequence[str], Sequence[str]], str | None]
"""(question bank, questions asked so far, oldest first) -> the next question, or None for an empty bank."""

MatchPeers = Callable[[Sequence[Peer], Sequence[Sequence[tuple[str, ...]]], int, int, int], list[tuple[str, ...]]]
"""(pool, past cycles' pairs, group size, cycles without repeats, seed) -> this cycle's pairs or small groups."""


@dataclass(frozen=True)
class Borrowed:
    """The prompts ritual's question rotation and the pairing ritual's matching, wired in by copbot/registry.py."""

    pick_question: PickQuestion
    match_peers: MatchPeers


@dataclass(frozen=True)
class Listed:
    """A group as ``/cop groups`` shows it to one member."""

    name: str
    description: str
    members: int
    mine: bool


def listing(groups: Sequence[Listed]) -> str:
    """The member's view of every group: name, description, size, and whether they are in it."""
    if not groups:
        return "There are no interest groups yet. A facilitator can start one with `/cop group create NAME`."
    lines = ["*Interest groups*"]
    for g in groups:
        about = f": {g.description}" if g.description else ""
        you = " (you're in)" if g.mine else ""
        lines.append(f"• *{g.name}*{about} ({g.members} member{'s' if g.members != 1 else ''}){you}")
    lines.append("Join with `/cop group join NAME` (or a button below), leave with `/cop group leave NAME`.")
    return "\n".join(lines)


def join_buttons(groups: Sequence[Listed]) -> list[str]:
    """The groups to offer a join button for: those the member is not in, at most :data:`MAX_BUTTONS`."""
    return [g.name for g in groups if not g.mine][:MAX_BUTTONS]


@dataclass(frozen=True)
class Quiet:
    """A group to flag: quiet for ``weeks`` whole weeks."""

    name: str
    weeks: int
    members: int


def quiet_groups(figures: Sequence[GroupFigures], now: datetime, after_weeks: int) -> list[Quiet]:
    """Groups with nothing in the last ``after_weeks`` weeks (members' posts, replies, reactions, pairs met)."""
    out = []
    for f in figures:
        weeks = f.quiet_weeks(now)
        if weeks >= after_weeks:
            out.append(Quiet(f.name, weeks, f.members))
    return out


def check_name(text: str) -> str:
    """A group name as typed (``#Kubernetes`` → ``kubernetes``); ValueError saying what a name may be."""
    name = text.strip().lstrip("#").lower()
    if not re.fullmatch(GROUP_NAME, name):
        raise ValueError(
            f"{text!r} can't be a group name: use up to 31 lowercase letters, digits and dashes, e.g. `platform-eng`"
        )
    return name


def closest(name: str, known: Sequence[str]) -> str | None:
    """The known group a mistyped name most likely meant."""
    import difflib

    found = difflib.get_close_matches(name, list(known), n=1)
    return found[0] if found else None


def seed_of(name: str, slot: datetime) -> int:
    """A stable seed per group and cycle: the same cycle always gives the same pairs (a retried slot too)."""
    import zlib

    return zlib.crc32(f"{name}@{slot.isoformat()}".encode())
