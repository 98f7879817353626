"""Durations written the way admins speak: ``90m``, ``36h``, ``3d``, ``2w`` (or a number of seconds)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


DURATION_HELP = "write a duration as a number and a unit: 90m, 36h, 3d or 2w (s, m, h, d, w), or a number of seconds"
"""What an admin reads for a bad duration: in ``copbot check`` and, as ``patternErrorMessage``, in the editor."""


MAX_DURATION = timedelta(days=3660)
"""Ten years: longer than any setting means, and far from where adding it to a date overflows (year 9999)."""


def parse_duration(value: Any) -> timedelta:
    """Parse ``"3d"`` and friends; a bare number means seconds. Between 0 and :data:`MAX_DURATION`."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration; {DURATION_HELP}")
    elif isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _RE.match(value)):
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    else:
        raise ValueError(f"{_short(value)} is not a duration; {DURATION_HELP}")
    if not 0 <= seconds <= MAX_DURATION.total_seconds():  # also refuses NaN
        raise ValueError(f"{_short(value)} is not a duration between 0s and {MAX_DURATION.days}d; write e.g. 3d")
    return timedelta(seconds=seconds)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def format_duration(value: timedelta) -> str:
    """The shortest exact spelling, for schema defaults and messages."""
    seconds = int(value.total_seconds())
    for unit in ("w", "d", "h", "m"):
        if seconds and seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            # The loader also takes a bare number of seconds and spaces around the unit: so does the schema.
            "type": ["string", "number"],
            "pattern": r"^\s*\d+(\.\d+)?\s*[smhdw]\s*$",
            "patternErrorMessage": DURATION_HELP,
            "minimum": 0,  # a bare number of seconds, up to MAX_DURATION like the loader
            "maximum": int(MAX_DURATION.total_seconds()),
            "examples": ["90m", "36h", "3d", "2w"],
        }
    ),
]
