"""Who has gone quiet, who is due a nudge, what to say, and who came back: pure functions of dates and names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Quiet:
    """A member who has not taken part since ``last_active`` (None: never)."""

    member: str
    last_active: datetime | None


def quiet_members(
    joined: Iterable[tuple[str, datetime]], last_active: Mapping[str, datetime], now: datetime, quiet_for: timedelta
) -> list[Quiet]:
    """Members here for at least ``quiet_for`` with nothing in the last ``quiet_for``, longest quiet first."""
    cutoff = now - quiet_for
    found = [
        Quiet(member, last_active.get(member))
        for member, joined_at in joined
        if joined_at <= cutoff and (last_active.get(member) is None or last_active[member] < cutoff)
    ]
    return sorted(found, key=lambda q: (q.last_active is not None, q.last_active or now, q.member))


def due_nudges(
    quiet: Sequence[Quiet],
    last_nudged: Mapping[str, datetime],
    resting: set[str],
    now: datetime,
    every: timedelta,
    limit: int,
) -> list[Quiet]:
    """The quiet members to nudge now: not resting ("not now"), not nudged within ``every``, at most ``limit``."""
    due = [q for q in quiet if q.member not in resting and (
        q.member not in last_nudged or last_nudged[q.member] <= now - every)]  # fmt: skip
    return due[:limit]


def nudge_text(name: str, community: str, prompt: str | None, channel: str | None) -> str:
    """A short, warm, personal note that points at something happening now, and at how to say "not now"."""
    lines = [f"Hi {name}! We have missed you in {community} lately. No pressure at all: just a hello."]
    if prompt:
        where = f" in #{channel}" if channel else ""
        lines.append(f"This week's question{where}: \u201c{prompt}\u201d. A one-line answer is plenty.")
    else:
        lines.append("If something from your work would interest the others, a short post is always welcome.")
    lines.append("Not a good time? `/cop pause until YYYY-MM-DD` or `/cop dm off`, and I will keep quiet.")
    return "\n".join(lines)


@dataclass(frozen=True)
class Outcome:
    """One nudge and what followed: ``came_back_at`` within the window, or None; ``settled`` once it is known."""

    member: str
    nudged_at: datetime
    came_back_at: datetime | None
    settled: bool


def outcomes(
    nudges: Iterable[tuple[str, datetime]], activity: Mapping[str, Sequence[datetime]], now: datetime,
    within: timedelta,
) -> list[Outcome]:
    """For each nudge: the member's first activity after it and within ``within``; settled when that happened
    or the window is over."""
    out = []
    for member, at in nudges:
        back = next((t for t in activity.get(member, ()) if at < t <= at + within), None)
        out.append(Outcome(member, at, back, back is not None or now >= at + within))
    return out


def return_rate(found: Sequence[Outcome]) -> tuple[int, int]:
    """(came back, settled nudges): nudges still within their window count only once the member is back."""
    return sum(1 for o in found if o.came_back_at is not None), sum(1 for o in found if o.settled)


def rate_text(came_back: int, settled: int) -> str:
    return f"{came_back}/{settled} came back ({round(100 * came_back / settled)}%)" if settled else "none settled yet"


def summary(found: Sequence[Outcome], names: Mapping[str, str], shown: int = 20) -> str:
    """For facilitators: who was nudged, who came back, and the return rate."""
    if not found:
        return "Nobody has been nudged yet."
    came, settled = return_rate(found)
    lines = [f"*Nudges*: {len(found)} sent; {rate_text(came, settled)}."]
    for o in sorted(found, key=lambda o: o.nudged_at, reverse=True)[:shown]:
        state = (f"came back {o.came_back_at:%Y-%m-%d}" if o.came_back_at else
                 "not back" if o.settled else "waiting")  # fmt: skip
        lines.append(f"\u2022 {names.get(o.member, o.member)}, nudged {o.nudged_at:%Y-%m-%d}: {state}")
    if len(found) > shown:
        lines.append(f"\u2026 and {len(found) - shown} earlier.")
    return "\n".join(lines)
