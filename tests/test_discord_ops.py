"""Discord's side of /metrics and /healthz: every 429 the fake Discord answers is counted, and the adapter
reports its gateway connection (real discord.py client, fake Discord on 127.0.0.1)."""

from __future__ import annotations

from bot import metrics
from bot.actions import Post
from copbot.healthz import check
from storage.db import Database
from tests.discord_harness import GENERAL, running_bot
from tests.fakes.discord_fake import FakeDiscord


async def test_each_429_from_discord_is_counted_and_the_post_still_goes_out_once(
    fake: FakeDiscord, db: Database
) -> None:
    fake.fail_next("POST", rf"/channels/{GENERAL}/messages", retry_after=0.2, times=2)
    before = metrics.value("copbot_rate_limited_total", platform="discord")
    async with running_bot(fake, db) as bot:
        await bot.adapter.perform(Post(text="Demo day on Friday", channel="general"), "announce:1:0")
    attempts = [c.status for c in fake.calls if c.method == "POST" and c.path == f"/channels/{GENERAL}/messages"]
    assert attempts == [429, 429, 200]
    assert metrics.value("copbot_rate_limited_total", platform="discord") - before == 2


async def test_healthz_sees_the_discord_gateway_connected_and_then_gone(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        assert await bot.adapter.is_connected()
        health = await check(bot.runtime)
        assert health.healthy and health.probes.adapter_connected
        await bot.adapter.client.close()  # the gateway is gone (a network cut, a token reset)
        assert not await bot.adapter.is_connected()
        health = await check(bot.runtime)
        assert not health.healthy
        assert health.problems == ("not connected to the chat platform",)
