"""The REST pacer on a fake clock: the rate is kept, bursts stay within one window, and it wakes per window.

No real time passes here: the pacer's clock and sleep are injected, and each "request" advances the fake
clock by a fixed cost, the way a sequential sender (the outbox) uses it.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.pacing import Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay


async def permits(pacer: Pacer, clock: FakeTime, count: int, request_cost: float) -> list[float]:
    """When each of ``count`` sequential requests was let through."""
    times = []
    for _ in range(count):
        await pacer.wait()
        times.append(clock.now)
        clock.now += request_cost
    return times


def worst_excess(times: list[float], rate: float) -> float:
    """The largest (permits in [t_i, t_j]) − rate × (t_j − t_i) over all pairs: a token bucket's burst."""
    worst = 0.0
    for i in range(len(times)):
        for j in range(i, len(times)):
            worst = max(worst, (j - i + 1) - rate * (times[j] - times[i]))
    return worst


async def test_a_fan_out_keeps_the_rate_bursts_at_most_a_window_and_wakes_per_window() -> None:
    clock = FakeTime()
    pacer = Pacer(50, window=0.5, monotonic=clock.monotonic, sleep=clock.sleep)
    times = await permits(pacer, clock, 1000, request_cost=0.002)
    assert pacer.capacity == 25
    assert worst_excess(times, 50) <= 25 + 1e-9  # never more than rate × T plus one window's worth
    assert times[-1] - times[0] == pytest.approx((1000 - 25) / 50, abs=0.5)  # the long-run rate is 50/s
    assert len(clock.sleeps) <= 1000 // 25  # about one wake per window (tokens refill while it sends), not 1,000


async def test_an_evenly_spaced_pacer_would_have_woken_for_every_request() -> None:
    """The control for the test above: a one-permit window is the old even spacing, one sleep per request."""
    clock = FakeTime()
    pacer = Pacer(50, window=0.02, monotonic=clock.monotonic, sleep=clock.sleep)
    times = await permits(pacer, clock, 200, request_cost=0.002)
    assert pacer.capacity == 1
    assert len(clock.sleeps) == 199
    assert [round(b - a, 9) for a, b in itertools.pairwise(times)] == [0.02] * 199


async def test_a_slow_community_pace_stays_evenly_spaced() -> None:
    """delivery.direct_messages.per_second: 2 is one DM every half second, not two at once each second."""
    clock = FakeTime()
    pacer = Pacer(2, monotonic=clock.monotonic, sleep=clock.sleep)
    times = await permits(pacer, clock, 6, request_cost=0.01)
    assert [round(b - a, 9) for a, b in itertools.pairwise(times)] == [0.5] * 5


async def test_an_idle_sender_starts_with_a_full_window_but_never_saves_up_more() -> None:
    clock = FakeTime()
    pacer = Pacer(50, window=0.5, monotonic=clock.monotonic, sleep=clock.sleep)
    await permits(pacer, clock, 10, request_cost=0.0)
    clock.now += 3600  # an hour of quiet
    times = await permits(pacer, clock, 60, request_cost=0.0)
    assert sum(t == times[0] for t in times) == 25  # one window's worth at once, not an hour's
    assert worst_excess(times, 50) <= 25 + 1e-9


async def test_concurrent_callers_at_one_instant_each_get_their_own_permit() -> None:
    """Sixty callers at the same instant (the clock stands still): each is told its own moment to go."""
    now = 1000.0
    told: list[float] = []

    async def note(delay: float) -> None:
        told.append(now + delay)

    pacer = Pacer(50, window=0.5, monotonic=lambda: now, sleep=note)
    await asyncio.gather(*(pacer.wait() for _ in range(60)))
    assert len(told) == 60 - 25  # the first window's worth went at once
    assert sorted(told) == [1000.5] * 25 + [1001.0] * 10
    assert worst_excess([now] * 25 + sorted(told), 50) <= 25 + 1e-9


async def test_rate_zero_is_unpaced() -> None:
    clock = FakeTime()
    pacer = Pacer(0, monotonic=clock.monotonic, sleep=clock.sleep)
    await permits(pacer, clock, 100, request_cost=0.0)
    assert clock.sleeps == []
