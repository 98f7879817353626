"""``delivery.direct_messages.local_window``: the daytime window, in each member's own time zone, for DMs.

Why a setting of its own: a community spread over many time zones gets reminders and introductions at 3 a.m.
when DMs go out at the community's time. With a window set, the outbox holds a DM until the window opens for
its member (bot/dm_policy.py); channel posts stay at the community's time.
"""

from __future__ import annotations

import difflib
import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, field_validator

from config.base import Strict

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_hours(text: str) -> tuple[time, time]:
    """``"09:00-18:00"`` -> (09:00, 18:00); the end is after the start, on the same day."""
    match = _HOURS.match(text)
    if not match:
        raise ValueError(f'{text!r} is not a window; write it as "HH:MM-HH:MM", e.g. "09:00-18:00"')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 23, 59
    if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60):
        raise ValueError(f"{text!r}: hours go from 00 to 23 and minutes from 00 to 59")
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise ValueError(f"{text!r}: the window must end after it starts on the same day, e.g. \"09:00-18:00\"")
    return start, end


def known_zone(value: str) -> str:
    """An IANA zone name, or a ValueError that suggests the closest one."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        guess = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
        advice = f"did you mean {guess[0]!r}?" if guess else "use an IANA name such as Europe/Berlin"
        raise ValueError(f"unknown time zone {value!r}; {advice}") from exc
    return value


class LocalWindow(Strict):
    """When a member may get a DM, in the member's own time zone."""

    hours: str = Field(default="09:00-18:00", description='local hours, "HH:MM-HH:MM", e.g. "09:00-18:00"')
    days: list[str] = Field(
        default_factory=lambda: list(WEEKDAYS[:5]), description="local days, e.g. [mon, tue, wed, thu, fri]"
    )
    default_timezone: str | None = Field(
        default=None,
        description="for members whose platform gives no time zone (Discord) and who set none with "
        "/cop timezone; default the community's time zone",
    )

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: str) -> str:
        parse_hours(value)
        return value

    @field_validator("days")
    @classmethod
    def _valid_days(cls, value: list[str]) -> list[str]:
        days = [d.strip().lower()[:3] for d in value]
        unknown = [d for d in days if d not in WEEKDAYS]
        if unknown or not days:
            raise ValueError(f"days are written mon, tue, wed, thu, fri, sat, sun (at least one); not {unknown}")
        return sorted(set(days), key=WEEKDAYS.index)

    @field_validator("default_timezone")
    @classmethod
    def _valid_zone(cls, value: str | None) -> str | None:
        return None if value is None else known_zone(value)

    def span(self) -> tuple[time, time]:
        return parse_hours(self.hours)

    def weekdays(self) -> frozenset[int]:
        """The allowed days as ``date.weekday()`` numbers (Monday 0)."""
        return frozenset(WEEKDAYS.index(d) for d in self.days)
