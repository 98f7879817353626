"""Pacing a sender: a token bucket that keeps it under a rate instead of bouncing off the platform's 429s.

Why in the core: the Discord adapter paces its REST calls with it, and the outbox paces the community's direct
messages (``delivery.direct_messages.per_second``) with it on every platform.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

WINDOW_SECONDS = 0.5
"""A paced sender's bucket holds this many seconds' worth of permits, so it wakes about this often."""


class Pacer:
    """Keeps a sender at ``rate`` permits per second (0 or less: unpaced), waking it once per window.

    Why a bucket and not one permit every ``1/rate`` s: each wake-up costs CPU, and in a 1,000-DM fan-out
    waking before every request was a third of the bot's CPU. The bucket holds one window's worth of permits
    and, once empty, sleeps until it is full again: no T seconds ever get more than ``rate x T`` permits plus
    one window's worth. Reserving is one read-modify-write without an ``await``, so concurrent callers on one
    loop need no lock.
    """

    def __init__(
        self,
        rate: float,
        window: float = WINDOW_SECONDS,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._monotonic, self._sleep = monotonic, sleep  # injected so tests can run the pace on a fake clock
        self.rate = rate if rate > 0 else 0.0
        self.capacity = max(1, int(rate * window)) if rate > 0 else 0
        self._tokens = float(self.capacity)
        self._at = monotonic()  # when ``_tokens`` was last brought up to date (or will be, when reserved ahead)
        self.waited = 0.0

    async def wait(self) -> None:
        if not self.rate:
            return
        now = self._monotonic()
        if now > self._at:
            self._tokens = min(float(self.capacity), self._tokens + (now - self._at) * self.rate)
            self._at = now
        if self._tokens < 1:
            # Empty: the bucket is next full at ``_at``; count it full from then on (permits reserved ahead).
            self._at += (self.capacity - self._tokens) / self.rate
            self._tokens = float(self.capacity)
        self._tokens -= 1
        delay = self._at - now  # > 0 while this permit is one reserved ahead: wait for the bucket to fill
        if delay > 0:
            self.waited += delay
            await self._sleep(delay)
