"""Discord fan-out benchmark: 1,000 DMs and 100 channel posts through the real outbox and discord.py client.

The fake Discord runs in its own process (so the bot's CPU time is the bot's alone) and enforces
Discord's global limit of 50 requests/s on a clock sped up ``--speed`` times. The minimum any client
could take is (requests needed) ÷ 50/s; the bot paces itself to that rate instead of bouncing off 429s,
half a second's worth of requests per wake-up (bot/pacing.py).
DM pacing (community.yaml's ``delivery.direct_messages.per_second``) is off in the fixture's config: it
is the community's policy, not a platform limit.
Prints each figure beside its goal; it does not assert.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import discord  # noqa: E402

from adapters.discord.adapter import DiscordAdapter  # noqa: E402
from adapters.discord.settings import DiscordSettings, configure_endpoints  # noqa: E402
from bot.actions import DirectMessage, Post  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.outbox import write_plan  # noqa: E402
from bot.ritual import Planned  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from config.loader import parse_config  # noqa: E402
from storage.db import open_database  # noqa: E402

PLATFORM_RATE = 50.0  # Discord's global limit, requests per second
CONFIG = ROOT / "tests" / "fixtures" / "discord" / "community.yaml"


def serve_fake(speed: float, ports: Any, stop: Any) -> None:
    """Child process: the fake Discord, rate-limited on the sped-up clock, until told to stop."""
    from tests.fakes.discord_fake import FakeDiscord

    async def main() -> None:
        fake = FakeDiscord(rate_per_second=PLATFORM_RATE, speed=speed)
        await fake.start()
        ports.put(fake.port)
        await asyncio.get_running_loop().run_in_executor(None, stop.wait)  # a multiprocessing Event
        await fake.stop()

    asyncio.run(main())


def fake_stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/stats") as response:
        data: dict[str, Any] = json.load(response)
        return data


async def run(dms: int, posts: int, speed: float, port: int, baseline: bool = True) -> dict[str, Any]:
    api, gateway = f"http://127.0.0.1:{port}/api/v10", f"ws://127.0.0.1:{port}/gateway"
    settings = DiscordSettings(
        token="bench-token",
        api_url=api,
        gateway_url=gateway,
        guild_ready_timeout=0.05,
        requests_per_second=PLATFORM_RATE * speed,
        pacing_window=0.5 / speed,
    )
    configure_endpoints(api, gateway)
    config = parse_config(CONFIG.read_text(), str(CONFIG))
    db = open_database(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    adapter = DiscordAdapter(settings)
    runtime = Runtime(config, db, adapter, SystemClock(), [])
    await runtime.start(background=False)
    before = fake_stats(port)
    guild = 81384788765712384
    planned = [Planned(DirectMessage(text=f"dm {i}", member=f"discord:{guild}:{300000000000000000 + i}"))
               for i in range(dms)]
    planned += [Planned(Post(text=f"post {i}", channel="general")) for i in range(posts)]
    now = datetime.now(UTC)
    with db.session() as tx:
        write_plan(tx, runtime.community, "bench", "fanout", planned, now)
        tx.commit()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    sent = await runtime.outbox.drain()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    after = fake_stats(port)
    bare_wall, bare_cpu = await bare_discord_py(adapter.client, guild, dms, posts) if baseline else (0.0, 0.0)
    await runtime.stop()
    requests = after["requests"] - before["requests"]
    needed = 2 * dms + posts  # open each DM channel + send; one call per post
    expected = {f"dm {i}" for i in range(dms)} | {f"post {i}" for i in range(posts)}
    return {
        "sent": sent,
        "wall_s": wall,
        "fake_s": wall * speed,
        "minimum_fake_s": needed / PLATFORM_RATE,
        "lost": len(expected - set(after["contents"])),
        "duplicates": after["duplicates"],
        "requests": requests,
        "rate_limited": after["rate_limited"] - before["rate_limited"],
        "cpu_s": cpu,
        "bare_wall_s": bare_wall,
        "bare_cpu_s": bare_cpu,
    }


async def bare_discord_py(client: discord.Client, guild: int, dms: int, posts: int) -> tuple[float, float]:
    """The same requests made straight through discord.py (same client, same pacing), with no copbot around
    them: no outbox, no rendering, no marker. Its CPU ÷ wall is the floor the library itself sets on this
    machine under this run's load, measured in the same run so both figures share the load."""
    channel = client.get_partial_messageable(int(client.guilds[0].text_channels[0].id), guild_id=guild)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(dms):
        dm = await client.create_dm(discord.Object(310000000000000000 + i))  # new members: new DM channels
        await dm.send(f"bare dm {i}")
    for i in range(posts):
        await channel.send(f"bare post {i}")
    return time.perf_counter() - wall0, time.process_time() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dms", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--speed", type=float, default=1.0, help="how much faster than real time the fake's clock runs")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare discord.py run (halves the time)")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    ports, stop = ctx.Queue(), ctx.Event()
    child = ctx.Process(target=serve_fake, args=(args.speed, ports, stop), daemon=True)
    child.start()
    try:
        port = ports.get(timeout=30)
        r = asyncio.run(run(args.dms, args.posts, args.speed, port, baseline=not args.no_baseline))
    finally:
        stop.set()
        child.join(timeout=10)
    ratio = r["fake_s"] / r["minimum_fake_s"]
    share = r["rate_limited"] / max(r["requests"], 1)
    busy = r["cpu_s"] / r["wall_s"]
    print(f"Discord fan-out: {args.dms} DMs + {args.posts} posts, fake clock x{args.speed:g}, "
          f"limit {PLATFORM_RATE:g}/s")
    print(f"  elapsed ÷ platform minimum  {ratio:6.3f}  (goal ≤ 1.10; "
          f"{r['fake_s']:.1f} s vs {r['minimum_fake_s']:.1f} s)")
    print(f"  lost                        {r['lost']:6d}  (goal 0)")
    print(f"  duplicates                  {r['duplicates']:6d}  (goal 0)")
    print(f"  share of 429s               {share:6.2%}  (goal ≤ 1%; {r['rate_limited']} of {r['requests']})")
    print(f"  bot CPU ÷ wall while sending {busy:5.3f}  (goal ≤ 0.05; {r['cpu_s']:.2f} s CPU in {r['wall_s']:.2f} s)")
    if args.speed != 1:
        # At speed s the bot sends s times as many requests per real second; the CPU it would need at real
        # speed is the same CPU spread over the fake clock's seconds.
        print(f"  bot CPU ÷ fake-clock time    {r['cpu_s'] / r['fake_s']:5.3f}  (the same CPU over the "
              f"{r['fake_s']:.1f} s it takes at real speed; the goal's figure for a real Discord)")
    if r["bare_wall_s"]:
        bare = r["bare_cpu_s"] / r["bare_wall_s"]
        print(f"  bare discord.py, same run    {bare:5.3f}  ({r['bare_cpu_s']:.2f} s CPU in {r['bare_wall_s']:.2f} s: "
              "the same requests with no copbot around them)")
        print(f"  copbot ÷ bare discord.py CPU {r['cpu_s'] / r['bare_cpu_s']:5.2f}  "
              f"(what the outbox, rendering and lookup marker add; {r['cpu_s'] - r['bare_cpu_s']:.2f} s)")


if __name__ == "__main__":
    main()
