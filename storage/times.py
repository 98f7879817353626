"""Datetimes as storage hands them back: SQLite returns naive values for what was stored as UTC.

Why in storage/: every reader of a stored time needs it (the core, rituals, reports), and it describes what
the database does to a datetime, so it lives on the floor that owns the database and imports nothing above.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc(dt: datetime) -> datetime:
    """Normalise to aware UTC (naive values from SQLite are taken as UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
