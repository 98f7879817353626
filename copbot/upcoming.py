"""How ``copbot check`` words a ritual's next firings for an admin: dates for sessions, a rhythm for checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from bot.ritual import Upcoming

FREQUENT = timedelta(days=1)
"""Firings closer together than this are a rhythm ("every 15 minutes"), not dates worth listing one by one."""


def _every(gap: timedelta) -> str:
    minutes = int(gap.total_seconds() // 60)
    if minutes % 60:
        return "every minute" if minutes == 1 else f"every {minutes} minutes"
    hours = minutes // 60
    return "every hour" if hours == 1 else f"every {hours} hours"


def upcoming_line(item: Upcoming, zone: ZoneInfo) -> str:
    """``sessions: next Thu 26 Nov 2026 16:00, ... (note)`` in the community's time zone.

    Evenly spaced firings less than a day apart are an internal check: listing three times a quarter of an
    hour apart says nothing, so the line gives the rhythm and the first time instead.
    """

    def when(at: datetime) -> str:
        return at.astimezone(zone).strftime("%a %d %b %Y %H:%M")

    times = item.times
    gaps = {b - a for a, b in pairwise(times)}
    if not times:
        text = "nothing scheduled"
    elif len(times) > 1 and len(gaps) == 1 and next(iter(gaps)) < FREQUENT:
        text = f"checks {_every(next(iter(gaps)))}, next {when(times[0])}"
    else:
        text = "next " + ", ".join(when(t) for t in times)
    return f"{item.what}: {text}" + (f" ({item.note})" if item.note else "")
