"""Discord's side of pacing: counting the 429s discord.py waits out (the pacer itself is :mod:`bot.pacing`)."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp

from bot import metrics


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
