"""Client-side pacing: evenly spaced permits, so the bot stays under a rate instead of bouncing off 429s."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import aiohttp

from bot import metrics


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


def rate_limit_trace() -> aiohttp.TraceConfig:
    """An aiohttp trace for discord.py's session that counts every 429 Discord answers.

    discord.py waits out a 429 and retries inside ``HTTPClient.request`` with no hook of its own; the
    trace sees each response, so ``copbot_rate_limited_total{platform="discord"}`` counts them all.
    """

    async def on_request_end(
        _session: aiohttp.ClientSession, _context: SimpleNamespace, params: aiohttp.TraceRequestEndParams
    ) -> None:
        if params.response.status == 429:
            metrics.rate_limited("discord")

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    return trace
