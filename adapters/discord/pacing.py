"""Discord's side of pacing: the trace that makes every discord.py request wait for :mod:`bot.pacing`'s permit and
counts the 429s discord.py waits out."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp

from bot import metrics
from bot.pacing import Pacer


def rest_trace(pacer: Pacer | None = None) -> aiohttp.TraceConfig:
    """An aiohttp trace for discord.py's session (``Client(http_trace=...)``, public API): each request
    waits for a permit from ``pacer`` before it goes out, and every 429 Discord answers is counted.

    Why a trace: aiohttp awaits ``on_request_start`` before sending, for every request discord.py makes,
    retries after a 429 included, so pacing needs no patch of discord.py's HTTP client. discord.py waits out
    a 429 and retries inside ``HTTPClient.request`` with no hook of its own; the trace sees each response,
    so ``copbot_rate_limited_total{platform="discord"}`` counts them all.
    """

    async def on_request_start(
        _session: aiohttp.ClientSession, _context: SimpleNamespace, _params: aiohttp.TraceRequestStartParams
    ) -> None:
        if pacer is not None:
            await pacer.wait()

    async def on_request_end(
        _session: aiohttp.ClientSession, _context: SimpleNamespace, params: aiohttp.TraceRequestEndParams
    ) -> None:
        if params.response.status == 429:
            metrics.rate_limited("discord")

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    trace.on_request_end.append(on_request_end)
    return trace
