"""Kudos decisions as pure functions: reading the command, who may thank whom, the digest, the milestones.

Nothing here reads a clock or a database: the ritual passes in how many kudos the giver gave today, the
receiver's count before and after, and the kudos of the digest's period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.text import strip_markers

USAGE = "/cop kudos [private] @member for what they did"


class KudosRefused(ValueError):
    """A kudos that will not be given; the message says why, kindly, and what to do instead."""


@dataclass(frozen=True)
class KudosRequest:
    """What the giver typed: who, why, and whether privately."""

    who: str
    reason: str
    private: bool


@dataclass(frozen=True)
class GivenKudos:
    """One kudos as the digest needs it."""

    giver: str
    receiver: str
    reason: str


def parse_request(args: Sequence[str], *, max_reason: int) -> KudosRequest:
    """``[private] @member [for] reason...``; the reason is member text, stripped of mention markers."""
    words = list(args)
    private = bool(words) and words[0].lower() in ("private", "privately", "dm")
    if private:
        words = words[1:]
    if not words:
        raise KudosRefused(f"Who would you like to thank? Usage: `{USAGE}`")
    who, rest = words[0], words[1:]
    if rest and rest[0].lower() == "for":
        rest = rest[1:]
    reason = " ".join(strip_markers(" ".join(rest)).split())
    if not reason:
        raise KudosRefused(f"Say what you're thanking them for, e.g. `/cop kudos {who} for debugging the ingress`.")
    if len(reason) > max_reason:
        raise KudosRefused(f"That reason is {len(reason)} characters; keep it under {max_reason} "
                           "(a sentence is plenty).")
    return KudosRequest(who=who, reason=reason, private=private)


def check_allowed(giver: str, receiver: str, given_today: int, max_per_day: int, *, private: bool,
                  allow_private: bool) -> None:
    """Refuse self-kudos, kudos over the daily cap and private kudos where the admin turned them off."""
    if giver == receiver:
        raise KudosRefused("That's kind, but kudos are for thanking someone else. "
                           "Who helped you lately? `/cop kudos @name for ...`")
    if given_today >= max_per_day:
        raise KudosRefused(f"You've given {given_today} kudos today, the most for one day here. "
                           "Thank you for being so generous! Try again tomorrow.")
    if private and not allow_private:
        raise KudosRefused("Private kudos are switched off here; leave out `private` to thank them in the channel.")


def milestones_reached(before: int, after: int, milestones: Sequence[int]) -> list[int]:
    """The milestones crossed when a member's count goes from ``before`` to ``after``."""
    return [m for m in milestones if before < m <= after]


def digest_text(community: str, kudos: Sequence[GivenKudos], name: Callable[[str], str], period: str) -> str | None:
    """The digest post: totals, who was thanked most, and each public thank-you; None when there were none."""
    if not kudos:
        return None
    received = Counter(k.receiver for k in kudos)
    givers = {k.giver for k in kudos}
    lines = [f"*Kudos {period}*: {len(kudos)} thank-you{'s' if len(kudos) != 1 else ''} "
             f"from {len(givers)} member{'s' if len(givers) != 1 else ''} in {community}."]
    top = sorted(received.items(), key=lambda kv: (-kv[1], name(kv[0]).lower()))[:3]
    lines.append("Most thanked: " + ", ".join(f"{name(k)} ({n})" for k, n in top))
    for k in kudos[:20]:
        lines.append(f"• {name(k.giver)} → {name(k.receiver)}: {k.reason}")
    if len(kudos) > 20:
        lines.append(f"…and {len(kudos) - 20} more.")
    lines.append("Thank someone yourself with `/cop kudos @name for ...`")
    return "\n".join(lines)
