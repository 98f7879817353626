"""The community's direct-message policy (``delivery.direct_messages`` in community.yaml), once for every platform.

Why in the core: how hard the bot may DM members is the community's choice, the same on Slack, Discord and
the console. Adapters only await the gate before each DM conversation they open; the policy is read live on
each DM, so a reload applies to the next one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.adapter import DeliveryRefused
from bot.pacing import Pacer
from config.models import DirectMessagesConfig

SWITCHED_OFF = "direct messages are switched off in community.yaml (delivery.direct_messages)"


class DirectMessagePolicy:
    """Refuses every DM while they are switched off; otherwise spaces DMs evenly at ``per_second``.

    ``paced``: whether the platform counts messages per second at all (the console does not: its time is
    simulated, so it only honours the switch). ``scale`` speeds the pace up for benchmarks on a fast fake clock.
    """

    def __init__(
        self,
        setting: Callable[[], DirectMessagesConfig],
        *,
        paced: bool = True,
        scale: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._setting = setting
        self.paced = paced
        self.scale = scale
        self._monotonic, self._sleep = monotonic, sleep
        self._pacer: Pacer | None = None

    async def before_dm(self) -> None:
        policy = self._setting()
        if not policy.enabled:
            raise DeliveryRefused(SWITCHED_OFF)
        if not self.paced or policy.per_second <= 0:
            return
        rate = policy.per_second * self.scale
        if self._pacer is None or self._pacer.rate != rate:
            # One permit at a time: evenly spaced, as community.yaml documents (a new pace starts afresh).
            self._pacer = Pacer(rate, window=0, monotonic=self._monotonic, sleep=self._sleep)
        await self._pacer.wait()
