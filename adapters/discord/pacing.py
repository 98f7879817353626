"""Client-side pacing: evenly spaced permits, so the bot stays under a rate instead of bouncing off 429s."""

from __future__ import annotations

import asyncio
import time


class Pacer:
    """Hands out one permit every ``1/rate`` seconds; ``rate`` 0 or less means unpaced.

    Reservation is a single read-modify-write with no ``await`` in between, so concurrent callers on one
    event loop each get their own slot without a lock.
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self.waited = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval
        delay = slot - now
        if delay > 0:
            self.waited += delay
            await asyncio.sleep(delay)
