"""``/cop stats`` round-trip latency through the real Bolt app over loopback (signed request → ephemeral answer).

Why: Slack gives a slash command 3 s; members feel anything above a blink. This measures the whole
path a member's command takes on our side: aiohttp, Bolt's signature check and routing, the runtime's
command router and a stats query on SQLite, and the ack. Goal: p50 ≤ 20 ms. Printed, never asserted.

    python bench/command_latency.py [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.slack_harness import MEMBER, slack_world


async def run(requests: int) -> list[float]:
    timings: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with slack_world(Path(tmp)) as world:
            await world.sender.command("stats", user_id=MEMBER)  # warm up: auth.test, connection pool
            for _ in range(requests):
                started = time.perf_counter()
                answer = await world.sender.command("stats", user_id=MEMBER)
                timings.append((time.perf_counter() - started) * 1000)
                if answer.status != 200 or "members" not in answer.json().get("text", ""):
                    raise SystemExit(f"unexpected answer: {answer}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    timings = sorted(asyncio.run(run(args.requests)))
    p50 = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"/cop stats round trip over loopback, {len(timings)} requests")
    print(f"  p50  {p50:6.1f} ms   (goal ≤ 20 ms)")
    print(f"  p99  {p99:6.1f} ms")


if __name__ == "__main__":
    main()
