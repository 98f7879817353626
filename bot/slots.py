"""Ritual slots: when a schedule fires, and what to do about slots missed while the bot was down.

A slot is (community, ritual, scheduled time in UTC). APScheduler's ``CronTrigger`` does the calendar
arithmetic in the community's time zone (wall-clock time, so DST shifts are handled the way people
expect: "Monday 10:00" stays 10:00 local). The catch-up rule is a pure function so it is tested with no
clock and no database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.clock import utc

MAX_SLOTS_SCANNED = 2000


@lru_cache(maxsize=256)
def trigger(cron: str, tz: str) -> CronTrigger:
    """The APScheduler trigger for a 5-field crontab line in the community's time zone.

    Cached: parsing the crontab was a third of every slot computation, and a trigger is immutable.
    """
    return CronTrigger.from_crontab(cron, timezone=ZoneInfo(tz))


def _firings(cron: str, tz: str, after: datetime) -> Iterator[datetime]:
    """Firing times after ``after``, in UTC, with a repeated wall-clock time (DST fall-back) fired once.

    The cursor moves in UTC: adding to a zoned datetime is wall-clock arithmetic that drops ``fold``
    and would loop inside the repeated hour.
    """
    zone = ZoneInfo(tz)
    trig = trigger(cron, tz)
    previous: datetime | None = None
    last_wall: datetime | None = None
    cursor = utc(after) + timedelta(microseconds=1)
    for _ in range(MAX_SLOTS_SCANNED * 2):
        fire = trig.get_next_fire_time(previous, cursor.astimezone(zone))
        if fire is None:
            return
        wall = fire.astimezone(zone).replace(tzinfo=None)
        if wall != last_wall:
            yield utc(fire)
        last_wall = wall
        previous = fire
        cursor = utc(fire) + timedelta(microseconds=1)


def slots_between(cron: str, tz: str, after: datetime, until: datetime) -> list[datetime]:
    """Every firing time t with after < t <= until, in UTC, oldest first (bounded)."""
    end = utc(until)
    out: list[datetime] = []
    for fire in _firings(cron, tz, after):
        if fire > end or len(out) >= MAX_SLOTS_SCANNED:
            break
        out.append(fire)
    return out


def next_slots(cron: str, tz: str, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` firing times after ``after`` (for ``copbot check`` and ``/cop facilitator next``)."""
    return list(islice(_firings(cron, tz, after), count))


@dataclass(frozen=True)
class CatchUp:
    """What to do with the slots that are due: run at most one, record the rest."""

    run: datetime | None
    coalesced: tuple[datetime, ...]  # within grace but superseded by a newer slot
    skipped: tuple[datetime, ...]  # older than the grace window


def plan_catch_up(due: list[datetime], now: datetime, grace: timedelta) -> CatchUp:
    """Slots within ``grace`` of now run once (the newest); the other fresh ones coalesce; stale ones skip.

    Three missed weekly slots inside the window give one post, not a burst of three.
    """
    fresh = [slot for slot in due if now - slot <= grace]
    stale = tuple(slot for slot in due if now - slot > grace)
    if not fresh:
        return CatchUp(run=None, coalesced=(), skipped=stale)
    return CatchUp(run=max(fresh), coalesced=tuple(sorted(fresh)[:-1]), skipped=stale)
