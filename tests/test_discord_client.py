"""The discord.py client: REST calls paced through discord.py's public ``http_trace`` hook, and its own costs
kept bounded (the rate-limit bucket sweep runs now and then, not per request, when discord.py still has it)."""

from __future__ import annotations

import discord
import pytest

from adapters.discord.client import BUCKET_SWEEP_EVERY, CopClient
from adapters.discord.settings import DiscordSettings
from bot.actions import Post
from storage.db import Database
from tests.discord_harness import GENERAL, running_bot
from tests.fakes.discord_fake import FakeDiscord


def test_the_private_bucket_sweep_still_exists_in_the_installed_discord_py() -> None:
    """CopClient thins out this private discord.py method when it is there (a CPU saving, bench/fanout.py);
    a release that renames it makes this fail, so the saving is not lost unnoticed (the bot still works)."""
    assert callable(discord.http.HTTPClient._try_clear_expired_ratelimits)
    assert isinstance(discord.http.HTTPClient(loop=None)._buckets, dict)  # type: ignore[arg-type]


async def test_without_the_private_sweep_the_client_still_builds_and_sends(
    fake: FakeDiscord, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pin follows discord.py's 2.x line: a release without the private method costs CPU, not the bot."""
    monkeypatch.delattr(discord.http.HTTPClient, "_try_clear_expired_ratelimits")
    monkeypatch.setattr(discord.http.HTTPClient, "get_ratelimit", _get_ratelimit_without_sweep)
    async with running_bot(fake, db) as bot:
        assert bot.adapter.client.sweeps_thinned is False
        await bot.adapter.perform(Post(text="still here", channel="general"), "d1")
    assert [c.status for c in fake.calls if c.method == "POST" and c.path == f"/channels/{GENERAL}/messages"] == [200]


def _get_ratelimit_without_sweep(self: discord.http.HTTPClient, key: str) -> discord.http.Ratelimit:
    if key not in self._buckets:
        self._buckets[key] = discord.http.Ratelimit(self.max_ratelimit_timeout)
    return self._buckets[key]


async def test_every_rest_request_waits_for_a_permit_through_the_public_trace_hook(
    fake: FakeDiscord, db: Database
) -> None:
    """The pacer sits in aiohttp's trace (``Client(http_trace=...)``), not in a patched ``HTTPClient.request``:
    each request the fake receives, a 429's retry included, took one permit first."""
    fake.fail_next("POST", rf"/channels/{GENERAL}/messages", retry_after=0.05, times=1)
    async with running_bot(fake, db) as bot:
        client = bot.adapter.client
        assert client.http.request.__func__ is discord.http.HTTPClient.request  # type: ignore[attr-defined]
        waits: list[str] = []
        inner = client.pacer.wait

        async def counting_wait() -> None:
            waits.append("permit")
            await inner()

        client.pacer.wait = counting_wait  # type: ignore[method-assign]
        before = len(fake.calls)
        await bot.adapter.perform(Post(text="paced", channel="general"), "d1")
        await bot.adapter.perform(Post(text="paced again", channel="general"), "d2")
        requests = len(fake.calls) - before
    statuses = [c.status for c in fake.calls if c.method == "POST" and c.path == f"/channels/{GENERAL}/messages"]
    assert statuses == [429, 200, 200]
    assert requests >= 3 and len(waits) == requests


async def test_a_fan_out_to_new_channels_sweeps_once_per_batch_of_new_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each DM channel is a new bucket: 1,000 of them must not mean 1,000 sweeps over every bucket."""
    sweeps: list[int] = []

    def counting_sweep(self: discord.http.HTTPClient) -> None:
        sweeps.append(len(self._buckets))

    monkeypatch.setattr(discord.http.HTTPClient, "_try_clear_expired_ratelimits", counting_sweep)
    client = CopClient(adapter=None, settings=DiscordSettings(token="t"))  # type: ignore[arg-type]
    try:
        for channel in range(1000):
            client.http.get_ratelimit(f"POST /channels/{{channel_id}}/messages:{channel}")
        client.http.get_ratelimit("POST /channels/{channel_id}/messages:0")  # a known bucket never sweeps
    finally:
        await client.close()
    assert sweeps == [BUCKET_SWEEP_EVERY * n for n in range(1, 1000 // BUCKET_SWEEP_EVERY + 1)]
