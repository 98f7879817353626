"""The injected clock: code asks a clock for the time so tests and ``copbot simulate`` can move it.

Every datetime the core handles is timezone-aware UTC; conversion to the community's or a member's
time zone happens at the edge (schedules, text).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Anything that can say what time it is (always aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, for production."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to: for tests, the console's ``/time`` and the simulator."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        when = when.astimezone(UTC)
        if when < self._now:
            raise ValueError("time only moves forward")
        self._now = when


def parse_start(text: str, zone: str) -> datetime:
    """``--start`` / ``COPBOT_START``: where a console or simulated clock begins, as aware UTC.

    Why a pinned start at all: what a community sees depends on the weekday and the hour it begins (a
    Monday check is 3 days away from a Friday, 7 from a Monday), so a script or a test that starts "now"
    behaves differently on different days. An ISO 8601 date or date-time; without an offset it is read
    in the community's time zone, because that is the clock its members and schedules live by.
    """
    cleaned = text.strip()
    try:
        when = datetime.fromisoformat(cleaned[:-1] + "+00:00" if cleaned.endswith(("Z", "z")) else cleaned)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a start time; write an ISO 8601 date-time such as 2027-01-04T09:00 "
            f"(in {zone}) or 2027-01-04T08:00Z"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(zone))
    return when.astimezone(UTC)
