"""Whose community anniversary is today, and how to say it: pure functions of dates and names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Anniversary:
    """A member who joined ``years`` years ago today."""

    member: str
    years: int


def anniversary_in(year: int, joined: date) -> date:
    """The day ``joined`` comes round in ``year``; a 29 February join is celebrated on 28 February otherwise."""
    try:
        return joined.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def anniversaries(joined: Iterable[tuple[str, date]], today: date) -> list[Anniversary]:
    """Members whose join day comes round ``today``, one year or more after they joined, oldest first."""
    due = [
        Anniversary(member, today.year - day.year)
        for member, day in joined
        if day.year < today.year and anniversary_in(today.year, day) == today
    ]
    return sorted(due, key=lambda a: (-a.years, a.member))


def cheer(names: Sequence[tuple[str, int]]) -> str:
    """The channel post for the day: each name with its years, in one friendly line each."""
    lines = [f"🎉 {name}: {years} year{'s' if years != 1 else ''} in the community today!" for name, years in names]
    return "\n".join(["*Community anniversaries*", *lines, "Thank you for being here."])
