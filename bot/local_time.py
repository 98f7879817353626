"""A member's daytime window in their own time zone: is it open now, and when does it open next?

Why pure functions: the window decides when every DM goes out, across time zones and daylight-saving changes,
so it is computed from (window, zone, instant) only and tested with plain values. Intervals are built per
local day from wall-clock times, so a window that opens at 09:00 opens at 09:00 on the day the clocks change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.local_window import LocalWindow

Interval = tuple[datetime, datetime]
"""[start, end) in aware UTC."""

HORIZON_DAYS = 15
"""How far ahead a common window of a group is looked for: two weeks covers any choice of days."""


def zone_of(tz: str | None, fallback: str) -> ZoneInfo:
    """The member's zone, or ``fallback`` when theirs is unknown or unreadable."""
    for name in (tz, fallback):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def day_interval(window: LocalWindow, zone: ZoneInfo, day: date) -> Interval | None:
    """The window on local ``day`` in UTC, or None when ``day`` is not one of the window's days."""
    if day.weekday() not in window.weekdays():
        return None
    start, end = window.span()
    return (
        datetime.combine(day, start, tzinfo=zone).astimezone(UTC),
        datetime.combine(day, end, tzinfo=zone).astimezone(UTC),
    )


def intervals(window: LocalWindow, zone: ZoneInfo, after: datetime, days: int = HORIZON_DAYS) -> list[Interval]:
    """The window's intervals that end after ``after``, over the next ``days`` local days, in order."""
    first = after.astimezone(zone).date() - timedelta(days=1)
    found = [day_interval(window, zone, first + timedelta(days=i)) for i in range(days + 1)]
    return [span for span in found if span is not None and span[1] > after]


def in_window(window: LocalWindow, zone: ZoneInfo, at: datetime) -> bool:
    """Is ``at`` inside the member's window?"""
    span = day_interval(window, zone, at.astimezone(zone).date())
    return span is not None and span[0] <= at < span[1]


def next_open(window: LocalWindow, zone: ZoneInfo, now: datetime) -> datetime:
    """``now`` if the window is open, else when it next opens."""
    if in_window(window, zone, now):
        return now
    return intervals(window, zone, now)[0][0]


def _intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def common_open(window: LocalWindow, zones: Sequence[ZoneInfo], now: datetime) -> datetime | None:
    """The first moment from ``now`` on when the window is open for every zone (None: not in two weeks).

    Why: a group introduction should reach everyone in their daytime; a group spread from Kolkata to Los
    Angeles may share no weekday hour, and then the caller sends each member their own copy instead.
    """
    if not zones:
        return now
    common = intervals(window, zones[0], now)
    for zone in zones[1:]:
        common = _intersect(common, intervals(window, zone, now))
    return max(common[0][0], now) if common else None
