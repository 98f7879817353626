"""Ritual slots: when a schedule fires, and what to do about slots missed while the bot was down.

A slot is (community, ritual, scheduled time in UTC). A schedule is wall-clock time in the community's time
zone ("Monday 10:00" stays 10:00 local in summer and winter). APScheduler's ``CronTrigger`` does the calendar
arithmetic on the wall clock; turning a wall-clock time into a moment follows one rule for the two nights a
year when the wall clock is not one-to-one (PEP 495's ``fold=0``):

* **The repeated hour** (autumn: 02:00-03:00 happens twice in Europe): each wall-clock slot runs once, at its
  first occurrence (summer time). ``*/30 2 * * *`` fires at 02:00 and 02:30 summer time, not again an hour later.
* **The skipped hour** (spring: 02:00-03:00 does not exist): a slot at a wall-clock time that does not exist
  runs once, as late as the clocks jumped (02:30 runs at 03:30 summer time); a slot that lands on a moment
  another slot of the same schedule already holds is that slot (``*/30 * * * *`` runs at 03:00 and 03:30 once).

So no slot ever fires twice and a daily or weekly slot is never lost. The catch-up rule is a pure function so
it is tested with no clock and no database.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from storage.times import utc

MAX_SLOTS_SCANNED = 2000

_LONGEST_JUMP = timedelta(hours=3)
"""More than any clock change (one hour in most zones, two in a few historical ones): the wall-clock walk
starts this much before ``after`` so a slot moved forward out of a skipped hour is not missed."""


@lru_cache(maxsize=256)
def trigger(cron: str, tz: str) -> CronTrigger:
    """The APScheduler trigger for a 5-field crontab line in the community's time zone.

    Cached: parsing the crontab was a third of every slot computation, and a trigger is immutable.
    """
    return CronTrigger.from_crontab(cron, timezone=ZoneInfo(tz))


@lru_cache(maxsize=256)
def _wall_trigger(cron: str) -> CronTrigger:
    """The same crontab on a clock with no daylight saving: its firings are wall-clock times (read as naive)."""
    return CronTrigger.from_crontab(cron, timezone=UTC)


def _moment(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC moment of a naive wall-clock time (``fold=0``: first of a repeated time, a skipped one moved on)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _firings(cron: str, tz: str, after: datetime) -> Iterator[datetime]:
    """Firing times after ``after``, in UTC, increasing, each wall-clock slot once (the module docstring's rule).

    The walk moves over wall-clock times (a cron on a clock with no DST), and each is turned into its moment;
    a moment not later than the last one given (the second pass of a repeated hour, or a skipped slot moved
    onto an existing one) is left out.
    """
    zone = ZoneInfo(tz)
    trig = _wall_trigger(cron)
    last = utc(after)
    wall = last.astimezone(zone).replace(tzinfo=None) - _LONGEST_JUMP
    previous: datetime | None = None
    cursor = wall.replace(tzinfo=UTC)
    for _ in range(MAX_SLOTS_SCANNED * 2):
        fire = trig.get_next_fire_time(previous, cursor)
        if fire is None:
            return
        moment = _moment(fire.replace(tzinfo=None), zone)
        if moment > last:
            yield moment
            last = moment
        previous = fire
        cursor = fire + timedelta(microseconds=1)


class _Calendar:
    """One schedule's firing times, walked once and reused.

    Why: every tick asks "which slots fell between the last one and now?" and the rota asks for its
    next sessions many times a day; walking the cron calendar again each time was a tenth of a
    simulation. The list holds every firing after ``start`` in order, so the firings after any later
    instant are a bisect away; it is trimmed as time moves on, and rebuilt if asked about the past.
    """

    KEEP = 4096

    def __init__(self, cron: str, tz: str) -> None:
        self.cron = cron
        self.tz = tz
        self.lock = threading.Lock()
        self.start: datetime | None = None
        self.fires: list[datetime] = []
        self.walk: Iterator[datetime] = iter(())

    def _from(self, after: datetime) -> int:
        """Index of the first cached firing after ``after`` (restarting the walk there if need be)."""
        if self.start is None or after < self.start or (self.fires and after > self.fires[-1] + _REWALK_GAP):
            self.start, self.fires, self.walk = after, [], _firings(self.cron, self.tz, after)
        index = bisect_right(self.fires, after)
        # The cached firings may end before ``after`` (asked again a few hours later): walk on past it, or
        # the firings in between would be answered as if they were still to come.
        while index == len(self.fires) and (fire := self._at(index)) is not None and fire <= after:
            index += 1
        if index > self.KEEP:  # the past is not asked about again: drop it, keeping the list's promise
            self.start = self.fires[index - 1]
            del self.fires[:index]
            index = 0
        return index

    def _at(self, index: int) -> datetime | None:
        while index >= len(self.fires):
            fire = next(self.walk, None)
            if fire is None and self.fires:
                # The walk stops after a bounded scan; carry on from the last firing, once (a fresh walk
                # gives only moments after it, so nothing repeats).
                self.walk = _firings(self.cron, self.tz, self.fires[-1])
                fire = next(self.walk, None)
            if fire is None:
                return None
            self.fires.append(fire)
        return self.fires[index]

    def between(self, after: datetime, until: datetime) -> list[datetime]:
        return self._collect(after, MAX_SLOTS_SCANNED, until)

    def following(self, after: datetime, count: int) -> list[datetime]:
        return self._collect(after, count, None)

    def _collect(self, after: datetime, count: int, until: datetime | None) -> list[datetime]:
        """Up to ``count`` firings after ``after`` (and not after ``until``, when given), oldest first."""
        with self.lock:
            out: list[datetime] = []
            index = self._from(after)
            while len(out) < count:
                fire = self._at(index)
                if fire is None or (until is not None and fire > until):
                    break
                out.append(fire)
                index += 1
            return out

_REWALK_GAP = timedelta(days=30)
"""A question this far past the cached firings starts a fresh walk rather than walking every slot between."""


@lru_cache(maxsize=256)
def _calendar(cron: str, tz: str) -> _Calendar:
    return _Calendar(cron, tz)


def slots_between(cron: str, tz: str, after: datetime, until: datetime) -> list[datetime]:
    """Every firing time t with after < t <= until, in UTC, oldest first (bounded)."""
    return _calendar(cron, tz).between(utc(after), utc(until))


def next_slots(cron: str, tz: str, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` firing times after ``after`` (for ``copbot check`` and ``/cop facilitator next``)."""
    return _calendar(cron, tz).following(utc(after), count)


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
