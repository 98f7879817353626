"""When each welcome step is due for a newcomer, who their buddy is, and safe step templates: pure functions.

Steps are timed in the member's own time zone (a day-2 message at 10:00 arrives at 10:00 where they live,
across daylight-saving changes), never after they left, and each once: the caller passes the steps already
done and stores the ones it sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Step:
    """One onboarding step: sent ``day_offset`` days after the join day, at ``local_time`` ('HH:MM') local."""

    key: str
    day_offset: int
    local_time: str
    template: str

    def at(self) -> time:
        """The step's local time of day (a ValueError for anything but HH:MM)."""
        hours, _, minutes = self.local_time.partition(":")
        if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
            raise ValueError(f"step {self.key!r}: local_time must be HH:MM, got {self.local_time!r}")
        return time(int(hours), int(minutes))


def _zone(member_tz: str | ZoneInfo | None, default_tz: str) -> ZoneInfo:
    if isinstance(member_tz, ZoneInfo):
        return member_tz
    return ZoneInfo(member_tz or default_tz)


def step_due_at(
    step: Step, joined_at_utc: datetime, member_tz: str | ZoneInfo | None, *, default_tz: str = "UTC"
) -> datetime:
    """The UTC instant ``step`` is due: its local time on (join day + offset) in the member's zone.

    Why wall-clock arithmetic on the local date rather than adding hours: "day 7 at 10:00" must stay 10:00
    for the member when a DST change falls in between. A local time skipped by a DST change (02:30 on the
    spring-forward night) resolves as zoneinfo does, to the instant one hour later on the wall clock.
    """
    zone = _zone(member_tz, default_tz)
    join_day = joined_at_utc.astimezone(zone).date()
    local = datetime.combine(join_day + timedelta(days=step.day_offset), step.at(), tzinfo=zone)
    return local.astimezone(UTC)


def due_steps(
    member_joined_at_utc: datetime,
    member_tz: str | ZoneInfo | None,
    steps: Sequence[Step],
    done_step_keys: Iterable[str],
    left_at: datetime | None,
    now_utc: datetime,
    *,
    default_tz: str = "UTC",
) -> list[Step]:
    """Steps due by ``now_utc`` and not yet done, in the order they fall due; none once the member has left.

    A step due before the join itself (day 0 at 09:00 for someone joining at 15:00) is due at once: the
    welcome should not wait a day.
    """
    if left_at is not None and left_at <= now_utc:
        return []
    done = set(done_step_keys)
    due = [
        (step_due_at(s, member_joined_at_utc, member_tz, default_tz=default_tz), i, s)
        for i, s in enumerate(steps)
        if s.key not in done
    ]
    return [s for at, _, s in sorted(due, key=lambda t: (t[0], t[1])) if at <= now_utc]


def next_step_at(
    member_joined_at_utc: datetime,
    member_tz: str | ZoneInfo | None,
    steps: Sequence[Step],
    done_step_keys: Iterable[str],
    left_at: datetime | None,
    *,
    default_tz: str = "UTC",
) -> datetime | None:
    """When the next not-yet-done step falls due (for the scheduler), or ``None`` if none will."""
    done = set(done_step_keys)
    times = [
        step_due_at(s, member_joined_at_utc, member_tz, default_tz=default_tz) for s in steps if s.key not in done
    ]
    times = [t for t in times if left_at is None or t < left_at]
    return min(times, default=None)


# --- buddies ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Newcomer:
    """What buddy choice knows about the newcomer."""

    key: str
    tz_offset_hours: float | None = None
    interests: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BuddyVolunteer:
    """A volunteer buddy and how many newcomers they are currently looking after."""

    key: str
    load: int
    tz_offset_hours: float | None = None
    interests: frozenset[str] = frozenset()


CLOSE_TZ_HOURS = 3.0
"""Offsets this close count as "close time zone" for buddy choice."""


def _tz_distance(a: float | None, b: float | None) -> float:
    if a is None or b is None:
        return 12.0
    diff = abs(a - b) % 24.0
    return min(diff, 24.0 - diff)


def choose_buddy(
    newcomer: Newcomer, volunteers: Iterable[BuddyVolunteer], *, max_load: int | None = None
) -> str | None:
    """The buddy for ``newcomer``: least loaded first (so no volunteer burns out), then one who shares an
    interest or lives in a close time zone (both beats one), then the closest time zone, then by key.

    ``None`` when nobody (other than the newcomer) is available under ``max_load``.
    """
    options = [v for v in volunteers if v.key != newcomer.key and (max_load is None or v.load < max_load)]
    if not options:
        return None

    def rank(v: BuddyVolunteer) -> tuple[int, int, float, str]:
        distance = _tz_distance(newcomer.tz_offset_hours, v.tz_offset_hours)
        affinity = int(bool(newcomer.interests & v.interests)) + int(distance <= CLOSE_TZ_HOURS)
        return (v.load, -affinity, distance, v.key)

    return min(options, key=rank).key


def helper_for(member: str, facilitators: Sequence[str], *, buddy: str | None) -> str | None:
    """Who ``{facilitator}`` names for ``member``: the first facilitator who is not the member, else their buddy.

    Why: a facilitator who joins gets the same welcome sequence, and "If anything is unclear, @you are happy to
    help" in your own check-in reads as a mistake. ``None``: nobody else to name (the text says it generically).
    """
    for key in (*facilitators, buddy):
        if key and key != member:
            return key
    return None
