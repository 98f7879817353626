"""The discord.py client's own costs, kept bounded: the rate-limit bucket sweep runs now and then, not per request."""

from __future__ import annotations

import discord
import pytest

from adapters.discord.client import BUCKET_SWEEP_EVERY, CopClient
from adapters.discord.settings import DiscordSettings


def test_the_private_bucket_sweep_still_exists() -> None:
    """CopClient wraps this private discord.py method; a rename in discord.py must fail here."""
    assert callable(discord.http.HTTPClient._try_clear_expired_ratelimits)
    assert isinstance(discord.http.HTTPClient(loop=None)._buckets, dict)  # type: ignore[arg-type]


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
