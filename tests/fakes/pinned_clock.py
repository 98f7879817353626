"""A clock for the platform suites: real seconds pass, but the date is pinned.

Why: the Slack and Discord suites need time to flow (heartbeats, pacing, retries), yet a test must pass on
every day of the year. The fake platform stamps its ids and times from this clock, and the bot under test
reads the same clock, so the two agree as the real platform and a live bot do.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

PLATFORM_START = datetime(2027, 1, 6, 10, 0, tzinfo=UTC)
"""A Wednesday, 11:00 in Berlin: not the day or hour of any shipped schedule."""


class PinnedClock:
    """``start`` plus the real seconds elapsed since the clock was made."""

    def __init__(self, start: datetime = PLATFORM_START) -> None:
        self._start = start
        self._began = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._began)

    def timestamp(self) -> float:
        return self.now().timestamp()


PLATFORM_CLOCK = PinnedClock()
"""The one clock every fake platform and the bots under test share in a test process."""
