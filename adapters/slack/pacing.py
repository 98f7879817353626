"""Staying under Slack's rate limits: our own pacing first, the SDK's 429 retry handler as the safety net.

Why both: a 429 costs at least a second (``Retry-After``) and shows as lag to members, so the adapter
spaces its own calls at Slack's documented rates (about one message per second per channel; Tier 2/3/4
per-method limits). When Slack still answers 429 (another app, a workspace-wide limit), slack_sdk's
``AsyncRateLimitErrorRetryHandler`` waits ``Retry-After`` and retries the same call, so the outbox,
which sends one delivery at a time, keeps its order and never sends a message twice.

``scale`` speeds time up for tests and benchmarks: every interval and ``Retry-After`` is divided by it.
In production it is 1 and the SDK's own handler is used unchanged.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot import metrics

# Slack's documented tiers, in calls per minute (https://api.slack.com/apis/rate-limits).
TIER_2 = 20.0
TIER_3 = 50.0
TIER_4 = 100.0

DEFAULT_METHOD_RATES: dict[str, float] = {
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.list": TIER_2,
    "reactions.add": TIER_3,
    "users.info": TIER_4,
    "users.list": TIER_2,  # the people community.yaml names: read once, again only when Slack reports a change
    "usergroups.list": TIER_2,
    "users.lookupByEmail": TIER_3,
    "users.profile.get": TIER_4,
}


@dataclass(frozen=True)
class Pacing:
    """How fast the adapter lets itself call Slack."""

    per_channel_seconds: float = 1.0
    """Minimum gap between two messages into the same channel (chat.postMessage's documented limit)."""
    method_rates: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_METHOD_RATES))
    """Calls per minute for rate-tiered methods; a method not listed is not paced."""
    scale: float = 1.0
    """Time runs this many times faster (tests, benchmarks); 1 in production."""
    max_retries: int = 10
    """How many 429s in a row one call survives before the delivery counts as failed."""

    def scaled(self, factor: float) -> Pacing:
        return replace(self, scale=self.scale * factor)

    def method_interval(self, method: str) -> float | None:
        rate = self.method_rates.get(method)
        return None if not rate else 60.0 / rate / self.scale

    @property
    def channel_interval(self) -> float:
        return self.per_channel_seconds / self.scale


class Pacer:
    """Reserves the next free moment per key (a channel, a method) and sleeps until it.

    Reservation happens before the sleep, so callers that arrive in order leave in order.
    """

    def __init__(self) -> None:
        self._next: dict[str, float] = {}

    async def wait(self, key: str, interval: float | None) -> None:
        if not interval:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        at = max(now, self._next.get(key, now))
        self._next[key] = at + interval
        if at > now:
            await asyncio.sleep(at - now)


class ScaledRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """The SDK's 429 handler with ``Retry-After`` divided by a time scale (tests and benchmarks only)."""

    def __init__(self, max_retry_count: int, scale: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.scale = scale

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("rate-limit retry without a response")
        state.next_attempt_requested = True
        header = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        seconds = float(header[0]) if header else 1.0
        await asyncio.sleep((seconds + random.random()) / self.scale)
        state.increment_current_attempt()


class RateLimitCounter(AsyncRetryHandler):
    """Counts every 429 Slack answers (``copbot_rate_limited_total``) and never retries anything itself.

    slack_sdk asks each retry handler, in order, about every response; placed first, this one sees all
    429s, including the last one of a call whose retries ran out.
    """

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if error is None and response is not None and response.status_code == 429:
            metrics.rate_limited("slack")
        return False


def retry_handlers(pacing: Pacing) -> list[AsyncRetryHandler]:
    """Connection errors retried once (the SDK default) and 429s honoured ``max_retries`` times (and counted)."""
    limit: AsyncRetryHandler
    if pacing.scale == 1:
        limit = AsyncRateLimitErrorRetryHandler(max_retry_count=pacing.max_retries)
    else:
        limit = ScaledRateLimitRetryHandler(pacing.max_retries, pacing.scale)
    return [RateLimitCounter(), AsyncConnectionErrorRetryHandler(), limit]
