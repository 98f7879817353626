"""community.yaml's DM policy, once for every platform: switched off it refuses, on it spaces DMs evenly, and a
platform that counts no messages per second (the console, in simulated time) only honours the switch."""

from __future__ import annotations

import itertools

import pytest

from bot.adapter import DeliveryRefused
from bot.dm_policy import DirectMessagePolicy
from config.models import Channels, Community, CommunityConfig, DeliveryConfig, DirectMessagesConfig


def community(setting: DirectMessagesConfig) -> CommunityConfig:
    """A community whose only setting that matters here is ``delivery.direct_messages``."""
    return CommunityConfig(community=Community(id="dm-policy", name="DM policy", channels=Channels(general="g")),
                           delivery=DeliveryConfig(direct_messages=setting))


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_switched_off_every_dm_is_refused_with_the_setting_to_change() -> None:
    policy = DirectMessagePolicy(lambda: community(DirectMessagesConfig(enabled=False)))
    with pytest.raises(DeliveryRefused, match=r"delivery\.direct_messages"):
        await policy.before_dm()


async def test_the_pace_spaces_dms_evenly_and_follows_a_reload() -> None:
    clock = FakeTime()
    setting = {"now": DirectMessagesConfig(per_second=2)}
    policy = DirectMessagePolicy(lambda: community(setting["now"]), monotonic=clock.monotonic, sleep=clock.sleep)
    times = []
    for _ in range(4):
        await policy.before_dm()
        times.append(clock.now)
    assert [round(b - a, 9) for a, b in itertools.pairwise(times)] == [0.5] * 3
    setting["now"] = DirectMessagesConfig(per_second=10)  # a reload: the next DMs follow the new pace
    await policy.before_dm()
    later = []
    for _ in range(3):
        await policy.before_dm()
        later.append(clock.now)
    assert [round(b - a, 9) for a, b in itertools.pairwise(later)] == [0.1] * 2


async def test_simulated_time_is_never_paced_but_still_switched() -> None:
    clock = FakeTime()
    setting = {"now": DirectMessagesConfig(per_second=1)}
    policy = DirectMessagePolicy(lambda: community(setting["now"]), paced=False,
                                 monotonic=clock.monotonic, sleep=clock.sleep)
    for _ in range(5):
        await policy.before_dm()
    assert clock.now == 100.0
    setting["now"] = DirectMessagesConfig(enabled=False)
    with pytest.raises(DeliveryRefused):
        await policy.before_dm()


async def test_without_a_communitys_settings_nothing_is_refused_or_paced() -> None:
    """An outbox made for a benchmark or a test's sender has no community.yaml: DMs go, unpaced."""
    clock = FakeTime()
    policy = DirectMessagePolicy(None, monotonic=clock.monotonic, sleep=clock.sleep)
    for _ in range(5):
        await policy.before_dm()
    assert clock.now == 100.0
